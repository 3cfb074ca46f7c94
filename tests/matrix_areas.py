"""The areas whose URLs the permission matrix walks, each with its own entries."""

from tests.api import matrix as api
from tests.feedback import matrix as feedback
from tests.guide import matrix as guide
from tests.implementation import matrix as implementation
from tests.implementation_plan import matrix as implementation_plan
from tests.imports import matrix as imports
from tests.monitoring import matrix as monitoring
from tests.notifications import matrix as notifications
from tests.portal import matrix as portal
from tests.screening import matrix as screening

AREAS = [
    implementation,
    monitoring,
    screening,
    feedback,
    implementation_plan,
    guide,
    notifications,
    imports,
    api,
    portal,
]

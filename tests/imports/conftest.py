from __future__ import annotations

import pytest

from tests.conftest import staff_with_role
from wattelt.organisations.models import Organisation, Role, Staff


@pytest.fixture
def quinn(organisation: Organisation) -> Staff:
    return staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)

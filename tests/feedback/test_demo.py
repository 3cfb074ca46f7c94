from __future__ import annotations

import pytest

from tests.conftest import staff_with_role
from wattelt.feedback import demo, services
from wattelt.feedback.models import Questionnaire, Response
from wattelt.guide import demo as guide_demo
from wattelt.guide.models import FaqEntry
from wattelt.organisations.models import Role

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_shows_a_summary(organisation, alice):
    staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    demo.seed(organisation)
    demo.seed(organisation)
    guide_demo.seed(organisation)
    guide_demo.seed(organisation)
    assert Questionnaire.objects.filter(organisation=organisation).count() == 2
    assert Response.objects.count() == 12
    assert FaqEntry.objects.filter(organisation=organisation).count() == len(guide_demo.ENTRIES)
    resident = Questionnaire.objects.get(audience=Questionnaire.Audience.RESIDENT)
    (period,) = services.results(resident)
    assert not period.summaries[0].suppressed

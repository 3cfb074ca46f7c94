"""`make run` loads the demo organisation once and keeps existing data after."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.monitoring.test_summary import summary_rows
from wattelt.demo import data as demo
from wattelt.implementation.adoption import summary as adoption_summary
from wattelt.implementation.models import AdoptionDay, AdoptionFact, AdoptionMonth
from wattelt.instrument.models import Goal, Measurement, NotFilledIn
from wattelt.monitoring import summary as monitoring_summary
from wattelt.organisations.models import District, Role, Staff, Team
from wattelt.residents.models import Resident, Trajectory


def test_demo_data_is_loaded_once(db):
    # Without its publish (`make run` publishes): that is the publisher's own tests' work,
    # and the demo's twelve scope-years with the audit took a third of this test leg. The
    # browser test of the dashboards publishes and reads the demo's figures.
    call_command("seed_demo", "--no-publish", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Resident.objects.count(), Measurement.objects.count())
    assert District.objects.count() == 4
    assert Team.objects.count() == 4, "three wijkteams and a specialist team"
    assert Resident.objects.count() == 246
    assert Trajectory.objects.count() == 246
    young = [r for r in Resident.objects.all() if r.age_on(r.registered_at.date()) < 18]
    assert 0 < len(young) < 240, "adults and young people"
    # One demo account for each organisation-wide role, so every screen can be tried.
    assert set(Role.objects.values_list("name", flat=True)) == set(Role.Name.values)
    per_trajectory = [t.measurements.count() for t in Trajectory.objects.all()]
    assert max(per_trajectory) <= 4
    assert NotFilledIn.objects.exists()
    assert_goals_fit_their_domain()
    assert_a_specialist_sees_shared_plans()
    assert_dates_are_spread()
    assert_summaries_are_kept()
    call_command("seed_demo", "--no-publish", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Resident.objects.count(), Measurement.objects.count()) == counts


def assert_goals_fit_their_domain() -> None:
    """A debt goal sits on Geld, never on Alcohol: each goal text belongs to its domain."""
    linked = Goal.objects.values_list("own_words", "domains__key")
    assert linked
    for own_words, key in linked:
        fitting = [words for words, _step in demo.GOALS.get(key, [demo.FALLBACK_GOAL])]
        assert own_words in fitting, (own_words, key)


def assert_a_specialist_sees_shared_plans() -> None:
    specialist = Staff.objects.get(username=demo.SPECIALIST_USER)
    assert specialist.organisation is not None
    assert specialist.organisation.name == demo.SPECIALIST
    shared = Trajectory.objects.shared_with(specialist, "plan")
    assert shared.count() >= 5
    assert not Trajectory.objects.shared_with(specialist, "measurements").exists()
    first = shared.first()
    assert first is not None
    page = client_for(specialist).get(reverse("instrument:plan", args=[first.pk]))
    assert page.status_code == 200


def assert_dates_are_spread() -> None:
    today = timezone.localdate()
    ages = [(today - t.started_on).days for t in Trajectory.objects.all()]
    assert min(ages) < 30 and max(ages) > 365
    closed = Trajectory.objects.filter(ended_on__isnull=False)
    assert 0.15 < closed.count() / len(ages) < 0.5, "long trajectories were closed"
    open_ = Trajectory.objects.open()
    overdue = open_.filter(measurement_due_on__lt=today).count()
    assert 0 < overdue < open_.count() / 2, "some follow-ups are late, most are not"


def assert_summaries_are_kept() -> None:
    """The seed derives both summaries once at the end (`deferred`), not after each
    write: they hold what a rebuild from all data holds, every trajectory counted."""
    monitoring = summary_rows()
    assert len(monitoring["TrajectorySummary"]) == Trajectory.objects.count()
    adoption = adoption_rows()
    assert adoption[0], "adoption facts"
    monitoring_summary.rebuild(log_change=False)
    adoption_summary.rebuild()
    assert summary_rows() == monitoring
    assert adoption_rows() == adoption


def adoption_rows() -> list[list[tuple[Any, ...]]]:
    tables = []
    for model in (AdoptionFact, AdoptionDay, AdoptionMonth):
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        tables.append(sorted(model.objects.values_list(*names), key=repr))
    return tables

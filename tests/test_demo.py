"""`make run` loads the demo organisation once and keeps existing data after."""

from __future__ import annotations

from django.core.management import call_command

from wattelt.instrument.models import Measurement, NotFilledIn
from wattelt.organisations.models import District, Role, Team
from wattelt.residents.models import Resident, Trajectory


def test_demo_data_is_loaded_once(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Resident.objects.count(), Measurement.objects.count())
    assert District.objects.count() == 4
    assert Team.objects.count() == 3
    assert Resident.objects.count() == 240
    assert Trajectory.objects.count() == 240
    young = [r for r in Resident.objects.all() if r.age_on(r.registered_at.date()) < 18]
    assert 0 < len(young) < 240, "adults and young people"
    # One demo account for each organisation-wide role, so every screen can be tried.
    assert set(Role.objects.values_list("name", flat=True)) == set(Role.Name.values)
    per_trajectory = [t.measurements.count() for t in Trajectory.objects.all()]
    assert max(per_trajectory) <= 4
    assert NotFilledIn.objects.exists()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Resident.objects.count(), Measurement.objects.count()) == counts

"""Demo data for dossier screening: one sample round over the last year, a few dossiers
screened, two findings shared. Made through the services, idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from wattelt.organisations.models import Organisation, Role, Staff

from . import services
from .models import ScreeningRound

ANSWERS = [
    ("yes", "yes", "yes", "yes", "yes", "Mooi voorbeeld: doelen letterlijk van de inwoner."),
    ("yes", "no", "partly", "yes", "no", "Vervolgmeting ontbreekt; één doel is herschreven."),
    ("no", "not_applicable", "not_applicable", "not_applicable", "not_applicable", ""),
    ("yes", "partly", "yes", "partly", "partly", "Doel over werk past niet bij de prioriteit."),
]


def seed(organisation: Organisation) -> None:
    """Draw, screen four and share two, once per organisation."""
    if ScreeningRound.objects.filter(organisation=organisation).exists():
        return
    officer = Staff.objects.filter(
        organisation=organisation, roles__name=Role.Name.QUALITY_OFFICER
    ).first()
    if officer is None:
        return
    today = timezone.localdate()
    # The seed is chosen by the service, as for every new round.
    data = services.SampleInput(today - dt.timedelta(days=365), today, 12)
    with transaction.atomic():
        try:
            sample = services.draw_sample(organisation, officer, data)
        except services.ValidationError:
            return  # no trajectories yet: nothing to screen
        for item, answers in zip(sample.items.order_by("pk"), ANSWERS, strict=False):
            screened = services.screen(item, officer, services.ReviewInput(*answers))
            if answers[-1]:
                services.share(screened, officer)

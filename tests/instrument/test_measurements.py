"""The rules of a measurement: drafts, confirmation, immutability, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.conftest import board_data, complete_fields, confirmed_measurement
from wattelt.instrument import services
from wattelt.instrument.models import ChosenDomain, Goal, Measurement
from wattelt.residents import services as residents


def test_first_measurement_is_the_start_measurement(trajectory, alice):
    draft = services.start_measurement(trajectory, alice, "follow_up")
    assert draft.kind == Measurement.Kind.START
    assert draft.is_draft


def test_starting_twice_returns_the_same_draft(trajectory, alice):
    first = services.start_measurement(trajectory, alice)
    assert services.start_measurement(trajectory, alice) == first


def test_complete_measurement_is_confirmed_with_snapshot(trajectory, alice):
    measurement = confirmed_measurement(trajectory, alice)
    assert measurement.status == Measurement.Status.CONFIRMED
    chips = {c.domain.key: c.resident_chip for c in measurement.choices.select_related("domain")}
    assert chips == {"wonen": 70, "geld": 20}
    assert measurement.quality_of_life == 6
    assert measurement.snapshot["goals"][0]["own_words"] == "Ik wil rust over mijn geld"
    assert [c["domain"] for c in measurement.snapshot["choices"] if c["prioritised"]] == ["geld"]


def test_perspectives_are_stored_side_by_side(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    data = board_data(
        draft,
        **complete_fields(
            placed__professional__wonen="on",
            chip__professional__wonen=40,
            placed__carer__wonen="on",
            chip__carer__wonen=90,
            chip__professional__geld=55,  # no "placed" box: the professional did not place it
        ),
    )
    services.confirm_measurement(draft, alice, data)
    wonen = ChosenDomain.objects.get(measurement=draft, domain__key="wonen")
    geld = ChosenDomain.objects.get(measurement=draft, domain__key="geld")
    assert (wonen.resident_chip, wonen.professional_chip, wonen.carer_chip) == (70, 40, 90)
    assert geld.professional_chip is None


def test_draft_saves_incomplete_board(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    saved = services.save_draft(draft, alice, board_data(draft, chosen=["wonen"]))
    assert saved.revision == draft.revision + 1
    assert saved.choices.get().resident_chip is None


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"chip__resident__wonen": 101}, "chip-resident-wonen", "buiten de lijn"),
        ({"chip__resident__wonen": -1}, "chip-resident-wonen", "buiten de lijn"),
        ({"quality_of_life": 11}, "quality_of_life", "1 tot en met 10"),
        ({"quality_of_life": 0}, "quality_of_life", "1 tot en met 10"),
        ({"quality_of_life": "zes"}, "quality_of_life", "geen heel getal"),
        ({"chosen": ["wonen", "maanreizen"]}, "chosen", "Onbekend leefgebied"),
        ({"priority": ["werk"]}, "priority", "niet gekozen"),
        ({"measured_on": "31-02-2026"}, "measured_on", "geen datum"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(trajectory, alice, fields, field, words):
    draft = services.start_measurement(trajectory, alice)
    with pytest.raises(ValidationError) as error:
        board_data(draft, **complete_fields(**fields))
    assert field in error.value.message_dict
    assert words in " ".join(error.value.message_dict[field])
    assert not ChosenDomain.objects.filter(measurement=draft).exists()


def test_goal_without_own_words_cannot_be_confirmed(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    data = board_data(draft, **complete_fields(goal__0__own_words="", goal__0__first_step="Bellen"))
    with pytest.raises(ValidationError) as error:
        services.confirm_measurement(draft, alice, data)
    assert "eigen woorden" in error.value.message_dict["goal-0-own_words"][0]
    draft.refresh_from_db()
    assert draft.is_draft
    assert not draft.choices.exists(), "a failed confirmation saves nothing"


def test_confirm_requires_resident_chip_for_each_chosen_domain(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    fields = complete_fields()
    del fields["chip__resident__geld"]
    with pytest.raises(ValidationError) as error:
        services.confirm_measurement(draft, alice, board_data(draft, **fields))
    assert "Geld" in error.value.message_dict["chosen"][0]


def test_confirm_requires_a_grade(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    fields = complete_fields()
    del fields["quality_of_life"]
    with pytest.raises(ValidationError) as error:
        services.confirm_measurement(draft, alice, board_data(draft, **fields))
    assert "quality_of_life" in error.value.message_dict


def test_goal_must_belong_to_a_chosen_domain(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    data = board_data(draft, **complete_fields(goal__0__domains=["werk"]))
    with pytest.raises(ValidationError) as error:
        services.confirm_measurement(draft, alice, data)
    assert "niet heeft gekozen" in error.value.message_dict["goal-0-domains"][0]


def test_measurement_cannot_be_confirmed_twice(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    data = board_data(draft, **complete_fields())
    services.confirm_measurement(draft, alice, data)
    with pytest.raises(ValidationError, match="al bevestigd"):
        services.confirm_measurement(draft, alice, data)
    assert Measurement.objects.filter(trajectory=trajectory).count() == 1


def test_second_editor_gets_a_conflict_and_loses_nothing(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    mine = board_data(draft, chosen=["wonen"], chip__resident__wonen=30)
    theirs = board_data(draft, chosen=["geld"], chip__resident__geld=80)
    services.save_draft(draft, alice, theirs)
    with pytest.raises(services.MeasurementConflict) as conflict:
        services.save_draft(draft, alice, mine)
    assert "nadat jij hem had geopend" in str(conflict.value)
    draft.refresh_from_db()
    assert [c.domain.key for c in draft.choices.select_related("domain")] == ["geld"]
    # Saving again with the current revision keeps mine, on purpose.
    mine.revision = conflict.value.measurement.revision
    services.save_draft(draft, alice, mine)
    assert [c.domain.key for c in draft.choices.select_related("domain")] == ["wonen"]


def test_no_measurement_on_a_closed_trajectory(trajectory, alice):
    confirmed_measurement(trajectory, alice)
    residents.close_trajectory(trajectory, alice, "goals_reached")
    with pytest.raises(ValidationError, match="afgesloten"):
        services.start_measurement(trajectory, alice, "follow_up")


def test_trajectory_closed_under_an_open_draft(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    type(trajectory).objects.filter(pk=trajectory.pk).update(ended_on=timezone.localdate())
    with pytest.raises(ValidationError, match="afgesloten"):
        services.save_draft(draft, alice, board_data(draft, chosen=["wonen"]))


def test_follow_up_requires_a_status_for_each_earlier_goal(trajectory, alice):
    confirmed_measurement(trajectory, alice, days_ago=100)
    goal = Goal.objects.get(trajectory=trajectory)
    draft = services.start_measurement(trajectory, alice, "follow_up")
    assert draft.kind == Measurement.Kind.FOLLOW_UP
    with pytest.raises(ValidationError) as error:
        services.confirm_measurement(draft, alice, board_data(draft, **complete_fields()))
    assert f"review-{goal.pk}-status" in error.value.message_dict
    data = board_data(
        draft,
        **complete_fields(
            **{
                f"review__{goal.pk}__status": "partly",
                f"review__{goal.pk}__note": "Eerste stap gezet",
            }
        ),
    )
    services.confirm_measurement(draft, alice, data)
    goal.refresh_from_db()
    assert goal.status == Goal.Status.PARTLY
    assert goal.reviews.get().note == "Eerste stap gezet"


def test_unknown_goal_status_is_refused(trajectory, alice):
    confirmed_measurement(trajectory, alice)
    goal = Goal.objects.get(trajectory=trajectory)
    draft = services.start_measurement(trajectory, alice, "follow_up")
    with pytest.raises(ValidationError) as error:
        board_data(draft, **complete_fields(**{f"review__{goal.pk}__status": "perfect"}))
    assert f"review-{goal.pk}-status" in error.value.message_dict


def test_correction_creates_a_new_version_and_keeps_history(trajectory, alice):
    original = confirmed_measurement(trajectory, alice)
    data = board_data(original, **complete_fields(chip__resident__geld=35))
    corrected = services.correct_measurement(
        original, alice, services.CorrectionInput(data, "Fiche verkeerd gelegd")
    )
    original.refresh_from_db()
    assert original.status == Measurement.Status.SUPERSEDED
    assert original.snapshot["choices"][0]["resident"] in (20, 70)
    assert {c["domain"]: c["resident"] for c in original.snapshot["choices"]}["geld"] == 20
    assert corrected.version == 2
    assert corrected.corrects == original
    assert corrected.correction_reason == "Fiche verkeerd gelegd"
    assert corrected.choices.get(domain__key="geld").resident_chip == 35
    assert Goal.objects.get(trajectory=trajectory).stated_in == corrected


def test_correction_needs_a_reason(trajectory, alice):
    original = confirmed_measurement(trajectory, alice)
    data = board_data(original, **complete_fields())
    with pytest.raises(ValidationError) as error:
        services.correct_measurement(original, alice, services.CorrectionInput(data, "  "))
    assert "correction_reason" in error.value.message_dict
    original.refresh_from_db()
    assert original.status == Measurement.Status.CONFIRMED


def test_superseded_version_cannot_be_corrected_again(trajectory, alice):
    original = confirmed_measurement(trajectory, alice)
    data = board_data(original, **complete_fields())
    services.correct_measurement(original, alice, services.CorrectionInput(data, "typo"))
    with pytest.raises(ValidationError, match="huidige bevestigde versie"):
        services.correct_measurement(original, alice, services.CorrectionInput(data, "again"))


def test_measurement_date_cannot_be_in_the_future(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as error:
        services.save_draft(draft, alice, board_data(draft, measured_on=tomorrow))
    assert "measured_on" in error.value.message_dict


def test_not_filled_in_is_recorded_with_reason(trajectory, alice):
    record = services.record_not_filled_in(trajectory, alice, "start", "crisis")
    assert record.get_reason_display() == "crisis"


@pytest.mark.parametrize(
    ("kind", "reason", "note", "field"),
    [("start", "", "", "reason"), ("later", "crisis", "", "kind"), ("start", "other", "", "note")],
)
def test_not_filled_in_needs_kind_reason_and_note_for_other(
    trajectory, alice, kind, reason, note, field
):
    with pytest.raises(ValidationError) as error:
        services.record_not_filled_in(trajectory, alice, kind, reason, note)
    assert field in error.value.message_dict


def test_measurement_keeps_its_catalogue_version(trajectory, alice, catalogue, organisation):
    from wattelt.instrument.catalogue import copy_as_new_version

    first = confirmed_measurement(trajectory, alice)
    own = copy_as_new_version(catalogue, organisation)
    own.domains.filter(key="geld").update(labels={"nl": "Financiën", "en": "Finances"})
    own.published = True
    own.save()
    second = services.start_measurement(trajectory, alice, "follow_up")
    assert second.catalogue == own
    assert first.catalogue == catalogue
    assert str(first.choices.get(domain__key="geld").domain) == "Geld"


def _follow_up(trajectory, alice, days_ago: int, status: str, **extra: object) -> Measurement:
    draft = services.start_measurement(trajectory, alice, "follow_up")
    reviews = {f"review__{g.pk}__status": status for g in services.goals_to_review(draft)}
    day = (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()
    data = board_data(draft, **complete_fields(measured_on=day, **reviews, **extra))
    return services.confirm_measurement(draft, alice, data)


def test_correcting_an_older_measurement_keeps_the_later_goal_status(trajectory, alice):
    confirmed_measurement(trajectory, alice, days_ago=150)
    second = _follow_up(trajectory, alice, 100, "partly", goal__0__own_words="")
    _follow_up(trajectory, alice, 50, "achieved", goal__0__own_words="")
    goal = Goal.objects.get(trajectory=trajectory)
    assert goal.status == Goal.Status.ACHIEVED
    reviews = {f"review__{goal.pk}__status": "not_achieved"}
    data = board_data(second, **complete_fields(goal__0__own_words="", **reviews))
    services.correct_measurement(second, alice, services.CorrectionInput(data, "typo"))
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACHIEVED, "the later review still decides"


def test_a_goal_left_off_a_draft_is_removed_and_a_kept_one_stays(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    draft = services.save_draft(draft, alice, board_data(draft, **complete_fields()))
    goal = Goal.objects.get(stated_in=draft)
    kept = complete_fields(goal__0__id=goal.pk, goal__0__own_words="Rust")
    draft = services.save_draft(draft, alice, board_data(draft, **kept))
    assert [(g.pk, g.own_words) for g in Goal.objects.filter(stated_in=draft)] == [
        (goal.pk, "Rust")
    ]
    services.save_draft(draft, alice, board_data(draft, **complete_fields(goal__0__own_words="")))
    assert not Goal.objects.filter(stated_in=draft).exists()


def test_a_correction_cannot_remove_a_goal_with_history(trajectory, alice):
    first = confirmed_measurement(trajectory, alice, days_ago=150)
    _follow_up(trajectory, alice, 100, "partly", goal__0__own_words="")
    data = board_data(first, **complete_fields(goal__0__own_words=""))
    with pytest.raises(ValidationError, match="niet meer van toepassing"):
        services.correct_measurement(first, alice, services.CorrectionInput(data, "weg"))
    assert Goal.objects.get(trajectory=trajectory).reviews.count() == 1


def test_a_measurement_can_be_corrected_while_a_draft_is_open(trajectory, alice):
    first = confirmed_measurement(trajectory, alice, days_ago=150)
    services.start_measurement(trajectory, alice, "follow_up")
    goal = Goal.objects.get(trajectory=trajectory)
    data = board_data(first, **complete_fields(**{"goal__0__id": goal.pk}))
    corrected = services.correct_measurement(first, alice, services.CorrectionInput(data, "typo"))
    assert corrected.status == Measurement.Status.CONFIRMED

"""Editing the organisation's FAQ: every change in one transaction with its record."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from wattelt.organisations.models import Organisation, Staff

from .models import FaqChange, FaqEntry

QUESTION_MAX = 300
ANSWER_MAX = 5000
HISTORY_SHOWN = 50


def _check(question: str, answer: str) -> tuple[str, str]:
    question, answer = question.strip(), answer.strip()
    errors = {}
    if not question:
        errors["question"] = _("Write the question.")
    elif len(question) > QUESTION_MAX:
        errors["question"] = _("The question is longer than %(max)s characters.") % {
            "max": QUESTION_MAX
        }
    if not answer:
        errors["answer"] = _("Write the answer.")
    elif len(answer) > ANSWER_MAX:
        errors["answer"] = _("The answer is longer than %(max)s characters.") % {"max": ANSWER_MAX}
    if errors:
        raise ValidationError(errors)
    return question, answer


def _record(entry: FaqEntry, action: str, by: Staff) -> None:
    FaqChange.objects.create(
        organisation_id=entry.organisation_id,
        entry=None if action == FaqChange.Action.DELETED else entry,
        question=entry.question,
        action=action,
        changed_by=by,
    )


def add_entry(organisation: Organisation, by: Staff, question: str, answer: str) -> FaqEntry:
    """A new question at the end of the list."""
    question, answer = _check(question, answer)
    with transaction.atomic():
        # Serialise additions per organisation so two never get the same position.
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        last = FaqEntry.objects.filter(organisation=organisation).aggregate(m=Max("position"))
        entry = FaqEntry.objects.create(
            organisation=organisation,
            position=(last["m"] or 0) + 1,
            question=question,
            answer=answer,
            updated_by=by,
        )
        _record(entry, FaqChange.Action.ADDED, by)
    return entry


def change_entry(entry: FaqEntry, by: Staff, question: str, answer: str) -> FaqEntry:
    question, answer = _check(question, answer)
    if (question, answer) == (entry.question, entry.answer):
        return entry
    with transaction.atomic():
        entry.question, entry.answer = question, answer
        entry.updated_by, entry.updated_at = by, timezone.now()
        entry.save()
        _record(entry, FaqChange.Action.CHANGED, by)
    return entry


def move_entry(entry: FaqEntry, by: Staff, up: bool) -> bool:
    """Swap with the neighbour above or below; False at the top or bottom."""
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=entry.organisation_id)
        entries = list(FaqEntry.objects.filter(organisation_id=entry.organisation_id))
        index = next(i for i, e in enumerate(entries) if e.pk == entry.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(entries):
            return False
        entries[index], entries[other] = entries[other], entries[index]
        for position, item in enumerate(entries, start=1):
            item.position = position
        FaqEntry.objects.bulk_update(entries, ["position"])
        _record(entries[other], FaqChange.Action.MOVED, by)
    return True


def delete_entry(entry: FaqEntry, by: Staff) -> None:
    with transaction.atomic():
        _record(entry, FaqChange.Action.DELETED, by)
        entry.delete()


def history(organisation: Organisation) -> list[FaqChange]:
    changes = FaqChange.objects.filter(organisation=organisation).select_related("changed_by")
    return list(changes[:HISTORY_SHOWN])

"""Feedback questionnaires: managing them, answering them (logged in, on the tablet, or
through a one-time link) and summarising the answers with small-cell suppression."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from wattelt.monitoring.suppression import (
    THRESHOLD,
    Cell,
    Group,
    SuppressedTable,
    Table,
    suppress_small_cells,
)
from wattelt.organisations.models import Organisation, Staff
from wattelt.residents.models import Resident, Trajectory

from .models import (
    SCALE,
    Answer,
    FeedbackLink,
    Participation,
    Question,
    Questionnaire,
    ResidentParticipation,
    Response,
)

LINK_DAYS = 14
"""How long a link sent to a resident stays valid."""
TABLET_HOURS = 2
"""How long a tablet handed over stays valid for the answers."""
OPEN_ANSWER_MAX = 2000
MAX_QUESTIONS = 30


# --- Managing questionnaires ----------------------------------------------------------


@dataclass
class QuestionInput:
    text: str
    kind: str = Question.Kind.SCALE
    required: bool = True


@dataclass
class QuestionnaireInput:
    title: str
    audience: str
    anonymous: bool
    opens_on: dt.date
    closes_on: dt.date | None = None
    repeat: str = Questionnaire.Repeat.QUARTER
    introduction: str = ""


LOCKED_FIELDS = ("audience", "anonymous")
"""What cannot change once someone answered: they answered under these terms."""


def is_locked(questionnaire: Questionnaire) -> bool:
    """Answered questionnaires keep their questions; a change needs a new version."""
    return questionnaire.pk is not None and questionnaire.responses.exists()


def _check_questionnaire(data: QuestionnaireInput) -> None:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = _("Give the questionnaire a title.")
    if data.audience not in Questionnaire.Audience.values:
        errors["audience"] = _("Choose for whom the questionnaire is.")
    if data.repeat not in Questionnaire.Repeat.values:
        errors["repeat"] = _("Choose how often a professional answers.")
    if data.closes_on is not None and data.closes_on < data.opens_on:
        errors["closes_on"] = _("The end date lies before the start date.")
    if errors:
        raise ValidationError(errors)


def _check_questions(questions: Sequence[QuestionInput]) -> None:
    if not questions:
        raise ValidationError(_("A questionnaire needs at least one question."))
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError(
            _("A questionnaire has at most %(max)s questions.") % {"max": MAX_QUESTIONS}
        )
    for number, question in enumerate(questions, start=1):
        if not question.text.strip():
            raise ValidationError(_("Question %(n)s has no text.") % {"n": number})
        if question.kind not in Question.Kind.values:
            raise ValidationError(_("Question %(n)s has an unknown kind.") % {"n": number})


def create_questionnaire(
    organisation: Organisation,
    by: Staff,
    data: QuestionnaireInput,
    questions: Sequence[QuestionInput],
) -> Questionnaire:
    _check_questionnaire(data)
    _check_questions(questions)
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            organisation=organisation, created_by=by, **_fields(data)
        )
        _replace_questions(questionnaire, questions)
    return questionnaire


def _fields(data: QuestionnaireInput) -> dict[str, object]:
    return {
        "title": data.title.strip(),
        "introduction": data.introduction.strip(),
        "audience": data.audience,
        "anonymous": data.anonymous,
        "repeat": data.repeat,
        "opens_on": data.opens_on,
        "closes_on": data.closes_on,
    }


def _replace_questions(questionnaire: Questionnaire, questions: Sequence[QuestionInput]) -> None:
    questionnaire.questions.all().delete()
    Question.objects.bulk_create(
        Question(
            questionnaire=questionnaire,
            position=position,
            text=q.text.strip(),
            kind=q.kind,
            required=q.required,
        )
        for position, q in enumerate(questions, start=1)
    )


def change_questionnaire(
    questionnaire: Questionnaire,
    data: QuestionnaireInput,
    questions: Sequence[QuestionInput] | None = None,
) -> Questionnaire:
    """Change title, introduction and period at any time; questions, audience and
    anonymity only while nobody has answered (otherwise: `new_version`)."""
    _check_questionnaire(data)
    if questions is not None:
        _check_questions(questions)
    with transaction.atomic():
        # Locked against a response arriving meanwhile (submit_response locks it too).
        current = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if is_locked(current):
            changed = [f for f in LOCKED_FIELDS if getattr(current, f) != getattr(data, f)]
            if questions is not None or changed:
                raise ValidationError(
                    _(
                        "This questionnaire has been answered already: its questions, "
                        "audience and anonymity can no longer change. Make a new version."
                    )
                )
        for name, value in _fields(data).items():
            setattr(current, name, value)
        current.save()
        if questions is not None:
            _replace_questions(current, questions)
    return current


def new_version(questionnaire: Questionnaire, by: Staff) -> Questionnaire:
    """A copy with the same questions, open from today, to change freely; the old
    version closes (its answers stay with it)."""
    today = timezone.localdate()
    with transaction.atomic():
        old = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        copy = Questionnaire.objects.create(
            organisation=old.organisation,
            title=old.title,
            introduction=old.introduction,
            audience=old.audience,
            anonymous=old.anonymous,
            repeat=old.repeat,
            opens_on=today,
            closes_on=old.closes_on if old.closes_on and old.closes_on > today else None,
            version=old.version + 1,
            previous_version=old,
            created_by=by,
        )
        Question.objects.bulk_create(
            Question(
                questionnaire=copy,
                position=q.position,
                text=q.text,
                kind=q.kind,
                required=q.required,
            )
            for q in old.questions.all()
        )
        yesterday = today - dt.timedelta(days=1)
        old.closes_on = max(old.opens_on, yesterday)
        old.save(update_fields=["closes_on"])
    return copy


# --- Answering ------------------------------------------------------------------------


def period_of(day: dt.date, repeat: str) -> str:
    """The period in which a professional answers once: "2026-11", "2026-K4", "once"."""
    if repeat == Questionnaire.Repeat.MONTH:
        return f"{day.year}-{day.month:02d}"
    if repeat == Questionnaire.Repeat.QUARTER:
        return f"{day.year}-K{(day.month - 1) // 3 + 1}"
    return "once"


def has_answered(questionnaire: Questionnaire, staff: Staff, day: dt.date | None = None) -> bool:
    period = period_of(day or timezone.localdate(), questionnaire.repeat)
    return Participation.objects.filter(
        questionnaire=questionnaire, staff=staff, period=period
    ).exists()


def _clean_answers(
    questions: Sequence[Question], raw: Mapping[str, object]
) -> list[tuple[Question, int | None, str]]:
    """The answers per question, or a ValidationError naming every problem; the keys of
    `raw` are "q<question id>"."""
    errors: dict[str, str] = {}
    cleaned: list[tuple[Question, int | None, str]] = []
    for number, question in enumerate(questions, start=1):
        key = f"q{question.pk}"
        value = str(raw.get(key) or "").strip()
        if not value:
            if question.required:
                errors[key] = _("Question %(n)s needs an answer.") % {"n": number}
            continue
        if question.kind == Question.Kind.SCALE:
            low, high = SCALE
            # One or two ASCII digits: a 5,000-digit answer never reaches int().
            if not (value.isascii() and value.isdigit() and len(value) <= 2) or not (
                low <= int(value) <= high
            ):
                errors[key] = _(
                    "Question %(n)s: choose an answer from %(low)s up to and including %(high)s."
                ) % {"n": number, "low": low, "high": high}
                continue
            cleaned.append((question, int(value), ""))
        else:
            if len(value) > OPEN_ANSWER_MAX:
                errors[key] = _("Question %(n)s: the answer is longer than %(max)s characters.") % {
                    "n": number,
                    "max": OPEN_ANSWER_MAX,
                }
                continue
            cleaned.append((question, None, value))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _store(
    questionnaire: Questionnaire,
    cleaned: list[tuple[Question, int | None, str]],
    channel: str,
    **who: object,
) -> Response:
    response = Response.objects.create(
        questionnaire=questionnaire, submitted_on=timezone.localdate(), channel=channel, **who
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=q, scale_value=value, text=text)
        for q, value, text in cleaned
    )
    return response


def answer_as_professional(
    questionnaire: Questionnaire, by: Staff, raw: Mapping[str, object]
) -> Response:
    """Store a professional's answers, once per period; anonymous questionnaires keep
    only that they answered (Participation), not which response is theirs."""
    today = timezone.localdate()
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if locked.audience != Questionnaire.Audience.PROFESSIONAL or not locked.is_open_on(today):
            raise ValidationError(_("This questionnaire is not open."))
        cleaned = _clean_answers(list(locked.questions.all()), raw)
        try:
            with transaction.atomic():
                Participation.objects.create(
                    questionnaire=locked, staff=by, period=period_of(today, locked.repeat)
                )
        except IntegrityError:
            raise ValidationError(
                _("You have already answered this questionnaire for this period.")
            ) from None
        who = {} if locked.anonymous else {"respondent": by}
        return _store(locked, cleaned, Response.Channel.LOGGED_IN, **who)


class LinkProblem(Exception):
    """Why a one-time link cannot be used; `message` is for the resident."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind  # "unknown", "used", "expired", "closed"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hand_out(
    questionnaire: Questionnaire,
    by: Staff,
    channel: str,
    trajectory: Trajectory | None = None,
) -> str:
    """A new one-time token for a resident (a link, or the tablet handed over); returns
    the token, of which only the hash is kept. A questionnaire that is not anonymous
    needs the trajectory the answers belong to; an anonymous one never stores it."""
    today = timezone.localdate()
    if questionnaire.audience != Questionnaire.Audience.RESIDENT or not questionnaire.is_open_on(
        today
    ):
        raise ValidationError(_("This questionnaire is not open."))
    if questionnaire.anonymous:
        trajectory = None
    elif trajectory is None:
        raise ValidationError(
            _("This questionnaire is not anonymous: open it from the resident's trajectory.")
        )
    token = secrets.token_urlsafe(32)
    lifetime = (
        dt.timedelta(hours=TABLET_HOURS)
        if channel == FeedbackLink.Channel.TABLET
        else dt.timedelta(days=LINK_DAYS)
    )
    FeedbackLink.objects.create(
        questionnaire=questionnaire,
        token_hash=_hash(token),
        channel=channel,
        expires_at=timezone.now() + lifetime,
        created_by=by,
        trajectory=trajectory,
    )
    return token


def link_for(token: str) -> FeedbackLink:
    """The usable link with this token, or LinkProblem saying why not."""
    link = (
        FeedbackLink.objects.select_related("questionnaire").filter(token_hash=_hash(token)).first()
        if token
        else None
    )
    if link is None:
        raise LinkProblem("unknown")
    if link.used:
        raise LinkProblem("used")
    if link.expires_at <= timezone.now():
        raise LinkProblem("expired")
    if not link.questionnaire.is_open_on(timezone.localdate()):
        raise LinkProblem("closed")
    return link


def resident_of(link: FeedbackLink) -> Resident | None:
    """The resident a link was handed to (for the language of their screen), if known."""
    return link.trajectory.resident if link.trajectory is not None else None


def answer_with_link(token: str, raw: Mapping[str, object]) -> Response:
    """Store a resident's answers through a one-time link or the tablet; the link is
    spent in the same transaction, so a second submission changes nothing."""
    with transaction.atomic():
        link = link_for(token)
        link = FeedbackLink.objects.select_for_update().get(pk=link.pk)
        if link.used:
            raise LinkProblem("used")
        questionnaire = Questionnaire.objects.select_for_update().get(pk=link.questionnaire_id)
        cleaned = _clean_answers(list(questionnaire.questions.all()), raw)
        link.used = True
        link.save(update_fields=["used"])
        who: dict[str, object] = {}
        if not questionnaire.anonymous:
            who = {"trajectory_id": link.trajectory_id, "handed_out_by_id": link.created_by_id}
        channel = (
            Response.Channel.TABLET
            if link.channel == FeedbackLink.Channel.TABLET
            else Response.Channel.LINK
        )
        return _store(questionnaire, cleaned, channel, **who)


def has_answered_in_portal(questionnaire: Questionnaire, trajectory: Trajectory) -> bool:
    return (
        ResidentParticipation.objects.owned_by(trajectory.resident)
        .filter(questionnaire=questionnaire, trajectory=trajectory)
        .exists()
    )


def answer_in_portal(
    questionnaire: Questionnaire, trajectory: Trajectory, raw: Mapping[str, object]
) -> Response:
    """Store a resident's answers given in Mijn Wat telt, once per trajectory. As with a
    link: an anonymous questionnaire keeps only that they answered (ResidentParticipation,
    no time), never which response is theirs; otherwise the response names the trajectory."""
    today = timezone.localdate()
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if (
            locked.audience != Questionnaire.Audience.RESIDENT
            or locked.organisation_id != trajectory.team.organisation_id
            or not locked.is_open_on(today)
        ):
            raise LinkProblem("closed")
        cleaned = _clean_answers(list(locked.questions.all()), raw)
        try:
            with transaction.atomic():
                ResidentParticipation.objects.create(questionnaire=locked, trajectory=trajectory)
        except IntegrityError:
            raise LinkProblem("used") from None
        who: dict[str, object] = {} if locked.anonymous else {"trajectory_id": trajectory.pk}
        return _store(locked, cleaned, Response.Channel.PORTAL, **who)


# --- Results --------------------------------------------------------------------------

MONTH = "month"
QUARTER = "quarter"


def quarter_of(month: dt.date) -> str:
    return f"{month.year}-K{(month.month - 1) // 3 + 1}"


@dataclass
class Summary:
    """What is shown of one question in one period: everything, or "<10"."""

    question: Question
    period: str
    count: object
    mean: object = None
    distribution: list[tuple[int, object]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    suppressed: bool = False


@dataclass
class PeriodResults:
    period: str
    summaries: list[Summary]


def _month_label(month: dt.date) -> str:
    return f"{month.year}-{month.month:02d}"


def results(questionnaire: Questionnaire, per: str = QUARTER) -> list[PeriodResults]:
    """Per period (newest first), per question: the number of answers, and for scale
    questions the mean and the distribution, for open questions the answers. Months
    and quarters pass `suppress_small_cells` together (a quarter is the sum of its
    months), so switching between them reveals nothing hidden. Open answers are listed
    only per quarter, in alphabetical order, so no list can be subtracted from another
    or matched to a moment."""
    rows = (
        Answer.objects.filter(response__questionnaire=questionnaire)
        .annotate(month=TruncMonth("response__submitted_on"))
        .values("question_id", "month", "scale_value")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, dt.date], dict[int | None, int]] = defaultdict(dict)
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        counts[(row["question_id"], month)][row["scale_value"]] = row["n"]
    questions = list(questionnaire.questions.all())
    months = sorted({m for _q, m in counts})
    quarters = sorted({quarter_of(m) for m in months})
    cells: list[Cell] = []
    groups: list[Group] = []
    for q in questions:
        by_quarter: dict[str, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
        for month in months:
            values = counts.get((q.pk, month), {})
            cells.append(_cell((MONTH, _month_label(month), q.pk), values))
            for value, n in values.items():
                by_quarter[quarter_of(month)][value] += n
        for quarter in quarters:
            cells.append(_cell((QUARTER, quarter, q.pk), by_quarter[quarter]))
            parts = tuple(
                (MONTH, _month_label(m), q.pk) for m in months if quarter_of(m) == quarter
            )
            groups.append(Group((QUARTER, quarter, q.pk), parts))
    shown = suppress_small_cells(Table(tuple(cells), tuple(groups)), THRESHOLD)
    texts = _open_answers(questionnaire, shown) if per == QUARTER else {}
    periods = quarters if per == QUARTER else [_month_label(m) for m in months]
    return [
        PeriodResults(
            period,
            [_summary(q, per, period, shown, texts.get((period, q.pk), [])) for q in questions],
        )
        for period in reversed(periods)
    ]


def _cell(key: tuple[str, str, int], values: Mapping[int | None, int]) -> Cell:
    total = sum(values.values())
    scored = sum(n for v, n in values.items() if v is not None)
    shown: dict[str, object] = {"count": total}
    if scored:
        shown["mean"] = sum(v * n for v, n in values.items() if v is not None) / scored
    for value in range(SCALE[0], SCALE[1] + 1):
        shown[f"n{value}"] = values.get(value, 0)
    # Each answer is one person's (once per period, or a one-time link).
    return Cell(key, residents=total, values=shown)


def _summary(
    question: Question, per: str, period: str, shown: SuppressedTable, texts: list[str]
) -> Summary:
    cell = shown[(per, period, question.pk)]
    if cell.is_suppressed:
        return Summary(question, period, shown.label, suppressed=True)
    values = cell.values
    distribution = []
    if question.kind == Question.Kind.SCALE:
        distribution = [(v, values[f"n{v}"]) for v in range(SCALE[0], SCALE[1] + 1)]
    return Summary(
        question,
        period,
        values["count"],
        mean=values.get("mean") if question.kind == Question.Kind.SCALE else None,
        distribution=distribution,
        texts=texts,
    )


def _open_answers(
    questionnaire: Questionnaire, shown: SuppressedTable
) -> dict[tuple[str, int], list[str]]:
    """Open answers of the quarters whose summary is shown, sorted alphabetically."""
    visible = {
        (cell.key[1], cell.key[2])
        for cell in shown
        if cell.key[0] == QUARTER and not cell.is_suppressed
    }
    if not visible:
        return {}
    texts: dict[tuple[str, int], list[str]] = defaultdict(list)
    answers = Answer.objects.filter(
        response__questionnaire=questionnaire, question__kind=Question.Kind.OPEN
    ).values_list("question_id", "response__submitted_on", "text")
    for question_id, day, text in answers.iterator():
        key = (quarter_of(day), question_id)
        if key in visible and text:
            texts[key].append(text)
    return {key: sorted(values, key=str.casefold) for key, values in texts.items()}

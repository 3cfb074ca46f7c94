"""The monitoring dashboard: aggregate figures for coaches, the organisation and the
municipality. Every number on it passes `suppress_small_cells`; no resident is named."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from wattelt.audit.services import log_access
from wattelt.instrument.models import Domain, Goal, NotFilledIn
from wattelt.organisations.models import District, Membership, Role, Staff, Team
from wattelt.web import StaffRequest

from . import indicators as ind
from .forms import DashboardFilter
from .suppression import Cell, Group, SuppressedTable, Table, combine, suppress_small_cells

BAR_AREA = 300
"""Width of the longest bar in a chart, in SVG units."""


@dataclass(frozen=True)
class Scope:
    """What a user may see on the dashboard, as `Selection` fields."""

    municipality_id: int | None = None
    organisation_id: int | None = None
    team_ids: tuple[int, ...] = ()

    def teams(self) -> QuerySet[Team]:
        teams = Team.objects.all()
        if self.municipality_id is not None:
            teams = teams.filter(organisation__municipality_id=self.municipality_id)
        if self.organisation_id is not None:
            teams = teams.filter(organisation_id=self.organisation_id)
        if self.team_ids:
            teams = teams.filter(pk__in=self.team_ids)
        return teams.order_by("name", "pk")

    def districts(self) -> QuerySet[District]:
        municipalities = self.teams().values("organisation__municipality_id")
        return District.objects.filter(municipality_id__in=municipalities).order_by("name", "pk")


def dashboard_scope(user: Staff) -> Scope | None:
    """The one rule for who sees which figures: the municipality analyst the whole
    municipality of their organisation, the quality officer and the organisation admin
    their organisation, a team coach the teams they coach; anyone else nothing (None)."""
    organisation = user.organisation
    if organisation is not None:
        if user.has_role(Role.Name.MUNICIPALITY_ANALYST):
            return Scope(municipality_id=organisation.municipality_id)
        if user.has_role(Role.Name.QUALITY_OFFICER) or user.has_role(Role.Name.ORGANISATION_ADMIN):
            return Scope(organisation_id=organisation.pk)
    coached = user.memberships.filter(role=Membership.Role.TEAMCOACH)
    team_ids = tuple(sorted(coached.values_list("team_id", flat=True)))
    return Scope(team_ids=team_ids) if team_ids else None


# --- what the page shows --------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    suppressed: bool
    width: int
    y: int


@dataclass(frozen=True)
class Section:
    """One chart and the table with its numbers."""

    id: str
    title: str
    caption: str
    headers: Sequence[str]
    rows: Sequence[tuple[str, Sequence[str]]]
    bars: Sequence[Bar]

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * 28 + 4


def _fmt(value: object, kind: str = "count") -> str:
    if isinstance(value, str):
        return value  # the suppression label
    if not isinstance(value, int | float):
        return "-"
    if kind == "mean":
        return f"{'+' if value > 0 else ''}{number_format(float(value), 1)}"
    if kind == "share":
        return f"{number_format(100 * float(value), 0)}%"
    return number_format(value)


def _bars(shown: SuppressedTable, items: Sequence[tuple[str, tuple[Hashable, ...]]]) -> list[Bar]:
    """Horizontal bars of each cell's count, scaled to the largest shown count."""
    counts = [shown.value(key) for _label, key in items]
    largest = max((c for c in counts if isinstance(c, int)), default=0) or 1
    bars = []
    for n, ((label, _key), count) in enumerate(zip(items, counts, strict=True)):
        suppressed = not isinstance(count, int)
        width = round(BAR_AREA * count / largest) if isinstance(count, int) else 0
        bars.append(Bar(label, _fmt(count), suppressed, width, n * 28 + 2))
    return bars


def _change_cells(prefix: tuple[Hashable, ...], change: ind.Change) -> list[Cell]:
    return [
        Cell.of((*prefix, "pairs"), change.pairs, mean=change.mean),
        Cell.of((*prefix, "improved"), change.improved),
        Cell.of((*prefix, "same"), change.same),
        Cell.of((*prefix, "worse"), change.worse),
    ]


def _change_group(prefix: tuple[Hashable, ...]) -> Group:
    parts = tuple((*prefix, name) for name in ("improved", "same", "worse"))
    return Group((*prefix, "pairs"), parts)


def build_sections(sel: ind.Selection) -> list[Section]:
    """All figures for the selection, suppressed together, as charts with tables."""
    counts = ind.trajectory_counts(sel)
    profile = ind.domain_profile(sel)
    change = ind.paired_change(sel)
    quality = ind.quality_of_life_change(sel)
    goals = ind.goal_attainment(sel)
    keys = {d.domain for p in profile for d in p.domains} | set(change)
    labels = {d.key: d.label for d in Domain.objects.filter(key__in=keys).order_by("catalogue_id")}

    total = counts.trajectories.count
    registration = [
        ("trajectories", _("Trajectories started"), counts.trajectories),
        ("with_start", _("With a start measurement"), counts.with_start),
        ("early", _("Start measurement within 30 days"), counts.start_within_30_days),
        ("follow_up", _("With a follow-up measurement"), counts.with_follow_up),
        ("end", _("With an end measurement"), counts.with_end),
    ]
    cells = [
        Cell.of(("reg", key), fig, share=fig.count / total if total else None)
        for key, _label, fig in registration
    ]
    cells += [Cell.of(("nfi", reason), fig) for reason, fig in counts.not_filled_in.items()]
    groups = []
    for p in profile:
        for d in p.domains:
            prefix = ("dom", p.district_id, d.domain)
            cells.append(Cell.of((*prefix, "chosen"), d.chosen))
            cells.append(Cell.of((*prefix, "prioritised"), d.prioritised))
            cells += [Cell.of((*prefix, band), fig) for band, fig in d.bands.items()]
            # Every confirmed choice has the resident's chip: the bands add up to chosen.
            groups.append(Group((*prefix, "chosen"), tuple((*prefix, b) for b in d.bands)))
    for key, domain_change in change.items():
        cells += _change_cells(("chg", key), domain_change)
        groups.append(_change_group(("chg", key)))
    cells += _change_cells(("qol",), quality)
    groups.append(_change_group(("qol",)))
    cells += [Cell.of(("goal", status), fig) for status, fig in goals.by_status.items()]
    shown = suppress_small_cells(combine(Table(tuple(cells), tuple(groups))))

    sections = [
        Section(
            "registration",
            _("Registration"),
            _("Trajectories started in the period and the measurements recorded for them."),
            [_("Trajectories"), _("Share of trajectories")],
            [
                (
                    label,
                    [
                        _fmt(shown.value(("reg", k))),
                        _fmt(shown.value(("reg", k), "share"), "share"),
                    ],
                )
                for k, label, _fig in registration
            ],
            _bars(shown, [(label, ("reg", k)) for k, label, _fig in registration]),
        ),
        _simple(
            shown,
            "not-filled-in",
            _("Measurements not filled in"),
            _("Records of a measurement not filled in, recorded in the period, by reason."),
            _("Records"),
            [(str(label), ("nfi", value)) for value, label in NotFilledIn.Reason.choices],
        ),
    ]
    band_headers = [_("not going well"), _("going fairly"), _("going well")]
    for p in profile:
        sections.append(
            Section(
                f"district-{p.district_id}",
                _("Life domains in %(district)s") % {"district": p.district},
                _(
                    "How often each life domain was chosen and prioritised in measurements "
                    "in the period, and where the resident placed the chip."
                ),
                [_("Chosen"), _("Prioritised"), *band_headers],
                [
                    (
                        labels.get(d.domain, d.domain),
                        [
                            _fmt(shown.value(("dom", p.district_id, d.domain, col)))
                            for col in ("chosen", "prioritised", *d.bands)
                        ],
                    )
                    for d in p.domains
                ],
                _bars(
                    shown,
                    [
                        (labels.get(d.domain, d.domain), ("dom", p.district_id, d.domain, "chosen"))
                        for d in p.domains
                    ],
                ),
            )
        )
    change_headers = [_("Pairs"), _("Mean change"), _("Improved"), _("Same"), _("Worse")]
    sections.append(
        Section(
            "change",
            _("Change per life domain"),
            _(
                "From the first to the latest measurement, for trajectories whose latest "
                "measurement falls in the period; the chart shows how many improved "
                "(10 points or more)."
            ),
            change_headers,
            [(labels.get(k, k), _change_row(shown, ("chg", k))) for k in change],
            _bars(shown, [(labels.get(k, k), ("chg", k, "improved")) for k in change]),
        )
    )
    sections.append(
        Section(
            "quality-of-life",
            _("Quality of life"),
            _(
                "The quality-of-life grade from the first to the latest measurement "
                "(improved or worse: one grade or more)."
            ),
            change_headers,
            [(_("Quality of life"), _change_row(shown, ("qol",)))],
            _bars(
                shown,
                [
                    (_("Improved"), ("qol", "improved")),
                    (_("Same"), ("qol", "same")),
                    (_("Worse"), ("qol", "worse")),
                ],
            ),
        )
    )
    statuses = [(str(label), ("goal", v)) for v, label in Goal.Status.choices if v != "open"]
    sections.append(
        _simple(
            shown,
            "goals",
            _("Goal attainment"),
            _("Goals whose status was set in the period, by their last status."),
            _("Goals"),
            statuses,
        )
    )
    return sections


def _change_row(shown: SuppressedTable, prefix: tuple[Hashable, ...]) -> list[str]:
    return [
        _fmt(shown.value((*prefix, "pairs"))),
        _fmt(shown.value((*prefix, "pairs"), "mean"), "mean"),
        *(_fmt(shown.value((*prefix, col))) for col in ("improved", "same", "worse")),
    ]


def _simple(
    shown: SuppressedTable,
    id: str,
    title: str,
    caption: str,
    header: str,
    items: Sequence[tuple[str, tuple[Hashable, ...]]],
) -> Section:
    rows = [(label, [_fmt(shown.value(key))]) for label, key in items]
    return Section(id, title, caption, [header], rows, _bars(shown, items))


# --- the page --------------------------------------------------------------------------


@login_required
def dashboard(request: StaffRequest) -> HttpResponse:
    scope = dashboard_scope(request.user)
    if scope is None:
        raise Http404
    teams = list(scope.teams())
    form = DashboardFilter(
        {**DashboardFilter.defaults(), **request.GET.dict()}, scope.districts(), teams
    )
    sections: list[Section] = []
    if form.is_valid():
        data: Mapping[str, object] = form.cleaned_data
        team, district = data["team"], data["district"]
        sel = ind.Selection(
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            municipality_id=scope.municipality_id,
            organisation_id=scope.organisation_id,
            team_ids=(team,) if isinstance(team, int) else scope.team_ids,
            district_ids=(district,) if isinstance(district, int) else (),
            age_group=form.chosen_age_group,
        )
        sections = build_sections(sel)
    log_access(request, "read", "dashboard", "", None, purpose="monitoring")
    return render(
        request,
        "monitoring/dashboard.html",
        {"form": form, "sections": sections, "teams": teams},
    )

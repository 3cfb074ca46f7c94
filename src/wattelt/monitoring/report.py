"""The monitoring report: the suppressed figures of one selection, as sections (a chart
and the table with its numbers). The dashboard, the presentation, the CSV and XLSX
exports and the quarterly PDF all render a `Report`, so they show the same figures; every
number comes from the latest published suppressed cube (`published.published_cube`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wattelt.charts import BarChart, LineChart, Point, bar_chart, line_chart
from wattelt.instrument.models import Domain, Goal, NotFilledIn
from wattelt.organisations.models import District, Municipality, Organisation, Team

from .cube import ALL, REGISTRATION, Area, Cube, Period, Scope
from .published import published_cube
from .suppression import HIDDEN_LABEL, THRESHOLD

AGE_LABELS = {
    "all": gettext_lazy("All ages"),
    "adult": gettext_lazy("Adults (18 and over)"),
    "young": gettext_lazy("Young people (under 18)"),
}


@dataclass(frozen=True)
class Choice:
    """One selection a user can make: a period, an area of their scope, an age group."""

    period: Period
    area: Area = ALL
    age: str = "all"


@dataclass(frozen=True)
class Section:
    """One figure: a chart and the table with its numbers (rows of shown values)."""

    id: str
    title: str
    caption: str
    headers: Sequence[str]
    rows: Sequence[tuple[str, Sequence[str]]]
    chart: BarChart | LineChart

    @property
    def is_line(self) -> bool:
        return isinstance(self.chart, LineChart)

    @property
    def is_district_profile(self) -> bool:
        return self.id.startswith("profile-")

    def all_suppressed(self, threshold: int = THRESHOLD) -> bool:
        """Every cell of the table is hidden ("<10") or empty: nothing to read in it."""
        label = f"<{threshold}"
        values = [v for _label, row in self.rows for v in row]
        return label in values and all(v in (label, HIDDEN_LABEL, "-") for v in values)


@dataclass(frozen=True)
class Report:
    """What a selection shows, and a description of the selection for exports."""

    scope_name: str
    period: Period
    area_name: str
    age_name: str
    sections: Sequence[Section]
    series: Sequence[Section]
    made_on: dt.date
    figures_at: dt.datetime | None = None
    """When the figures were published (taken from the data)."""
    threshold: int = THRESHOLD

    @property
    def all_sections(self) -> list[Section]:
        return [*self.sections, *self.series]

    @property
    def left_out(self) -> list[Section]:
        """District sections a screen leaves out: every cell in them is "<10". (The
        PDF report keeps them, so that it always has the same sections.)"""
        return [
            s for s in self.sections if s.is_district_profile and s.all_suppressed(self.threshold)
        ]

    @property
    def shown_sections(self) -> list[Section]:
        """The sections a screen shows: `sections` without those `left_out`."""
        left_out = {s.id for s in self.left_out}
        return [s for s in self.sections if s.id not in left_out]

    @property
    def folded_sections(self) -> list[tuple[Section, bool]]:
        """`shown_sections`, each with whether a screen opens it: all open, except the
        district sections when there are several (a list of districts to open one by
        one, instead of a page of near-identical charts)."""
        shown = self.shown_sections
        several = sum(s.is_district_profile for s in shown) > 1
        return [(s, not (several and s.is_district_profile)) for s in shown]

    @property
    def figures_as_of(self) -> str:
        if self.figures_at is None:
            return ""
        return timezone.localtime(self.figures_at).strftime("%Y-%m-%d %H:%M")

    @property
    def description(self) -> list[tuple[str, str]]:
        return [
            (_("Scope"), self.scope_name),
            (_("Period"), self.period.label),
            (_("Area"), self.area_name),
            (_("Age group"), self.age_name),
            (_("Made on"), self.made_on.isoformat()),
            (_("Figures as of"), self.figures_as_of),
            (
                _("Suppression"),
                _(
                    "A figure based on fewer than %(n)s residents is shown as “<%(n)s”; "
                    "“×”: hidden to protect other figures. Means and shares are rounded "
                    "half away from zero."
                )
                % {"n": self.threshold},
            ),
        ]


def scope_name(scope: Scope) -> str:
    if scope.municipality_id is not None:
        municipality = Municipality.objects.filter(pk=scope.municipality_id).first()
        return _("Municipality %(name)s") % {"name": municipality.name if municipality else "?"}
    if scope.organisation_id is not None:
        organisation = Organisation.objects.filter(pk=scope.organisation_id).first()
        return organisation.name if organisation else "?"
    names = (
        Team.objects.filter(pk__in=scope.team_ids).order_by("name").values_list("name", flat=True)
    )
    return ", ".join(names)


# --- formatting ---------------------------------------------------------------------------


def rounded(value: float | Decimal, places: int) -> Decimal:
    """`value` rounded half away from zero to `places` decimals (9.45 -> 9.5, -0.25 ->
    -0.3, 90.5 -> 91): the one rounding of every mean and share on the page, in CSV, XLSX
    and PDF (docs/adr/0012). The decimal written out is rounded, not the binary float
    nearest to it, so 0.285 is 0.29."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt(value: object, kind: str = "count") -> str:
    if isinstance(value, str):
        return value  # the suppression label
    if not isinstance(value, int | float):
        return "-"
    if kind == "mean":
        mean = rounded(value, 1)
        return f"{'+' if mean > 0 else ''}{number_format(mean + 0, 1)}"
    if kind == "share":
        return f"{number_format(rounded(100 * Decimal(repr(float(value))), 0), 0)}%"
    return number_format(value)


def point(value: object) -> Point:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Point(value)
    return Point(None, fmt(value))


def share(part: object, whole: object) -> object:
    """A share only when both numbers are shown: a share of a hidden number would
    give the hidden number away."""
    if isinstance(part, int) and isinstance(whole, int) and whole:
        return part / whole
    if isinstance(part, str) or isinstance(whole, str):
        return part if isinstance(part, str) else whole
    return None


# --- building -------------------------------------------------------------------------------


class _Builder:
    def __init__(
        self, cube: Cube, choice: Choice, districts: dict[int, str], teams: dict[int, str]
    ):
        self.cube = cube
        self.choice = choice
        self.districts = districts
        self.teams = teams
        keys = [f.partition(":")[2] for f in cube.families if f.startswith(("dom:", "chg:"))]
        self.labels = {
            d.key: d.label
            for d in Domain.objects.filter(key__in=set(keys)).order_by("catalogue_id")
        }

    def value(
        self,
        family: str,
        item: str = "count",
        name: str = "count",
        *,
        period: int | None = None,
        area: Area | None = None,
    ) -> object:
        key = (
            family,
            item,
            self.choice.period.quarter if period is None else period,
            self.choice.area if area is None else area,
            self.choice.age,
        )
        return self.cube.value(key, name)

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def domains(self, kind: str) -> list[str]:
        return [d for d in self.cube.domains if f"{kind}:{d}" in self.cube.families]

    def bars(self, id: str, title: str, items: Sequence[tuple[str, object]]) -> BarChart:
        return bar_chart(title, [(label, point(v)) for label, v in items], id=id)

    def registration(self) -> Section:
        labels = [
            _("Trajectories started"),
            _("With a start measurement"),
            _("Start measurement within 30 days"),
            _("With a follow-up measurement"),
            _("With an end measurement"),
        ]
        total = self.value("reg:trajectories")
        values = [self.value(f"reg:{item}") for item in REGISTRATION]
        title = _("Registration")
        return Section(
            "registration",
            title,
            _("Trajectories started in the period and the measurements recorded for them."),
            [_("Trajectories"), _("Share of trajectories")],
            [
                (label, [fmt(v), fmt(share(v, total), "share")])
                for label, v in zip(labels, values, strict=True)
            ],
            self.bars("registration", title, list(zip(labels, values, strict=True))),
        )

    def not_filled_in(self) -> Section:
        items = [(str(label), self.value(f"nfi:{v}")) for v, label in NotFilledIn.Reason.choices]
        title = _("Measurements not filled in")
        return Section(
            "not-filled-in",
            title,
            _("Records of a measurement not filled in, recorded in the period, by reason."),
            [_("Records")],
            [(label, [fmt(v)]) for label, v in items],
            self.bars("not-filled-in", title, items),
        )

    def profiles(self) -> list[Section]:
        area = self.choice.area
        areas: list[tuple[Area, str]]
        if area == ALL:
            areas = [
                (("d", d), name) for d, name in self.districts.items() if self.has_profile(("d", d))
            ]
        elif isinstance(area, tuple) and area[0] == "d":
            areas = [(area, self.districts.get(int(area[1]), "?"))]
        else:
            areas = [(area, self.teams.get(int(area[1]), "?"))]  # type: ignore[index]
        band_headers = [_("not going well"), _("going fairly"), _("going well")]
        sections = []
        for place, name in areas:
            domains = self.domains("dom")
            title = _("Life domains in %(district)s") % {"district": name}
            id = f"profile-{place[0]}{place[1]}"  # type: ignore[index]
            sections.append(
                Section(
                    id,
                    title,
                    _(
                        "How often each life domain was chosen and prioritised in measurements "
                        "in the period, and where the resident placed the chip."
                    ),
                    [_("Chosen"), _("Prioritised"), *band_headers],
                    [
                        (
                            self.label(d),
                            [
                                fmt(self.value(f"dom:{d}", col, area=place))
                                for col in ("chosen", "prioritised", "not_good", "fair", "good")
                            ],
                        )
                        for d in domains
                    ],
                    self.bars(
                        id,
                        title,
                        [
                            (self.label(d), self.value(f"dom:{d}", "chosen", area=place))
                            for d in domains
                        ],
                    ),
                )
            )
        return sections

    def has_profile(self, place: Area) -> bool:
        """A district gets a section when any of its figures in the year is not 0."""
        return isinstance(place, tuple) and place[1] in self.cube.profile_districts

    def change_row(self, family: str, period: int | None = None) -> list[str]:
        return [
            fmt(self.value(family, "pairs", period=period)),
            fmt(self.value(family, "pairs", "mean", period=period), "mean"),
            *(fmt(self.value(family, col, period=period)) for col in ("improved", "same", "worse")),
        ]

    def change_headers(self) -> list[str]:
        return [_("Pairs"), _("Mean change"), _("Improved"), _("Same"), _("Worse")]

    def change(self) -> Section:
        domains = self.domains("chg")
        title = _("Change per life domain")
        return Section(
            "change",
            title,
            _(
                "From the first to the latest measurement, for trajectories whose latest "
                "measurement falls in the period; the chart shows how many improved "
                "(10 points or more)."
            ),
            self.change_headers(),
            [(self.label(d), self.change_row(f"chg:{d}")) for d in domains],
            self.bars(
                "change",
                title,
                [(self.label(d), self.value(f"chg:{d}", "improved")) for d in domains],
            ),
        )

    def quality(self) -> Section:
        title = _("Quality of life")
        return Section(
            "quality-of-life",
            title,
            _(
                "The quality-of-life grade from the first to the latest measurement "
                "(improved or worse: one grade or more)."
            ),
            self.change_headers(),
            [(_("Quality of life"), self.change_row("qol"))],
            self.bars(
                "quality-of-life",
                title,
                [
                    (_("Improved"), self.value("qol", "improved")),
                    (_("Same"), self.value("qol", "same")),
                    (_("Worse"), self.value("qol", "worse")),
                ],
            ),
        )

    def goals(self) -> Section:
        items = [
            (str(label), self.value(f"goal:{v}"))
            for v, label in Goal.Status.choices
            if v != Goal.Status.OPEN
        ]
        title = _("Goal attainment")
        return Section(
            "goals",
            title,
            _("Goals whose status was set in the period, by their last status."),
            [_("Goals")],
            [(label, [fmt(v)]) for label, v in items],
            self.bars("goals", title, items),
        )

    # --- per quarter ---

    def quarter_labels(self) -> list[str]:
        return [Period(self.cube.year, q).label for q in self.cube.quarters]

    def series_registration(self) -> Section:
        title = _("Trajectories per quarter")
        started = [self.value("reg:trajectories", period=q) for q in self.cube.quarters]
        early = [self.value("reg:early", period=q) for q in self.cube.quarters]
        return Section(
            "series-registration",
            title,
            _(
                "Trajectories started per quarter, and how many had a start measurement "
                "within 30 days (the registration rate)."
            ),
            [
                _("Trajectories started"),
                _("Start measurement within 30 days"),
                _("Registration rate"),
            ],
            [
                (label, [fmt(s), fmt(e), fmt(share(e, s), "share")])
                for label, s, e in zip(self.quarter_labels(), started, early, strict=True)
            ],
            line_chart(
                title,
                self.quarter_labels(),
                [
                    (_("Trajectories started"), [point(v) for v in started]),
                    (_("Start measurement within 30 days"), [point(v) for v in early]),
                ],
                id="series-registration",
            ),
        )

    def series_quality(self) -> Section:
        title = _("Quality of life per quarter")
        columns = [("improved", _("Improved")), ("same", _("Same")), ("worse", _("Worse"))]
        return Section(
            "series-quality",
            title,
            _(
                "Change in the quality-of-life grade from the first to the latest measurement, "
                "by the quarter of the latest measurement."
            ),
            self.change_headers(),
            [
                (label, self.change_row("qol", period=q))
                for label, q in zip(self.quarter_labels(), self.cube.quarters, strict=True)
            ],
            line_chart(
                title,
                self.quarter_labels(),
                [
                    (name, [point(self.value("qol", item, period=q)) for q in self.cube.quarters])
                    for item, name in columns
                ],
                id="series-quality",
            ),
        )

    def series_goals(self) -> Section:
        title = _("Goal attainment per quarter")
        statuses = [(v, str(label)) for v, label in Goal.Status.choices if v != Goal.Status.OPEN]
        return Section(
            "series-goals",
            title,
            _("Goals whose status was set in the quarter, by their last status in the quarter."),
            [name for _v, name in statuses],
            [
                (label, [fmt(self.value(f"goal:{v}", period=q)) for v, _name in statuses])
                for label, q in zip(self.quarter_labels(), self.cube.quarters, strict=True)
            ],
            line_chart(
                title,
                self.quarter_labels(),
                [
                    (name, [point(self.value(f"goal:{v}", period=q)) for q in self.cube.quarters])
                    for v, name in statuses
                ],
                id="series-goals",
            ),
        )


def build_report(
    scope: Scope,
    choice: Choice,
    districts: Sequence[District],
    teams: Sequence[Team],
    today: dt.date | None = None,
) -> Report:
    """All figures of the selection, suppressed together with every other selection of
    the same scope and year."""
    today = today or timezone.localdate()
    published = published_cube(scope, choice.period.year, today)
    cube = published.cube
    district_names = {d.pk: d.name for d in districts}
    team_names = {t.pk: t.name for t in teams}
    builder = _Builder(cube, choice, district_names, team_names)
    sections: list[Section] = []
    series: list[Section] = []
    if cube.quarters:
        sections = [
            builder.registration(),
            builder.not_filled_in(),
            *builder.profiles(),
            builder.change(),
            builder.quality(),
            builder.goals(),
        ]
        series = [builder.series_registration(), builder.series_quality(), builder.series_goals()]
    area = choice.area
    if area == ALL:
        area_name = _("All districts and teams")
    elif isinstance(area, tuple) and area[0] == "d":
        area_name = _("District %(name)s") % {"name": district_names.get(int(area[1]), "?")}
    else:
        area_name = _("Team %(name)s") % {"name": team_names.get(int(area[1]), "?")}  # type: ignore[index]
    return Report(
        scope_name=scope_name(scope),
        period=choice.period,
        area_name=area_name,
        age_name=str(AGE_LABELS[choice.age]),
        sections=sections,
        series=series,
        made_on=today,
        figures_at=published.built_at,
    )

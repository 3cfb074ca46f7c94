"""Adoption ("blijven gebruiken"): is Wat telt used, per team and per professional, per
month. Figures about professionals, never about residents: no resident's name or id
leaves this package, only counts.

Public API (used by the implementation plan to link its goals to live figures; keep it
stable): `INDICATORS`, `IndicatorValue`, `organisation_value`.

Definitions (the screen shows the same):

* **start_within_14_days** (the key is stored in implementation-plan goals; the figure
  is the registration rate): of the trajectories started in the period, the share with
  a confirmed start measurement within 30 days of the start, the one definition shared
  with monitoring (`wattelt.instrument.figures.registered_in_time`). A trajectory counts
  in the month it started. The 14-day signal (`start_measurement_grace_days`) is the
  reminder to the professional, not a figure.
* **follow_up_on_time**: every confirmed measurement of a trajectory makes a follow-up
  due `follow_up_interval_months` (the organisation's setting) later, when the
  trajectory is still open on that due date. It was on time when a later confirmed
  measurement of the trajectory is dated no later than the due date plus
  `FOLLOW_UP_TOLERANCE_DAYS`. It counts in the month of its due date, once the
  tolerance has passed. A record of "not filled in" does not count as on time; it is
  counted by reason.
* **end_measurement**: of the trajectories closed in the period, the share with a
  confirmed end measurement or a recorded reason why it was not filled in.
* **professional_view_used** / **carer_view_used**: of the confirmed measurements in the
  period, the share in which at least one professional's (carer's) chip was placed.
  Only for views the organisation's policy offers; otherwise not measured (None).
* **goals_per_measurement**: goals stated in the confirmed measurements of the period,
  divided by those measurements.

Figures per professional are by the trajectory's responsible professional, figures per
team by the trajectory's team. The counts are kept on write in the adoption summary
(`summary`: per trajectory its facts, summed per team, professional and day and per
month, in the same transaction as every change); the page reads only those sums, at
most teams x professionals x months rows, whatever the number of trajectories, and
sums them in Python. Calendar-month arithmetic for due dates is done on month numbers
(year * 12 + month) and days, exactly, in SQL (see ADR 0006).

The modules: `months` (calendar arithmetic), `indicators` (what each figure counts),
`summary` (the counts kept on write), `counts`
(reading them), `access` (who sees what), `lights` (the phases' traffic
lights), `report` (what the page shows) and `page` (how the screen shows it).
"""

from .access import AdoptionAccess, adoption_access, detail_teams, professionals_of
from .counts import adoption_counts, organisation_value
from .indicators import INDICATORS, Counts, IndicatorValue
from .lights import Threshold, traffic_light
from .months import Month
from .report import adoption_report, complete_months, window

__all__ = [
    "INDICATORS",
    "AdoptionAccess",
    "Counts",
    "IndicatorValue",
    "Month",
    "Threshold",
    "adoption_access",
    "adoption_counts",
    "adoption_report",
    "complete_months",
    "detail_teams",
    "organisation_value",
    "professionals_of",
    "traffic_light",
    "window",
]

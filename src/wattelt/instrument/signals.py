"""What the instrument tells the apps built on it, without knowing them.

Sent synchronously inside the sender's transaction; receivers connect in their own
AppConfig.ready() (`receivers.py`), so a failing receiver rolls back the whole action.
"""

from django.dispatch import Signal

# A measurement was confirmed (`measurement`), also as the new version of a correction.
# Monitoring derives the trajectory's summary rows again.
measurement_confirmed = Signal()

# A confirmed measurement was corrected (`measurement`: the new version, whose `corrects`
# is the old one); sent after `measurement_confirmed` for the same new version.
measurement_corrected = Signal()
# A progress note set a goal's status (`goal`, with `status`) between measurements.
# Monitoring counts the status like one set at a measurement.
goal_status_set = Signal()

# A measurement was recorded as not filled in (`record`, a NotFilledIn). Monitoring notes
# that the figures of the record's year changed.
not_filled_in = Signal()

# An import loaded confirmed measurements set-based (`trajectory_ids`: the trajectories
# they belong to; optionally `trajectories`, a queryset of the same trajectories for
# receivers that work set-based), without `measurement_confirmed` per measurement.
measurements_loaded = Signal()

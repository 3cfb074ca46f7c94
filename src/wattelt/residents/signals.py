"""What the residents app tells the apps built on it, without knowing them.

Receivers connect in their own AppConfig.ready() (`receivers.py`). Signals are sent
synchronously inside the sender's transaction: a receiver that fails rolls back the whole
action, as a direct call did.
"""

from django.dispatch import Signal

# A trajectory was opened (`trajectory`). The instrument sets its first due date,
# monitoring counts it.
trajectory_opened = Signal()

# A trajectory is about to close (`trajectory`, locked for update). A receiver refuses
# outright by raising ValidationError, or returns the reasons why it may not close yet
# (an empty list: go ahead); closing is refused with all reasons together.
trajectory_closing = Signal()

# A trajectory was closed (`trajectory`), sent after its closing fields are saved.
# Notifications put a message in the outbox.
trajectory_closed = Signal()

# Another professional of the team was made responsible for a trajectory (`trajectory`).
# The adoption summary counts the trajectory for them from now on.
responsible_assigned = Signal()

# The resident gave consent to share (`consent`), or withdrew it (`consent`, with its
# `withdrawn_at` set). Notifications put a message in the outbox.
consent_given = Signal()
consent_withdrawn = Signal()

"""What the privacy app tells the apps built on it, without knowing them.

Sent synchronously inside the sender's transaction; receivers connect in their own
AppConfig.ready() (`receivers.py`).
"""

from django.dispatch import Signal

# A resident was anonymised (`resident_id`); their birth date now keeps only its year.
# Monitoring derives the summary rows of their trajectories again.
resident_anonymised = Signal()

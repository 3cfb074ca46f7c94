"""Demo data (`data.py`) and `manage.py seed_demo`. Part of the composition root: it
uses every app, so no app imports it."""

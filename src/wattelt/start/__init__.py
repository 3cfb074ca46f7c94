"""Start pages: one click from login to the day's work, per role (issue 13).

Part of the composition root (docs/architecture.md): the start page puts together the
work of several apps (the professional's due measurements, the coach's team, the
privacy officer's open requests), so it may read any of them and none reads it."""

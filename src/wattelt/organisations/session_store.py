"""The session store (settings.SESSION_ENGINE): Django's database sessions, with the one
read every request makes written out.

Loading a session through the ORM (`Session.objects.get(...)`) cost ~0.7 ms of CPU per
request, of which ~0.55 ms was building the query; the same SELECT written out costs
0.16 ms.

Every request renews the idle limit (SESSION_SAVE_EVERY_REQUEST). A session whose data
did not change is written again only when its stored expiry is `RENEW_AFTER_SECONDS`
old: a professional's pages in a conversation come seconds apart, and each write was an
UPDATE in a transaction of its own (~1-2 ms of CPU and three round trips). The idle
limit is then 30 minutes after a request, at most a minute less. Everything else
(saving changed data, the new key after login, deleting, expiry on the cookie) is
Django's own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import dateparse, timezone

RENEW_AFTER_SECONDS = 60


class SessionStore(DatabaseSessionStore):
    stored_expiry: dt.datetime | None = None
    """The expiry of the session as loaded (None: not loaded, or not stored yet)."""

    def load(self) -> dict[str, Any]:
        """As Django's: the data of the session with this key if it has not expired;
        else an empty session without a key (saving it makes a new one)."""
        model = self.model
        connection = connections[router.db_for_read(model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data, expire_date FROM {model._meta.db_table}"
                " WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        data: dict[str, Any] = self.decode(row[0])
        self.stored_expiry = _aware(row[1])
        return data

    def save(self, must_create: bool = False) -> None:
        if must_create or self.modified or not self._renewed_lately():
            super().save(must_create=must_create)
            self.stored_expiry = self.get_expiry_date()

    def _renewed_lately(self) -> bool:
        if self.session_key is None or self.stored_expiry is None:
            return False
        renewed = self.get_expiry_date() - self.stored_expiry
        return renewed < dt.timedelta(seconds=RENEW_AFTER_SECONDS)


def _aware(value: dt.datetime | str) -> dt.datetime:
    """A stored expiry as an aware datetime (SQLite gives text in UTC, PostgreSQL a
    datetime)."""
    moment = dateparse.parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        raise ValueError(f"not a stored expiry: {value!r}")
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)

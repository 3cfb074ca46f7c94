"""The failover drill (issue 16.6): the primary dies, the standby is promoted, and the app
follows without a restart because DATABASE_URL names both servers.

    make failover-drill

runs, inside bin/with-postgres and bin/with-replica (a primary and a streaming standby
made with pg_basebackup -R),

    python -m bench.failover_drill

1. runs with DATABASE_URL naming both servers (the Makefile sets it), libpq's multi-host
   form with target_session_attrs=read-write (settings parse it: HOST and PORT become
   lists) and without DATABASE_REPLICA_URL;
2. migrates (on the primary: the standby is read-only), logs a session in (sessions are
   rows in the database, nothing on the app server's disk) and waits until the standby
   has replayed it;
3. kills the primary (pg_ctl stop -m immediate) and, 2 s later, promotes the standby
   (pg_ctl promote);
4. meanwhile, in the same process, as requests do (Django closes a connection that fails
   its health check at the start of a request), tries every 100 ms to read the session
   and write a new one: refused while the primary is dead and the standby read-only,
   then served by the promoted standby. Prints the failed attempts, how long after the
   promotion the app followed, and which server answered; fails above 10 s.

Exits 1 when a check fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from bench import setup_django

PRIMARY_PORT = os.environ.get("WATTELT_PG_PORT", "")
STANDBY_PORT = os.environ.get("WATTELT_PG_REPLICA_PORT", "")
RECOVERY_LIMIT_SECONDS = 10.0
PROMOTE_AFTER_SECONDS = 2.0


def pg_ctl(*args: str) -> None:
    owner = os.environ.get("WATTELT_PG_OWNER", "").split()
    pg_bin = os.path.dirname(os.path.realpath(os.path.join(os.environ["WATTELT_PG_BIN"], "pg_ctl")))
    subprocess.run([*owner, os.path.join(pg_bin, "pg_ctl"), *args], check=True, capture_output=True)


def main() -> int:
    if not (PRIMARY_PORT and STANDBY_PORT):
        print("run me as: bin/with-postgres bin/with-replica python -m bench.failover_drill")
        return 2
    expected = f"127.0.0.1:{PRIMARY_PORT},127.0.0.1:{STANDBY_PORT}/"
    if expected not in os.environ.get("DATABASE_URL", ""):
        print(f"DATABASE_URL must name both servers: postgres://wattelt@{expected}postgres?...")
        return 2
    setup_django()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import DatabaseError, close_old_connections, connection

    def server_port() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT inet_server_port()")
            return int(cursor.fetchone()[0])

    call_command("migrate", verbosity=0)
    session = SessionStore()
    session["drill"] = "before the failover"
    session.create()
    print(f"session written on port {server_port()} (primary {PRIMARY_PORT})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    import psycopg

    standby = f"postgresql://wattelt@127.0.0.1:{STANDBY_PORT}/postgres"
    with psycopg.connect(standby, autocommit=True) as check:
        replayed = "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn"
        while check.execute(replayed, [lsn]).fetchone() != (True,):
            time.sleep(0.05)

    killed = time.monotonic()
    pg_ctl("-D", os.path.join(os.environ["WATTELT_PG_DIR"], "data"), "-m", "immediate", "stop")
    print("primary killed (pg_ctl stop -m immediate)")
    promoted: list[float] = []

    def promote_later() -> None:  # the database team's decision takes a while
        time.sleep(PROMOTE_AFTER_SECONDS)
        pg_ctl("-D", os.path.join(os.environ["WATTELT_PG_REPLICA_DIR"], "data"), "-w", "promote")
        promoted.append(time.monotonic())
        print(f"standby promoted {promoted[0] - killed:.2f} s after the primary died")

    promoter = threading.Thread(target=promote_later)
    promoter.start()
    attempts = failures = 0
    while True:
        attempts += 1
        close_old_connections()  # what Django does when a request starts
        try:
            found = SessionStore(session_key=session.session_key).load()
            after = SessionStore()
            after["drill"] = "after the failover"
            after.create()
            port = server_port()
            break
        except DatabaseError as error:
            failures += 1
            if failures in (1, 10, 100):
                print(f"attempt {attempts}: {type(error).__name__}: {str(error).splitlines()[0]}")
            if time.monotonic() - killed > 60:
                print("!!! the app did not reach the promoted standby within 60 s")
                return 1
            time.sleep(0.1)
    done = time.monotonic()
    promoter.join()
    recovered = done - promoted[0]
    ok = (
        found.get("drill") == "before the failover"
        and str(port) == STANDBY_PORT
        and recovered <= RECOVERY_LIMIT_SECONDS
    )
    print(
        f"session read and written again on port {port} (the promoted standby) "
        f"{recovered:.2f} s after the promotion ({done - killed:.2f} s after the primary died); "
        f"{failures} failed attempts of {attempts} (every 100 ms, no restart); "
        f"the session from before the failover: {'found' if found else 'LOST'}"
    )
    print("failover drill: " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

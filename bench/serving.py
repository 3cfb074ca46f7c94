"""Gunicorn in production mode for the load run and the fault drill: the committed
deploy/gunicorn.conf.py, debug off, static files collected into a scratch folder.

Used inside bin/with-postgres (DATABASE_URL set); the caller owns the process group it
starts and stops it with `stop`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


class Server:
    """One gunicorn master (and its workers) on 127.0.0.1:port, in its own process group
    so that stopping it takes every worker along (as systemd's KillMode=control-group)."""

    def __init__(self, port: int, workers: int, threads: int = 1) -> None:
        self.port = port
        self.workers = workers
        self.threads = threads
        self.base = f"http://127.0.0.1:{port}"
        self.static_root = tempfile.mkdtemp(prefix="wattelt-bench-static-")
        self.process: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "WATTELT_DEBUG": "0",
            # The sessions made in this process must be valid in the server's.
            "WATTELT_SECRET_KEY": settings.SECRET_KEY,
            "WATTELT_BIND": f"127.0.0.1:{self.port}",
            "WATTELT_WORKERS": str(self.workers),
            "WATTELT_THREADS": str(self.threads),
            "WATTELT_ALLOWED_HOSTS": "127.0.0.1",
            "WATTELT_SSL_REDIRECT": "0",
            "WATTELT_SECURE_COOKIES": "0",
            "WATTELT_LOG_LEVEL": "WARNING",
            "WATTELT_STATIC_ROOT": self.static_root,
        }

    def collect_static(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=self.environment(),
            check=True,
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=self.environment(),
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def master(self) -> int:
        assert self.process is not None, "the server is not started"
        return self.process.pid

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.master}/task/{self.master}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/health/ready", timeout=2) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def wait_ready(self, limit: float = 90.0) -> float:
        begin = time.monotonic()
        while not self.ready():
            if time.monotonic() - begin > limit:
                raise SystemExit(f"bench: gunicorn did not become ready in {limit:.0f} s")
            time.sleep(0.1)
        return time.monotonic() - begin

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        """Signal the master and every worker of its group, and wait until the master and
        the workers are gone (an orphaned worker would keep the port)."""
        if self.process is None:
            return
        group = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, sig)
        self.process.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and group_alive(group):
            time.sleep(0.05)

    def stop(self) -> None:
        self.kill_group(signal.SIGTERM)
        self.process = None
        shutil.rmtree(self.static_root, ignore_errors=True)


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (field 3 onwards)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return text.rsplit(")", 1)[1].split()


def cpu_seconds(root: int) -> float:
    """CPU time of a process tree: every live process under `root` (user + system) plus
    what `root` collected from children that ended (a recycled gunicorn worker, a closed
    PostgreSQL backend). Other processes on the machine do not count."""
    fields = _stat(root)
    if not fields:
        return 0.0
    ticks = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    children = Path(f"/proc/{root}/task/{root}/children")
    pending = [int(p) for p in children.read_text().split()] if children.exists() else []
    while pending:
        pid = pending.pop()
        child = _stat(pid)
        if child:
            ticks += int(child[11]) + int(child[12])
            grandchildren = Path(f"/proc/{pid}/task/{pid}/children")
            if grandchildren.exists():
                pending += [int(p) for p in grandchildren.read_text().split()]
    return ticks / CLOCK_TICKS


def postmaster_pid() -> int | None:
    """The PostgreSQL server of bin/with-postgres (its postmaster.pid), if any."""
    folder = os.environ.get("WATTELT_PG_DIR")
    if not folder:
        return None
    try:
        return int(Path(folder, "data", "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None

"""A throwaway PostgreSQL: Debian's initdb and postgres in a temporary folder, on a free loopback port.

For the tests (tests/conftest.py, a database per test), the scale-out bench and ``plant-copilot scale-out
--postgres``: no system service, nothing kept. The server runs as a child of the process that starts it (as
``nobody`` when that is root: PostgreSQL refuses to run as root), with its unix socket in its own folder; it
is stopped at the end, and the kernel sends it SIGINT (a fast shutdown) should its parent die first.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import psycopg

from simulator.process import die_with_parent

USER = "copilot"  # the database superuser initdb makes (trust authentication, loopback and socket only)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries here, or the server did not start; the message says which and what to do."""


def binaries() -> Path | None:
    """The newest installed Debian PostgreSQL's bin folder (/usr/lib/postgresql/N/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


@dataclass(frozen=True)
class Server:
    """A running throwaway server on loopback at ``port``: its URLs and fresh databases."""

    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def running_postgres(port: int, *, start_timeout_s: float = 60.0) -> Iterator[Server]:
    """A throwaway server on ``port`` until the block ends, then stopped and its folder removed;
    PostgresUnavailable when it is not installed or does not start."""
    bin_dir = binaries()
    if bin_dir is None:
        raise PostgresUnavailable("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
                                  "`make system` installs Debian's package")
    work = Path(tempfile.mkdtemp(prefix="copilot-pg-"))
    run_as = {}
    if os.geteuid() == 0:  # initdb and postgres refuse root: the folder and the server are nobody's
        nobody = pwd.getpwnam("nobody")
        os.chown(work, nobody.pw_uid, nobody.pw_gid)
        run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
    data, log = work / "data", work / "server.log"
    try:
        done = subprocess.run([str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8",
                               "--no-sync", "--no-instructions"], capture_output=True, text=True, cwd=work,
                              **run_as)
        if done.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {done.stderr.strip()[-2000:]}")
        with open(log, "w") as out:
            if run_as:
                os.chown(log, run_as["user"], run_as["group"])
            proc = subprocess.Popen(
                [str(bin_dir / "postgres"), "-D", str(data), "-k", str(work), "-h", "127.0.0.1", "-p", str(port),
                 "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                 "-c", "max_connections=200"],
                stdout=out, stderr=subprocess.STDOUT, cwd=work, preexec_fn=partial(die_with_parent, signal.SIGINT),
                **run_as)
        server = Server(port)
        try:
            _wait_until_ready(proc, server, log, start_timeout_s)
            yield server
        finally:
            proc.send_signal(signal.SIGINT)  # fast shutdown: open sessions are ended
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _wait_until_ready(proc: subprocess.Popen, server: Server, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise PostgresUnavailable(f"postgres exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            psycopg.connect(server.url(), connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            time.sleep(0.2)
    proc.kill()
    raise PostgresUnavailable(f"postgres did not accept connections within {timeout_s:g} s: {log.read_text()[-2000:]}")

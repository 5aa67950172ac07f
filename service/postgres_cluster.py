"""A throwaway PostgreSQL cluster from the installed server binaries: for the tests and the sync
benchmark.

initdb refuses to run as root: as root, the cluster belongs to (and runs as) the ``postgres`` system
user that Debian's package creates. The tests connect through a Unix socket in the cluster's folder.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda folder: int(Path(folder).parent.name))
    return Path(folders[-1]) if folders and (Path(folders[-1]) / "initdb").exists() else None


@dataclass
class PostgresCluster:
    socket_dir: Path
    port: int
    user: str = "workdiary"
    _databases: int = field(default=0, init=False)

    def create_database(self) -> str:
        """A new empty database; its SQLAlchemy URL."""
        self._databases += 1
        name = f"test_{self._databases}"
        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://{self.user}@/{name}?host={self.socket_dir}&port={self.port}"

    def drop_database(self, url: str) -> None:
        """Drop a database made by create_database, closing its connections (a database gone away)."""
        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)')

    def _conninfo(self, database: str) -> str:
        return f"host={self.socket_dir} port={self.port} user={self.user} dbname={database}"


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    binaries = server_binaries()
    if binaries is None:
        raise FileNotFoundError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
    # Under /tmp itself: pytest's own temporary folders are root's alone, which postgres cannot enter.
    directory = Path(tempfile.mkdtemp(prefix="workdiary-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(directory, account.pw_uid, account.pw_gid)
        # runuser lives in /usr/sbin, which a plain user's PATH (/usr/bin:/bin) leaves out
        runuser = shutil.which(
            "runuser", path=f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin{os.pathsep}/sbin"
        )
        if runuser is None:
            raise FileNotFoundError(
                "runuser (util-linux) is missing: root cannot start PostgreSQL as postgres"
            )
        run_as = [runuser, "-u", "postgres", "--"]
    data = directory / "data"
    cluster = PostgresCluster(directory, _free_port())
    options = f"-k {directory} -p {cluster.port} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-w"]
    try:
        _run(
            [
                *run_as,
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                cluster.user,
                "-A",
                "trust",
                "--no-sync",
            ]
        )
        _run([*pg_ctl, "-l", str(directory / "server.log"), "-o", options, "start"])
        try:
            yield cluster
        finally:
            _run([*pg_ctl, "-m", "immediate", "stop"])
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _run(command: list[str]) -> None:
    # In a session of its own: a Ctrl-C at a terminal does not stop the server behind its owner's back.
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=60, check=False, start_new_session=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

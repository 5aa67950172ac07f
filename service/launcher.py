"""A contract service in a child process, for ``make run`` and the app's memory benchmark."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from common.wire import API_PREFIX

START_TIMEOUT_S = 30


class ServiceDidNotStart(RuntimeError):
    pass


def answers(url: str) -> bool:
    """Whether a Workdiary contract service answers at ``url``."""
    try:
        with urllib.request.urlopen(f"{url}{API_PREFIX}/openapi.json", timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def serve_in_background(
    host: str,
    port: int,
    *,
    demo: bool = False,
    folder: Path | None = None,
    options: Sequence[str] = (),
    program: Sequence[str] = (sys.executable, "-m", "service"),
) -> subprocess.Popen:
    """``workdiary-service serve`` (with ``--demo``: its demo data first; ``options``: more of serve's
    options) until it answers; its database and images in ``folder``, or in the service's default place.
    ``program`` is the command line that runs workdiary-service (by default this Python's service)."""
    command = list(program)
    if folder is not None:
        command += [
            "--database-url",
            f"sqlite:///{folder / 'service.sqlite3'}",
            "--storage-dir",
            str(folder / "blobs"),
        ]
    command += ["serve", "--host", host, "--port", str(port), *options] + (["--demo"] if demo else [])
    process = subprocess.Popen(command)
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while not answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.terminate()
            process.wait()
            raise ServiceDidNotStart(f"The contract service did not start on {url}; see its messages above.")
        time.sleep(0.1)  # a launcher waiting for its child process to listen
    return process

"""``make run``: the app on its defaults, signed in to a local contract service with demo data.

Starts ``workdiary-service serve --demo`` on 127.0.0.1:8765 (unless a service already answers
there), signs the app in as the demo freelancer, runs the app, and stops the service it started
when the app quits. The token goes to the OS keyring; where there is none it is handed to the app
in its environment (``WORKDIARY_TOKEN``), never written to a file.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from common.errors import EnvironmentProblem
from service import local
from sync import credentials
from sync.client import ServiceClient
from tracker.paths import default_data_dir
from tracker.settings import load_settings, save_settings
from tracker.storage import Database

HOST, PORT = "127.0.0.1", 8765
URL = f"http://{HOST}:{PORT}"
DEMO_EMAIL, DEMO_PASSWORD = "demo@workdiary.test", "demo-password"
DEMO_CONTRACT = "Website rebuild"  # this computer's demo week; the other computer logs the rest


def start_service() -> subprocess.Popen | None:
    """The demo service, or None when one already listens."""
    if local.answers(URL):
        print(f"Using the contract service already at {URL}.")
        return None
    with socket.socket() as probe:
        if probe.connect_ex((HOST, PORT)) == 0:
            sys.exit(f"Port {PORT} is taken by something that is not a Workdiary service; free it first.")
    try:
        return local.serve_in_background(HOST, PORT, demo=True)
    except local.ServiceDidNotStart as problem:
        sys.exit(str(problem))


def sign_in(data_dir: Path) -> dict[str, str]:
    """Signs the app in (and on a data folder with no time yet, logs a demo week of this
    computer's work); returns what the app's environment needs besides (the token, when there
    is no keyring to keep it)."""
    signed = ServiceClient(URL).sign_in(DEMO_EMAIL, DEMO_PASSWORD, f"{socket.gethostname()} (demo)")
    database = Database(data_dir)
    try:
        settings = load_settings(database)
        save_settings(database, replace(settings, service_url=URL, account_email=DEMO_EMAIL))
        seed_first_week(database, ServiceClient(URL, signed.token))
    finally:
        database.close()
    try:
        credentials.save_token(URL, signed.token)
    except EnvironmentProblem as missing:
        print(f"{missing} The demo hands the token to the app for this run only.")
        return {credentials.TOKEN_VARIABLE: signed.token}
    return {}


def seed_first_week(database: Database, client: ServiceClient) -> bool:
    """On a data folder without any time: the service's contracts and the other computer's
    blocks first (a sync pass), then this computer's demo week on “Website rebuild”, which the
    app sends on its first pass. Whether it was seeded."""
    from PySide6.QtGui import QGuiApplication  # the demo's screenshots are rendered with Qt
    from sqlalchemy import select

    from common.timeutil import SystemClock, local_zone
    from sync.worker import Syncer
    from tracker.demo.week import seed_this_computer
    from tracker.diary import Diary
    from tracker.tables import blocks

    with database.transaction() as connection:
        if connection.scalar(select(blocks.c.id).limit(1)) is not None:
            return False
    diary = Diary(database)
    clock = SystemClock()
    Syncer(database, client, clock, timedelta(0)).run_once()
    site = next((c for c in diary.contracts() if c.title == DEMO_CONTRACT), None)
    if site is None:
        return False
    application = QGuiApplication.instance() or QGuiApplication(["workdiary-demo"])  # noqa: F841
    print("Logging a demo week of this computer's work (the first run only)…")
    seed_this_computer(database, site.id, clock.now(), local_zone())
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="the app's data folder")
    args, app_args = parser.parse_known_args()
    data_dir = args.data_dir or default_data_dir()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))  # runs the cleanup below
    children = []
    try:
        service = start_service()
        children.append(service)
        environment = os.environ | sign_in(data_dir)
        print(f"Signed in to {URL} as {DEMO_EMAIL} (password {DEMO_PASSWORD}).")
        data_args = ["--data-dir", str(args.data_dir)] if args.data_dir else []
        app = subprocess.Popen([sys.executable, "-m", "ui.app", *data_args, *app_args], env=environment)
        children.insert(0, app)  # the app stops first: it quits cleanly, saving its open block
        return app.wait()
    finally:
        for child in children:
            if child is not None and child.poll() is None:
                child.terminate()
                child.wait()


if __name__ == "__main__":
    sys.exit(main())

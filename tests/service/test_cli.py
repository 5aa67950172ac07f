"""The admin command line, run as the admin runs it (python -m service) on a SQLite file."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from service import migrations
from service.database import Database
from service.local import free_port, serve_in_background
from service.models import Contract, SignInFailure, User


@pytest.fixture
def run(tmp_path: Path):
    environment = {
        **os.environ,
        "WORKDIARY_SERVICE_DATABASE_URL": f"sqlite:///{tmp_path / 'service.sqlite3'}",
        "WORKDIARY_SERVICE_STORAGE_DIR": str(tmp_path / "blobs"),
    }

    def run(command: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "service", *shlex.split(command)],
            input=password,
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
            check=False,
        )

    return run


def rows(tmp_path: Path, model: type) -> list:
    database = Database(f"sqlite:///{tmp_path / 'service.sqlite3'}")
    try:
        with database.reading() as session:
            return list(session.scalars(select(model)))
    finally:
        database.close()


def test_users_and_a_contract_are_created(run, tmp_path: Path) -> None:
    freelancer = run(
        "create-user --email Ann@Example.test --name Ann --role freelancer --password-stdin", "long enough\n"
    )
    client = run(
        "create-user --email cara@example.test --name Cara --role client --password-stdin", "long enough\n"
    )
    contract = run(
        "create-contract --title Website --freelancer ann@example.test --client cara@example.test "
        "--rate 52.50 --currency eur --weekly-limit 12.5 --no-manual-time --grace-hours 24"
    )

    assert (freelancer.returncode, client.returncode, contract.returncode) == (0, 0, 0), contract.stderr
    assert freelancer.stdout.startswith("Created freelancer ann@example.test (")
    stored = rows(tmp_path, Contract)[0]
    assert (stored.title, stored.hourly_rate_cents, stored.currency, stored.weekly_limit_minutes) == (
        "Website",
        5250,
        "EUR",
        750,
    )
    assert (stored.manual_time_allowed, stored.screenshots_enabled, stored.grace_hours) == (False, True, 24)
    listed = run("list-contracts").stdout
    assert "Website\tann@example.test → cara@example.test\thourly\tactive\t52.50 EUR\t12.5 h/week" in listed
    assert run("list-users").stdout.splitlines()[0].startswith("ann@example.test\tfreelancer\tAnn\t")


def test_the_demo_data_set_is_seeded_once(run, tmp_path: Path) -> None:
    first, second = run("demo"), run("demo")

    assert (first.returncode, second.returncode) == (0, 0)
    assert "Demo data added." in first.stdout
    assert "nothing changed" in second.stdout
    assert "demo@workdiary.test" in first.stdout and "demo-password" in first.stdout
    users, contracts = rows(tmp_path, User), rows(tmp_path, Contract)
    assert len(users) == 5
    assert sorted((contract.title, contract.kind, contract.status) for contract in contracts) == [
        ("Backend API", "hourly", "active"),
        ("Chatbot prototype", "hourly", "declined"),
        ("Data migration", "hourly", "ended"),
        ("Landing page A/B test", "hourly", "paused"),
        ("Logo design", "fixed", "active"),
        ("Mobile app QA", "hourly", "active"),
        ("Newsletter templates", "hourly", "offered"),
        ("SEO audit", "hourly", "withdrawn"),
        ("Support desk", "hourly", "active"),
        ("Website rebuild", "hourly", "active"),
    ]


def test_migrate_brings_a_new_database_to_the_newest_revision_and_then_changes_nothing(
    run, tmp_path: Path
) -> None:
    first, second = run("migrate"), run("migrate")

    assert (first.returncode, second.returncode) == (0, 0)
    assert f"to revision {migrations.HEAD}" in first.stderr
    assert "migrating" not in second.stderr
    assert rows(tmp_path, User) == []  # the schema is there


@pytest.mark.parametrize(
    ("command", "code", "message"),
    [
        ("create-user --email a@b.test --name A --role boss", 2, "invalid choice: 'boss'"),
        (
            "create-contract --title T --freelancer a@b.test --client c@d.test --rate lots",
            2,
            "“lots” is not an amount",
        ),
        ("create-contract --title T --freelancer a@b.test --client c@d.test", 1, "There is no user a@b.test"),
        ("list-everything", 2, "invalid choice: 'list-everything'"),
        (
            "serve --forwarded-allow-ips 10.0.0.1,proxy.local",
            2,
            "“proxy.local” is not an IP address or network such as 10.0.0.1 or 10.0.0.0/8",
        ),
    ],
)
def test_bad_arguments_are_explained_with_a_failing_exit_code(
    run, command: str, code: int, message: str
) -> None:
    result = run(command)

    assert result.returncode == code
    assert message in result.stderr


def test_a_short_password_is_refused(run, tmp_path: Path) -> None:
    result = run("create-user --email a@b.test --name A --role client --password-stdin", "short\n")

    assert result.returncode == 1
    assert "The password needs at least 8 characters." in result.stderr
    assert rows(tmp_path, User) == []


def test_serve_takes_the_clients_address_from_the_proxies_it_is_told_to_trust(tmp_path: Path) -> None:
    port = free_port()
    service = serve_in_background(
        "127.0.0.1", port, folder=tmp_path, options=["--forwarded-allow-ips", "127.0.0.1"]
    )
    try:
        answer = requests.post(
            f"http://127.0.0.1:{port}/api/v1/auth/sign-in",
            json={"email": "ann@example.test", "password": "a guess", "device_name": "Desk"},
            headers={"X-Forwarded-For": "203.0.113.9"},
            timeout=30,
        )
    finally:
        service.terminate()
        service.wait(timeout=30)

    assert answer.status_code == 401
    assert [failure.address for failure in rows(tmp_path, SignInFailure)] == ["203.0.113.9"]

"""``python -m sync``: signing in and out, the status, a pass, and runs killed with SIGKILL."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from subprocess import DEVNULL

import keyring.backends.fail
import pytest

from common.timeutil import WEEK, SystemClock, week_start
from sync import credentials
from sync.cli import main
from sync.worker import Syncer
from tests.helpers.faultproxy import FaultProxy
from tests.helpers.redirect import RedirectElsewhere
from tests.helpers.service import PASSWORD, running_service
from tests.sync.conftest import (
    FREELANCER,
    HOLD,
    DistinctCapturer,
    assert_service_holds_local,
    open_account,
    track_days,
)
from tracker.settings import Settings, load_settings, save_settings

ROOT = Path(__file__).parents[2]


def sync_cli(database, *arguments: str, stdin: str = "") -> int:
    sys.stdin = io.StringIO(stdin)
    try:
        return main(["--data-dir", str(database.data_dir), *arguments])
    finally:
        sys.stdin = sys.__stdin__


def test_sign_in_run_status_and_sign_out(database, account, tracker, clock, memory_keyring, capsys):
    url = account.service.url
    sign_in = ("sign-in", "--service", url, "--email", FREELANCER, "--password-stdin")

    assert sync_cli(database, *sign_in, stdin=PASSWORD + "\n") == 0
    token = credentials.load_token(url)
    assert token and load_settings(database).account_email == FREELANCER
    assert sync_cli(database, "run") == 0  # the contract comes in
    track_days(tracker, clock, account.contract_id, days=1, minutes=20)  # in the past of the real clock
    assert sync_cli(database, "status") == 0
    assert sync_cli(database, "run") == 0
    assert sync_cli(database, "status") == 0
    assert sync_cli(database, "sign-out") == 0

    out = capsys.readouterr().out
    assert f"signed in to {url} as {FREELANCER}" in out
    assert "2 time block(s) and 2 screenshot(s) to send" in out
    assert "sent 2 time block(s) and 2 screenshot(s)" in out
    assert "0 time block(s) and 0 screenshot(s) to send" in out
    assert credentials.load_token(url) is None
    assert sync_cli(database, "run") == 1
    assert "You are not signed in" in capsys.readouterr().err


def test_a_wrong_password_is_refused_with_the_services_reason(database, account, memory_keyring, capsys):
    url = account.service.url

    code = sync_cli(
        database, "sign-in", "--service", url, "--email", FREELANCER, "--password-stdin", stdin="no\n"
    )

    assert code == 1
    assert "The email or the password is wrong." in capsys.readouterr().err
    assert load_settings(database).service_url == ""


def test_sign_in_follows_no_redirect_with_the_password(database, memory_keyring, capsys):
    with RedirectElsewhere() as redirect:
        code = sync_cli(
            database,
            "sign-in",
            "--service",
            redirect.url,
            "--email",
            FREELANCER,
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )

    assert code == 1
    assert f"sent the request on to {redirect.elsewhere}/api/v1/auth/sign-in" in capsys.readouterr().err
    assert redirect.received == []
    assert load_settings(database).service_url == ""
    assert credentials.load_token(redirect.url) is None


def test_without_a_keyring_sign_in_says_so_and_keeps_no_token(database, account, monkeypatch, capsys):
    monkeypatch.delenv(credentials.TOKEN_VARIABLE, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        arguments = ("sign-in", "--service", account.service.url, "--email", FREELANCER, "--password-stdin")
        code = sync_cli(database, *arguments, stdin=PASSWORD + "\n")
    finally:
        keyring.set_keyring(previous)

    assert code == 1
    error = capsys.readouterr().err
    assert "There is no keyring on this computer" in error
    assert "GNOME Keyring or KWallet" in error and "WORKDIARY_TOKEN" in error
    assert load_settings(database).service_url == ""


def test_a_bad_service_address_is_a_usage_error(database, capsys):
    with pytest.raises(SystemExit) as exit_code:
        sync_cli(database, "sign-in", "--service", "ftp://example.test", "--email", FREELANCER)

    assert exit_code.value.code == 2
    assert "Enter the service's address, like https://workdiary.example.com." in capsys.readouterr().err


def test_plain_http_to_another_computer_is_a_usage_error(database, capsys):
    with pytest.raises(SystemExit) as exit_code:
        sync_cli(database, "sign-in", "--service", "http://workdiary.example.test", "--email", FREELANCER)

    assert exit_code.value.code == 2
    assert "Use https:// for a service on another computer" in capsys.readouterr().err


def test_runs_killed_at_random_moments_lose_and_duplicate_nothing(database, make_tracker, clock, tmp_path):
    """SIGKILL during the sync of an offline week, mostly while a request is in flight (held by the
    proxy), sometimes just after the service answered; then a final run finishes the job. The week
    is last week of the real clock, which the command line runs on: every hold period is over."""
    clock.set_wall(week_start(SystemClock().now()) - WEEK + timedelta(hours=9))
    rng = random.Random(20261125)
    with (
        running_service(tmp_path / "service", clock) as handle,
        FaultProxy(handle.url, slow_seconds=60) as proxy,
    ):
        account = open_account(handle)
        Syncer(database, account.client(), clock, HOLD).run_once()  # the contract
        track_days(make_tracker(capturer=DistinctCapturer()), clock, account.contract_id, days=5, minutes=30)
        clock.advance(-20 * 3600)  # Friday afternoon: the week is still open on the service
        save_settings(database, Settings(service_url=proxy.url, account_email=FREELANCER))
        environment = {**os.environ, credentials.TOKEN_VARIABLE: account.token, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "sync", "--data-dir", str(database.data_dir), "run"]

        for round_ in range(6):
            kill_in_flight = round_ % 3 != 2
            if kill_in_flight:
                path = rng.choice(["/api/v1/blocks", "/api/v1/blobs"])
                proxy.set_fault("slow", every=rng.randint(1, 12), path=path)
            run = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=DEVNULL, stderr=DEVNULL)
            moment = _held(proxy) if kill_in_flight else _forwarded(proxy, rng.randint(1, 20))
            assert proxy.wait_until(lambda: run.poll() is not None or moment(), timeout=30)  # noqa: B023
            run.send_signal(signal.SIGKILL)
            run.wait(timeout=30)
            proxy.set_fault(None)

        final = subprocess.run(
            command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=120
        )

        assert final.returncode == 0, final.stderr
        assert_service_holds_local(database, account)
        assert len(handle.stored_blocks()) == 15


def _held(proxy: FaultProxy) -> Callable[[], bool]:
    """Whether a request has been held since now."""
    held = proxy.faulted
    return lambda: proxy.faulted > held


def _forwarded(proxy: FaultProxy, count: int) -> Callable[[], bool]:
    """Whether ``count`` more requests have reached the service (and been answered) since now."""
    forwarded = proxy.forwarded
    return lambda: proxy.forwarded >= forwarded + count

"""``workdiary --self-test`` run for real: ``python -m ui.app --self-test`` in a process of its own on
the session's Xvfb (real Qt, mss, pynput, SQLite, the test keyring of ``child_keyring``), inside a
headless sway (Qt on Wayland, the desktop portal, the compositor's idle protocol) and a headless
GNOME (the portal's permission store, GNOME's idle monitor), without a display,
on a black screen, on a corrupt database, and against the real contract service."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sync import credentials
from tests.helpers.self_test import GNOME_NAMES, TWO_COLOURS, Run, configure, run_self_test_in_sway
from tests.helpers.self_test import run_self_test as self_test_run
from tests.helpers.wayland import USER, gnome_stack, sway_stack
from tracker.capture.portal import not_allowed_note
from tracker.capture.session import WAYLAND, Session
from tracker.migrations import HEAD
from tracker.settings import Settings, save_settings
from tracker.storage import DATABASE_NAME, Database
from ui import self_test

ROOT = Path(__file__).resolve().parents[2]


def run_self_test(data_dir: Path, env: dict) -> Run:
    return self_test_run([sys.executable, "-m", "ui.app"], data_dir, env, cwd=ROOT)


@pytest.fixture
def env(tmp_path, child_keyring):
    """The child's environment: the session's display, the test keyring, its own temporary folder
    (to see that the screenshot files are removed), Qt on its default platform."""
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WORKDIARY_TOKEN", None)
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    return env


@pytest.mark.x11
def test_every_check_passes_in_a_desktop_session(tmp_path, env, something_on_screen):
    data_dir = tmp_path / "data"
    run = run_self_test(data_dir, env)
    assert run.returncode == 0, run
    assert set(run.status().values()) == {"ok", "skip"}, run
    assert run.by_name["Qt platform"].startswith("ok    Qt platform: xcb ("), run
    assert "image formats jpeg" in run.by_name["Qt platform"]
    database = run.by_name["database"]
    assert database == f"ok    database: {data_dir / DATABASE_NAME} (schema {HEAD}, created; intact)", run
    assert run.by_name["session"].startswith("ok    session: X11"), run
    assert run.by_name["session"].endswith(
        "; screenshots: mss; activity: keyboard and mouse events (X11 RECORD)"
    )
    assert run.by_name["screen grab"].startswith("ok    screen grab: 1 monitor 1920×1080 (WebP, "), run
    assert (
        run.by_name["activity"]
        == "ok    activity: keyboard and mouse events (X11 RECORD) started and stopped"
    )
    assert run.by_name["keyring"] == "ok    keyring: keyrings FileKeyring", run
    assert run.by_name["contract service"] == "skip  contract service: not configured"
    assert list((tmp_path / "tmp").iterdir()) == []  # the grab's files are gone

    again = self_test.check_database(data_dir)  # the database is now there, at the newest schema
    assert again == ("database", "ok", f"{data_dir / DATABASE_NAME} (schema {HEAD}, the newest; intact)", "")


def test_in_a_sway_session_it_names_the_wayland_backends_and_every_check_passes():
    """Run inside a headless sway as the session's user: Qt on Wayland, a real portal screenshot of
    a two-colour desktop, the default private apps (none shown), the compositor's idle protocol."""
    run = run_self_test_in_sway([sys.executable, "-m", "ui.app"], PYTHONPATH=str(ROOT))
    assert "private apps" not in run.by_name["screen grab"], run  # sway lists its windows


def test_in_a_sway_session_counts_asked_from_unreadable_input_devices_warn_and_use_the_idle_time():
    """The settings ask for counts from the input devices, and this machine has none."""
    with sway_stack([TWO_COLOURS]) as stack:
        data_dir = stack.folder("data")
        database = Database(data_dir)
        save_settings(database, Settings(count_input_devices=True))
        database.close()
        for path in data_dir.iterdir():
            os.chown(path, USER, USER)
        command = stack.command([sys.executable, "-m", "ui.app"], PYTHONPATH=str(ROOT))
        run = self_test_run(command, data_dir, dict(os.environ), cwd=ROOT)
    assert run.returncode == 0, run
    assert run.by_name["session"].endswith("; activity: the compositor's idle protocol"), run
    assert run.by_name["activity"] == (
        "warn  activity: Keys and clicks cannot be counted: no keyboard or mouse found in /dev/input. "
        "Instead: the compositor's idle protocol (org_kde_kwin_idle) started and stopped — "
        "Connect a keyboard or mouse, or turn off “Count keys and clicks from the input devices” in Settings."
    ), run


def run_in_gnome(screenshot_permission: str) -> Run:
    """The self-test inside a headless gnome-shell (tests/helpers/wayland.py) as the session's user,
    with the portal's screenshot permission preset to ``screenshot_permission``."""
    with gnome_stack(screenshot_permission=screenshot_permission) as stack:
        command = stack.command([sys.executable, "-m", "ui.app"], PYTHONPATH=str(ROOT))
        return self_test_run(command, stack.folder("data"), dict(os.environ), cwd=ROOT, names=GNOME_NAMES)


def test_in_a_gnome_session_it_names_gnomes_backends_and_a_real_portal_screenshot_passes():
    """Qt on Wayland, a real portal screenshot (not black: the overview), GNOME's idle monitor; GNOME
    lists no windows to the app, so the default private apps cannot be recognised."""
    run = run_in_gnome(screenshot_permission="yes")
    assert run.returncode == 0, run
    assert run.by_name["Qt platform"].startswith("ok    Qt platform: wayland ("), run
    assert run.by_name["session"] == (
        "ok    session: Wayland (gnome); screenshots: the desktop portal; "
        "activity: GNOME's idle monitor (org.gnome.Mutter.IdleMonitor)"
    ), run
    assert run.by_name["screenshot permission"] == (
        "ok    screenshot permission: given: GNOME does not ask before a screenshot"
    ), run
    grab = run.by_name["screen grab"]
    assert grab.startswith("warn  screen grab: 1 monitor 1280×720 (WebP, "), run
    assert grab.endswith(
        f"; private apps are not recognised on this system — {self_test.PRIVATE_APPS_FIX}"
    ), run
    assert run.by_name["activity"] == (
        "ok    activity: GNOME's idle monitor (org.gnome.Mutter.IdleMonitor) started and stopped"
    ), run


def test_in_a_gnome_session_that_refused_screenshots_it_says_how_to_allow_them():
    run = run_in_gnome(screenshot_permission="no")
    assert run.returncode == 1, run
    refused = not_allowed_note(Session(WAYLAND, ("gnome",)))
    assert run.by_name["screenshot permission"] == f"FAIL  screenshot permission: {refused}", run
    assert run.by_name["screen grab"] == f"FAIL  screen grab: {refused}", run
    assert run.status()["activity"] == "ok", run


def test_without_a_display_the_display_checks_fail_with_their_fixes(tmp_path, env):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        env.pop(name, None)
    run = run_self_test(tmp_path / "data", env)
    assert run.returncode == 1, run
    assert run.status() == {
        "Qt platform": "FAIL",
        "database": "ok",
        "session": "FAIL",
        "screen grab": "FAIL",
        "activity": "FAIL",
        "keyring": "ok",
        "contract service": "skip",
    }, run
    qt = run.by_name["Qt platform"]
    assert "no Qt platform plugin could start (signal 6)" in qt, run
    assert qt.endswith(" — No display: DISPLAY is not set. " + self_test.DESKTOP_FIX), run
    assert run.by_name["screen grab"] == (
        "FAIL  screen grab: Screenshots cannot be taken: no X display (DISPLAY is not set). — "
        "Run Workdiary inside your desktop session (an X11 session on Linux)."
    )
    assert run.by_name["session"] == (
        "FAIL  session: no desktop session (neither WAYLAND_DISPLAY nor DISPLAY is set) — "
        + self_test.DESKTOP_FIX
    )
    assert run.by_name["activity"] == (
        "FAIL  activity: Input activity cannot be counted: no X display (DISPLAY is not set). — "
        "Run Workdiary inside your desktop session, not from a console or over SSH."
    )


@pytest.fixture
def black_display():
    """A private Xvfb with a black root window and nothing on it. -noreset: by default Xvfb resets
    when its last client leaves (here the Qt probe's), and refuses a connection made meanwhile (the
    input listener's: "Connection reset by peer"), which a desktop with clients never does."""
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "640x480x24", "-br", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        ready, _, _ = select.select([server.stdout], [], [], 20)
        number = server.stdout.readline().decode().strip() if ready else ""
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)
        server.stdout.close()


def test_a_black_screen_fails_the_screen_grab_with_the_cause_and_fix(tmp_path, env, black_display):
    env["DISPLAY"] = black_display
    env.pop("XDG_SESSION_TYPE", None)
    run = run_self_test(tmp_path / "data", env)
    assert run.returncode == 1, run
    assert run.by_name["screen grab"] == (
        "FAIL  screen grab: the screenshot is all black: the screen was black or blank (locked screen, "
        "screen saver or a display that is off) — Unlock the screen and wake the display, then run the "
        "self-test again with a window open."
    ), run
    assert [name for name, status in run.status().items() if status == "FAIL"] == ["screen grab"], run
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_corrupt_database_fails_its_check_and_is_left_as_it_is(tmp_path, env):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = data_dir / DATABASE_NAME
    path.write_bytes(b"this is not a database" * 100)
    run = run_self_test(data_dir, env)
    assert run.returncode == 1, run
    assert run.by_name["database"].startswith(f"FAIL  database: The database {path} cannot be opened ("), run
    assert "It was left as it is: restore it from a backup" in run.by_name["database"]
    assert run.by_name["contract service"] == (
        "skip  contract service: not checked: the settings are in the database, which cannot be opened"
    )
    assert path.read_bytes() == b"this is not a database" * 100
    assert {p.name for p in data_dir.iterdir()} == {DATABASE_NAME, "screenshots"}  # as the app's start


def test_a_data_folder_that_is_a_file_fails_the_database_check(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.write_text("a file")
    check = self_test.check_database(data_dir)
    assert check.status == "FAIL"
    assert check.detail == f"the data folder {data_dir} cannot be created or opened: File exists"
    assert check.fix == self_test.FOLDER_FIX
    assert data_dir.read_text() == "a file"


def test_a_valid_token_is_accepted_by_the_service(tmp_path, env, service):
    service.add_user("ann@example.test")
    env["WORKDIARY_TOKEN"] = service.sign_in("ann@example.test")
    configure(tmp_path / "data", service.url, "ann@example.test")
    run = run_self_test(tmp_path / "data", env)
    assert run.by_name["contract service"] == (
        f"ok    contract service: {service.url} answers; signed in as ann@example.test"
    ), run
    assert (
        run.by_name["keyring"]
        == "ok    keyring: WORKDIARY_TOKEN is set: the token comes from it (keyrings FileKeyring)"
    )


def test_an_unreachable_service_fails_with_a_clear_line(monkeypatch):
    monkeypatch.delenv("WORKDIARY_TOKEN", raising=False)
    with socket.socket() as closed:  # a loopback port nobody listens on
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    check = self_test.check_service(Settings(service_url=url))
    assert self_test.line(check) == (
        f"FAIL  contract service: The contract service at {url} did not answer: no connection could be "
        "made, or it was cut — Check the network connection and the service's address (Settings → "
        "Account), or try later."
    )


def test_a_rejected_token_or_none_at_all(tmp_path, monkeypatch, service, child_keyring):
    service.add_user("ann@example.test")
    monkeypatch.setenv("WORKDIARY_TOKEN", "not-a-token")
    signed_in = Settings(service_url=service.url, account_email="ann@example.test")
    check = self_test.check_service(signed_in)
    assert check.status == "FAIL"
    assert "no longer accepts this sign-in" in check.detail
    assert check.fix == self_test.SIGN_IN_FIX

    monkeypatch.delenv("WORKDIARY_TOKEN")  # and nothing in the keyring
    check = self_test.check_service(signed_in)
    assert check == (
        "contract service",
        "FAIL",
        f"{service.url} answers, but no sign-in token is kept for ann@example.test",
        self_test.SIGN_IN_FIX,
    )
    signed_out = self_test.check_service(Settings(service_url=service.url))
    assert signed_out == ("contract service", "ok", f"{service.url} answers; not signed in", "")


@pytest.mark.x11
def test_no_keyring_is_a_warning_and_the_service_check_reports_the_service(
    tmp_path, env, something_on_screen, service
):
    """The app works without a keyring (a sign-in lasts until it quits): the self-test passes
    with a warning, and the service's line says how the service is, not the keyring again."""
    service.add_user("ann@example.test")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    configure(tmp_path / "data", service.url, "ann@example.test")
    run = run_self_test(tmp_path / "data", env)
    assert run.returncode == 0, run
    assert run.by_name["keyring"] == (
        "warn  keyring: There is no keyring on this computer to keep the sign-in token in. A sign-in "
        f"lasts until Workdiary quits. — {credentials._FIX}"
    ), run
    assert run.by_name["contract service"] == (
        f"ok    contract service: {service.url} answers; ann@example.test's sign-in is not checked: "
        "only the running app has its token"
    ), run
    assert [name for name, status in run.status().items() if status != "ok"] == ["keyring"], run


def test_without_the_token_an_unreachable_service_still_fails(monkeypatch):
    monkeypatch.delenv("WORKDIARY_TOKEN", raising=False)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    check = self_test.check_service(
        Settings(service_url=url, account_email="ann@example.test"), token_kept=False
    )
    assert check.status == "FAIL"
    assert check.detail.startswith(f"The contract service at {url} did not answer"), check

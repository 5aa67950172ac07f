"""``workdiary --self-test``: can this computer run Workdiary? One line per check, with the fix.

    ok    Qt platform: xcb (system tray available; image formats jpeg, webp)
    ok    database: /home/ann/.local/share/Workdiary/workdiary.sqlite3 (schema 0005, the newest; intact)
    ok    session: X11 (gnome); screenshots: mss; activity: keyboard and mouse events (pynput)
    ok    screenshot permission: not asked yet: the screen grab below will be the first. … GNOME ask “Allow …”
    FAIL  screen grab: the screenshot is all black: the screen was black or blank (…) — Unlock …
    ok    activity: keyboard and mouse events (pynput) started and stopped
    warn  keyring: There is no keyring on this computer … — Install and unlock the desktop's keyring …
    ok    contract service: https://work.example.com answers; signed in as ann@example.com

The screenshot permission's line is there only in a GNOME Wayland session, where the portal asks
the user before its first screenshot.

A "warn" is something the app works without, in a lesser way (no keyring: a sign-in lasts until
the app quits). The exit status is 0 when no check failed, 1 otherwise. No window opens, and nothing
of the user's is changed beyond what the app's own start does (creating the data folder, migrating
the database); the test screenshot goes to a temporary folder, removed after.

Qt aborts the whole process when no platform plugin can start (no display, a missing xcb library),
so the Qt check runs in a child process: the same program (the frozen executable, or
``python -m ui.app``) with ``--self-test`` and ``WORKDIARY_SELF_TEST_PROBE=qt``, which only starts a
QApplication and prints what it found as JSON.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from common.errors import EnvironmentProblem, StorageProblem, WorkdiaryError

PROBE_VARIABLE = "WORKDIARY_SELF_TEST_PROBE"
QT_TIMEOUT_S = 30.0
SERVICE_TIMEOUT = (5.0, 10.0)  # seconds to connect, and between bytes of the answer
NOT_A_TOKEN = "workdiary-self-test"  # sent when signed out: a 401 still proves the service answers

DESKTOP_FIX = "Run Workdiary inside your desktop session (an X11 session on Linux)."
REINSTALL_FIX = "Reinstall Workdiary."
SIGN_IN_FIX = "Sign in again in Settings."
PRIVATE_APPS_FIX = "Close the apps of your private-apps list while tracking: screenshots here show them."
FOLDER_FIX = "Make the folder (and its parent) yours and writable, or choose another one with --data-dir."


OK, WARN, FAIL, SKIP = "ok", "warn", "FAIL", "skip"  # SKIP: not configured, or a check it needs failed


class Check(NamedTuple):
    name: str
    status: str  # OK, WARN, FAIL or SKIP
    detail: str
    fix: str = ""


def line(check: Check) -> str:
    text = f"{check.status:<5} {check.name}: {check.detail}"
    return f"{text} — {check.fix}" if check.fix and check.status in (WARN, FAIL) else text


def run(data_dir: Path | None, out: Callable[[str], None] = lambda text: print(text, flush=True)) -> int:
    """Every check, printed as it ends; 0 when none failed, 1 otherwise."""
    if os.environ.get(PROBE_VARIABLE) == "qt":
        return qt_probe()
    from tracker.paths import default_data_dir

    qt = start_qt_probe()  # a second or so: it runs while the other checks do
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    checks: list[Check] = []

    def report(check: Check) -> None:
        checks.append(check)
        out(line(check))

    report(finish_qt_probe(qt))
    report(check_database(data_dir))
    settings = read_settings(data_dir) if checks[-1].status == OK else None
    report(check_session(settings))
    if (permission := check_screenshot_permission()) is not None:
        report(permission)
    report(check_screen(settings))
    report(check_activity(settings))
    report(check_keyring())
    report(check_service(settings, token_kept=checks[-1].status == OK))
    return 1 if any(check.status == FAIL for check in checks) else 0


# ----- Qt


def _own_command() -> list[str]:
    """This program again: the frozen executable, or the app's module under this Python."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--self-test"]
    return [sys.executable, "-m", "ui.app", "--self-test"]


def qt_probe() -> int:
    """In the child: start a QApplication (or abort, as Qt does) and print what it found."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # Qt's abort leaves no core file behind
    except (ImportError, ValueError, OSError):
        pass
    from PySide6.QtGui import QImageWriter
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    app = QApplication.instance() or QApplication(["workdiary"])
    formats = {bytes(name).decode() for name in QImageWriter.supportedImageFormats()}
    found = {
        "platform": app.platformName(),
        "tray": QSystemTrayIcon.isSystemTrayAvailable(),
        "formats": sorted(formats & {"jpeg", "webp"}),
    }
    print(json.dumps(found), flush=True)
    return 0


def start_qt_probe() -> subprocess.Popen | OSError:
    try:
        return subprocess.Popen(
            _own_command(),
            env={**os.environ, PROBE_VARIABLE: "qt"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except OSError as error:
        return error


def finish_qt_probe(child: subprocess.Popen | OSError) -> Check:
    name = "Qt platform"
    if isinstance(child, OSError):
        return Check(name, FAIL, f"the check could not start {_own_command()[0]} ({error_text(child)})", "")
    try:
        stdout, stderr = child.communicate(timeout=QT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return Check(
            name, FAIL, f"Qt did not start within {QT_TIMEOUT_S:g} s", "Check that the display answers."
        )
    try:
        found = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return Check(name, FAIL, qt_failure(child.returncode, stderr), qt_fix(stderr))
    return qt_found(found)


def qt_found(found: dict) -> Check:
    name = "Qt platform"
    formats = found["formats"]
    tray = "system tray available" if found["tray"] else "no system tray: the window stays open instead"
    detail = f"{found['platform']} ({tray}; image formats {', '.join(formats) or 'none'})"
    if "jpeg" not in formats:
        return Check(name, FAIL, f"{detail}: Qt cannot write JPEG screenshots", REINSTALL_FIX)
    if found["platform"] in ("offscreen", "minimal"):
        return Check(
            name,
            FAIL,
            f"{detail}: the {found['platform']} platform shows nothing (QT_QPA_PLATFORM is set to it)",
            "Unset QT_QPA_PLATFORM.",
        )
    return Check(name, OK, detail)


def qt_failure(returncode: int, stderr: str) -> str:
    """What Qt said before it gave up (its own lines, not the hints after them)."""
    said = [
        text.strip()
        for text in stderr.splitlines()
        if text.strip().startswith(("qt.", "This application failed", "Could not", "Traceback"))
        or "Error" in text
    ]
    how = f"exit status {returncode}" if returncode >= 0 else f"signal {-returncode}"
    if not said:
        last = [text.strip() for text in stderr.splitlines() if text.strip()]
        said = last[-1:]
    return f"no Qt platform plugin could start ({how}): {said[0] if said else 'no message'}"


def qt_fix(stderr: str) -> str:
    if sys.platform.startswith("linux") and not (
        os.environ.get("QT_QPA_PLATFORM") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return f"No display: DISPLAY is not set. {DESKTOP_FIX}"
    if "could not connect to display" in stderr:
        display = os.environ.get("DISPLAY", "")
        return f"Check that DISPLAY ({display!r}) names your running X server and that you may use it."
    if "xcb-cursor" in stderr:
        return "Install libxcb-cursor0 (Debian, Ubuntu: sudo apt install libxcb-cursor0)."
    return f"{REINSTALL_FIX} Run with QT_DEBUG_PLUGINS=1 to see what the platform plugin misses."


# ----- the database


def check_database(data_dir: Path) -> Check:
    """Opens the data folder the way the app's start does (creating it, migrating the database),
    then reads: the schema revision, the migration scripts' newest one, the file's integrity, and
    whether a write would go through (a no-op update, rolled back)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    from tracker import migrations
    from tracker.storage import DATABASE_NAME, Database

    name = "database"
    path = data_dir / DATABASE_NAME
    before = _revision_before(path)
    try:
        database = Database(data_dir)
    except StorageProblem as problem:
        return Check(name, FAIL, str(problem), "")
    except OSError as problem:
        return Check(
            name,
            FAIL,
            f"the data folder {data_dir} cannot be created or opened: {error_text(problem)}",
            FOLDER_FIX,
        )
    try:
        with database.engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            integrity = connection.execute(text("PRAGMA quick_check")).scalar()
            connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
            connection.rollback()
    except DatabaseError as error:
        return Check(name, FAIL, f"the database {path} cannot be written ({error.orig})", FOLDER_FIX)
    finally:
        database.close()
    if integrity != "ok":
        return Check(
            name,
            FAIL,
            f"the database {path} is damaged ({integrity})",
            "Restore it from a backup, or move it aside to start a new one.",
        )
    scripts = _scripts_head()
    if scripts != migrations.HEAD:
        return Check(
            name,
            FAIL,
            f"the migration scripts end at {scripts}, not at {migrations.HEAD}",
            REINSTALL_FIX,
        )
    if before is None:
        how = "created"
    elif before and before != revision:
        how = f"migrated from {before}"
    else:
        how = "the newest"
    if not os.access(database.screenshot_dir, os.W_OK):
        return Check(
            name, FAIL, f"the screenshot folder {database.screenshot_dir} is not writable", FOLDER_FIX
        )
    return Check(name, OK, f"{path} (schema {revision}, {how}; intact)")


def _revision_before(path: Path) -> str | None:
    """The schema revision before the app's start migrates it, read without writing (None: no
    database yet; "": not known)."""
    if not path.exists():
        return None
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        finally:
            connection.close()
    except (sqlite3.Error, TypeError):
        return ""


def _scripts_head() -> str:
    """The newest revision among the migration scripts this build has (they must be bundled)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from tracker import migrations

    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    try:
        return ScriptDirectory.from_config(config).get_current_head() or "none"
    except Exception as error:  # a missing folder or script: whatever Alembic raises, the build is broken
        return f"nothing ({type(error).__name__}: {error})"


def read_settings(data_dir: Path):
    from tracker.settings import load_settings
    from tracker.storage import Database

    try:
        database = Database(data_dir)
    except (StorageProblem, OSError):
        return None
    try:
        return load_settings(database)
    except StorageProblem:
        return None
    finally:
        database.close()


# ----- capture


def check_session(settings) -> Check:
    """The desktop session, and the backends it gets for screenshots and for activity."""
    from tracker.capture import make_capturer, make_input
    from tracker.capture.session import MACOS, NONE, WAYLAND, WINDOWS, X11, detect_session
    from tracker.settings import Settings

    name = "session"
    session = detect_session()
    if session.kind == NONE:
        return Check(
            name, FAIL, "no desktop session (neither WAYLAND_DISPLAY nor DISPLAY is set)", DESKTOP_FIX
        )
    kind = {X11: "X11", WAYLAND: "Wayland", WINDOWS: "Windows", MACOS: "macOS"}[session.kind]
    desktop = f" ({':'.join(session.desktops)})" if session.desktops else ""
    screenshots = make_capturer(settings or Settings()).backend
    return Check(
        name, OK, f"{kind}{desktop}; screenshots: {screenshots}; activity: {make_input(settings).backend}"
    )


def check_screenshot_permission() -> Check | None:
    """In a GNOME Wayland session, what the portal's permission store says of screenshots: given,
    refused (how to allow them), or the question the screen grab after this will make GNOME ask."""
    from tracker.capture import portal
    from tracker.capture.session import WAYLAND, detect_session

    name = "screenshot permission"
    session = detect_session()
    if session.kind != WAYLAND or not session.is_gnome:
        return None
    permission = portal.screenshot_permission()
    if permission == portal.GIVEN:
        return Check(name, OK, "given: GNOME does not ask before a screenshot")
    if permission == portal.REFUSED:
        return Check(name, FAIL, portal.not_allowed_note(session))
    if permission == portal.WILL_ASK:
        return Check(
            name, OK, f"not asked yet: the screen grab below will be the first. {portal.GNOME_WILL_ASK}"
        )
    return Check(name, SKIP, "not known: the desktop portal's permission store does not answer")


def check_screen(settings) -> Check:
    """A real grab of the screen(s) the settings choose, into a temporary folder removed after."""
    from tracker.capture import make_capturer
    from tracker.capture.imaging import FORMAT_NAMES
    from tracker.capture.portal import NOT_ALLOWED
    from tracker.capture.screen import PRIVATE_APPS_UNRECOGNISED
    from tracker.settings import Settings

    name = "screen grab"
    capturer = make_capturer(settings or Settings())
    try:
        with tempfile.TemporaryDirectory(prefix="workdiary-self-test-") as folder:
            started = time.perf_counter()
            capture = capturer.capture(Path(folder), "self-test")
            seconds = time.perf_counter() - started
            blank = bool(capture.images) and capture.note not in ("", PRIVATE_APPS_UNRECOGNISED)
            colour = _single_colour(capture) if blank else ""
    except EnvironmentProblem as problem:
        return Check(name, FAIL, problem.args[0], problem.fix)
    except (StorageProblem, OSError) as problem:
        return Check(name, FAIL, f"the temporary screenshot could not be written: {problem}", FOLDER_FIX)
    if not capture.images:
        if capture.note.startswith(NOT_ALLOWED):  # the note says how to allow screenshots
            return Check(name, FAIL, capture.note)
        return Check(
            name,
            FAIL,
            capture.note,
            "Connect a monitor, or choose connected ones in Settings → Screenshots.",
        )
    sizes = ", ".join(f"{image.width}×{image.height}" for image in capture.images)
    kilobytes = sum(image.size_bytes for image in capture.images) / 1024
    count = len(capture.images)
    monitors = f"{count} monitor{'s' if count > 1 else ''}"
    detail = f"{monitors} {sizes} ({FORMAT_NAMES[capturer.fmt]}, {kilobytes:.0f} KB, {seconds:.2f} s)"
    if blank:
        return Check(name, FAIL, f"the screenshot is {colour}: {capture.note}", _blank_fix())
    if capture.note:  # the desktop lists no windows: screenshots cannot leave private apps out
        return Check(name, WARN, f"{detail}; {capture.note}", PRIVATE_APPS_FIX)
    return Check(name, OK, detail)


def _single_colour(capture) -> str:
    from PySide6.QtGui import QImage

    image = QImage(str(capture.images[0].path))
    if not image.isNull() and image.pixelColor(0, 0).value() < 16:
        return "all black"
    return "a single colour"


def _blank_fix() -> str:
    if sys.platform == "darwin":
        return "Allow Workdiary under Screen Recording, then start it again."
    return "Unlock the screen and wake the display, then run the self-test again with a window open."


def check_activity(settings) -> Check:
    """The session's real activity source (pynput's listeners, the input devices, or the
    compositor's idle time), started (ready when this returns) and stopped; where the settings ask
    for the input devices and they cannot be read, why; on Linux, the Wayland backends loaded too."""
    from tracker.capture import make_input
    from tracker.capture.devices import InputDevices
    from tracker.capture.session import WAYLAND, detect_session

    name = "activity"
    if sys.platform.startswith("linux"):
        try:  # a Wayland session's backends, in any session: a build lacking them is broken
            import tracker.capture.idle  # noqa: F401  pywayland (its cffi module, the idle protocols), jeepney
        except ImportError as error:
            return Check(name, FAIL, f"the Wayland backends cannot be loaded ({error})", REINSTALL_FIX)
    source = make_input(settings)
    try:
        source.start()
    except EnvironmentProblem as problem:
        detail = problem.args[0]
        if isinstance(problem.__cause__, ImportError):  # e.g. a build without pynput's backends
            reason = str(problem.__cause__).strip().splitlines()[0]
            detail = f"{detail} (pynput: {reason})"
        return Check(name, FAIL, detail, problem.fix)
    finally:
        source.stop()
    started = f"{source.backend} started and stopped"
    wanted_devices = (
        settings is not None and settings.count_input_devices and detect_session().kind == WAYLAND
    )
    if wanted_devices and not isinstance(source, InputDevices):
        try:
            InputDevices().check()
        except EnvironmentProblem as problem:
            return Check(name, WARN, f"{problem.args[0]} Instead: {started}", problem.fix)
    return Check(name, OK, started)


# ----- the keyring and the contract service


def check_keyring() -> Check:
    from sync import credentials
    from sync.errors import NoKeyring

    name = "keyring"
    from_variable = bool(os.environ.get(credentials.TOKEN_VARIABLE))
    try:
        backend = credentials.check_keyring()
    except NoKeyring as missing:
        if from_variable:
            return Check(
                name,
                OK,
                f"{credentials.TOKEN_VARIABLE} is set: the token comes from it "
                f"(no keyring here: a sign-in from the app lasts until it quits)",
            )
        # The app works without one: a sign-in lasts until it quits, and is never written to disk.
        return Check(name, WARN, f"{missing.args[0]} A sign-in lasts until Workdiary quits.", missing.fix)
    described = getattr(backend, "name", type(backend).__name__)
    if from_variable:
        return Check(name, OK, f"{credentials.TOKEN_VARIABLE} is set: the token comes from it ({described})")
    return Check(name, OK, described)


def check_service(settings, token_kept: bool = True) -> Check:
    """When a service is configured: it answers, and (when signed in) accepts the token (GET /me).
    The token is read the app's way (a child process; ``WORKDIARY_TOKEN`` first), unless the
    keyring check found nowhere it is kept (``token_kept``): the service is checked without it."""
    from sync import isolated_credentials
    from sync.client import ServiceClient
    from sync.errors import ServiceUnreachable, SignedOut

    name = "contract service"
    if settings is None:
        return Check(name, SKIP, "not checked: the settings are in the database, which cannot be opened")
    url, email = settings.service_url, settings.account_email
    if not url:
        return Check(name, SKIP, "not configured")
    token = None
    if email and token_kept:
        try:
            token = isolated_credentials.load_token(url)
        except EnvironmentProblem as missing:
            return Check(
                name, FAIL, f"the sign-in token for {url} cannot be read: {missing.args[0]}", missing.fix
            )
    client = ServiceClient(url, token or NOT_A_TOKEN, timeout=SERVICE_TIMEOUT)
    try:
        user = client.me()
    except ServiceUnreachable as error:
        return Check(
            name,
            FAIL,
            str(error),
            "Check the network connection and the service's address (Settings → Account), or try later.",
        )
    except SignedOut as error:
        if token:
            return Check(name, FAIL, str(error), SIGN_IN_FIX)
        if email and not token_kept:
            return Check(
                name,
                OK,
                f"{url} answers; {email}'s sign-in is not checked: only the running app has its token",
            )
        if email:
            return Check(name, FAIL, f"{url} answers, but no sign-in token is kept for {email}", SIGN_IN_FIX)
        return Check(name, OK, f"{url} answers; not signed in")
    except WorkdiaryError as error:  # Refused: a 4xx other than 401
        return Check(name, FAIL, f"{url} refused GET /me: {error}", SIGN_IN_FIX)
    return Check(name, OK, f"{url} answers; signed in as {user.get('email', email)}")


def error_text(error: OSError) -> str:
    return error.strerror or str(error)

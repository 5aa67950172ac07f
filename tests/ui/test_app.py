"""The app as a whole: the real start-up in a process of its own (tray, window, one instance, a
clean stop on SIGTERM), quitting while tracking, and a database that cannot be opened."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.helpers.damage import make_damaged_database
from tests.helpers.full_disk import fill_up
from tests.helpers.self_test import configure
from tracker.diary import Diary
from tracker.engine import StorageFailed
from tracker.simulation import SimulatedInput
from tracker.storage import DATABASE_NAME, Database
from ui import app as app_module
from ui.main_window import MainWindow
from ui.single_instance import SingleInstance

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_MS = 30000


class AppProcess:
    """``python -m ui.app`` with its stderr collected line by line on a reader thread."""

    def __init__(self, data_dir: Path, *arguments: str, env: dict | None = None) -> None:
        self.started = time.perf_counter()
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ui.app", "--data-dir", str(data_dir), "-v", *arguments],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def log(self) -> str:
        return "\n".join(self.lines)

    def line(self, pattern: str) -> re.Match | None:
        return next((m for line in list(self.lines) if (m := re.search(pattern, line))), None)

    def has(self, pattern: str) -> bool:
        return self.line(pattern) is not None

    def ready_or_ended(self) -> bool:
        return self.has("ready in") or self.process.poll() is not None

    def finish(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._reader.join(10)
        self.process.stderr.close()


@pytest.fixture
def app_env(tmp_path):
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env.pop("QT_QPA_PLATFORM", None)
    return env


def visible_windows(title: str) -> list[str]:
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"], capture_output=True, text=True
    )
    return found.stdout.split()


@pytest.mark.x11
def test_start_in_the_tray_then_a_second_start_raises_the_window(qtbot, tmp_path, app_env, tray_host):
    assert shutil.which("xdotool"), "xdotool is not installed"
    data_dir = tmp_path / "data"
    first = AppProcess(data_dir, "--minimized", env=app_env)
    try:
        qtbot.waitUntil(first.ready_or_ended, timeout=DEADLINE_MS)
        ready_after = time.perf_counter() - first.started
        ready = first.line(r"ready in ([\d.]+) s \(window (\w+), tray (\w+)\)")
        assert ready, first.log()
        assert ready.groups()[1:] == ("hidden", "shown")
        print(f"\nstart-up: ready {ready_after:.2f} s after the process started ({ready[1]} s in main)")
        assert visible_windows("Workdiary") == []

        second = subprocess.run(
            [sys.executable, "-m", "ui.app", "--data-dir", str(data_dir)],
            cwd=ROOT,
            env=app_env,
            capture_output=True,
            text=True,
            timeout=DEADLINE_MS / 1000,
        )
        assert second.returncode == 0, second.stderr
        qtbot.waitUntil(lambda: first.has("another start asked for the window"), timeout=DEADLINE_MS)
        qtbot.waitUntil(lambda: len(visible_windows("Workdiary")) == 1, timeout=DEADLINE_MS)
        assert first.process.poll() is None  # the first one goes on
        (window,) = visible_windows("Workdiary")
        wm_class = subprocess.run(["xprop", "-id", window, "WM_CLASS"], capture_output=True, text=True)
        # the desktop file's name, however the app was started (python -m ui.app made it "app.py")
        assert wm_class.stdout.strip() == 'WM_CLASS(STRING) = "workdiary", "Workdiary"', wm_class.stderr

        first.process.send_signal(signal.SIGTERM)
        qtbot.waitUntil(lambda: first.process.poll() is not None, timeout=DEADLINE_MS)
        assert first.process.returncode == 0
        first.finish()
        assert first.line("stopped and saved"), first.log()
        assert not [
            line for line in first.lines if "Traceback" in line or line.startswith(("WARNING", "ERROR"))
        ]
    finally:
        first.finish()
    database = Database(data_dir)
    try:
        assert [c.title for c in Diary(database).contracts()] == ["My work"]  # made at first start
    finally:
        database.close()


@pytest.mark.x11
def test_in_its_tray_signed_in_and_syncing_the_app_never_loads_the_orm(
    qtbot, tmp_path, app_env, tray_host, service
):
    """SQLAlchemy's ORM would be 6 MB of the app's memory: the app reads and writes its database
    through Core, its window and tray, its sync and its copy of each workroom alike. Nor does it
    load requests' guesser of text encodings (3 MB): the service's JSON is UTF-8."""
    service.add_user("ann@example.test")
    service.add_user("cleo@example.test", role="client")
    service.add_contract("Website", "ann@example.test", "cleo@example.test")
    data_dir = tmp_path / "data"
    configure(data_dir, service.url, "ann@example.test")
    app_env["WORKDIARY_TOKEN"] = service.sign_in("ann@example.test")
    app_env["PYTHONPROFILEIMPORTTIME"] = "1"
    started = AppProcess(data_dir, "--minimized", env=app_env)
    try:
        qtbot.waitUntil(started.ready_or_ended, timeout=DEADLINE_MS)
        qtbot.waitUntil(lambda: _workroom_copies(data_dir) == ["Website"], timeout=DEADLINE_MS)
        started.process.send_signal(signal.SIGTERM)
        qtbot.waitUntil(lambda: started.process.poll() is not None, timeout=DEADLINE_MS)
    finally:
        started.finish()
    assert started.process.returncode == 0, started.log()
    imported = {line.split("|")[-1].strip() for line in started.lines if line.startswith("import time:")}
    assert {"ui.main_window", "sync.worker", "sync.workroom", "tracker.engine", "tracker.diary"} <= imported
    assert "sqlalchemy.orm" not in imported
    assert "requests" in imported
    assert not [name for name in imported if name.startswith("charset_normalizer.")]  # only tried
    assert "Warning" not in started.log()


def _workroom_copies(data_dir: Path) -> list[str]:
    """The titles of the workrooms that sync has copied into the app's database."""
    with closing(sqlite3.connect(data_dir / DATABASE_NAME)) as connection:
        titles = connection.execute("SELECT json_extract(details, '$.contract.title') FROM workrooms")
        return [title for (title,) in titles]


@pytest.mark.x11
def test_without_a_tray_the_window_shows_even_when_minimized(qtbot, tmp_path, app_env):
    from PySide6.QtWidgets import QSystemTrayIcon

    assert not QSystemTrayIcon.isSystemTrayAvailable()
    started = AppProcess(tmp_path / "data", "--minimized", env=app_env)
    try:
        qtbot.waitUntil(started.ready_or_ended, timeout=DEADLINE_MS)
        assert started.line(r"\(window shown, tray unavailable\)"), started.log()
        started.process.send_signal(signal.SIGINT)  # Ctrl-C quits cleanly too
        qtbot.waitUntil(lambda: started.process.poll() is not None, timeout=DEADLINE_MS)
        assert started.process.returncode == 0
    finally:
        started.finish()


def test_quitting_while_tracking_stops_and_saves(qtbot, workdiary, drive, diary, clock):
    with drive.status_where(lambda status: status.tracking):
        workdiary.window.start_button.click()
    drive.tick(30)
    clock.advance(0.5)
    workdiary.window.quit_action.trigger()
    assert workdiary.quits == [True]
    (block,) = diary.day_blocks(clock.now().date())
    assert block.seconds == 30
    assert diary.contracts_being_tracked() == set()  # the block is closed, not left open
    assert not workdiary.window.isVisible()


def test_closing_the_window_without_a_tray_quits(qtbot, workdiary, drive, diary, clock):
    with drive.status_where(lambda status: status.tracking):
        workdiary.window.start_button.click()
    drive.tick(12)
    workdiary.window.close()
    assert workdiary.quits == [True]
    assert [b.seconds for b in diary.day_blocks(clock.now().date())] == [12]


def answer_box(seen: list[str], name: str = "cannot-start", choose: str | None = None) -> None:
    """Reads the message box ``main`` shows (it runs its own event loop) and answers it: the
    button whose text is ``choose``, else the one that closes it."""
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox) and box.objectName() == name:
        seen.append(box.text())
        buttons = {b.text().replace("&", ""): b for b in box.buttons()}
        (
            buttons[choose] if choose else box.escapeButton() or box.button(QMessageBox.StandardButton.Ok)
        ).click()
    else:
        QTimer.singleShot(10, lambda: answer_box(seen, name, choose))


@pytest.mark.parametrize("damage", ["corrupt database", "data folder is a file"])
def test_a_database_that_cannot_be_opened_is_explained_and_left_alone(qtbot, tmp_path, xdg_config, damage):
    data_dir = tmp_path / "data"
    if damage == "corrupt database":
        data_dir.mkdir()
        (data_dir / "workdiary.sqlite3").write_bytes(b"this is not a database" * 100)
        expected = "cannot be opened"
    else:
        data_dir.write_text("a file")
        expected = "cannot be created or opened: File exists"
    before = {p: p.read_bytes() for p in ([data_dir] if data_dir.is_file() else data_dir.iterdir())}
    seen: list[str] = []
    QTimer.singleShot(0, lambda: answer_box(seen))
    assert app_module.main(["--data-dir", str(data_dir)]) == app_module.EXIT_CANNOT_START
    assert len(seen) == 1 and expected in seen[0]
    assert {p: p.read_bytes() for p in before} == before  # nothing overwritten


def quit_once_ready(seen: list[str]) -> None:
    """Quits the app ``main`` runs once its window is up, keeping what its message bar says."""
    window = next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None
    )
    if window is None:
        QTimer.singleShot(10, lambda: quit_once_ready(seen))
        return
    seen.append(window.message_bar.text())
    QApplication.instance().quit()


def test_a_damaged_database_is_offered_to_be_set_aside_and_the_app_starts_anew(
    qtbot, tmp_path, xdg_config, monkeypatch
):
    monkeypatch.setattr(
        app_module, "make_input", lambda settings: SimulatedInput()
    )  # no input listener left behind
    data_dir = tmp_path / "data"
    path = make_damaged_database(data_dir, datetime(2026, 11, 24, 15, tzinfo=UTC))
    damaged = path.read_bytes()
    asked: list[str] = []
    QTimer.singleShot(0, lambda: answer_box(asked))
    assert app_module.main(["--data-dir", str(data_dir)]) == app_module.EXIT_CANNOT_START
    assert asked == [
        f"The database {path} cannot be opened (database disk image is malformed). It was left as it is: "
        "restore it from a backup, or move it aside to start a new one."
    ]
    assert path.read_bytes() == damaged  # nothing overwritten when the user declines

    data_dir = tmp_path / "again"  # (the first start still holds its data folder's instance name)
    path = make_damaged_database(data_dir, datetime(2026, 11, 24, 15, tzinfo=UTC))
    damaged = path.read_bytes()
    told: list[str] = []
    QTimer.singleShot(0, lambda: answer_box(asked, choose="Set aside and start anew"))
    QTimer.singleShot(0, lambda: quit_once_ready(told))
    assert app_module.main(["--data-dir", str(data_dir)]) == 0
    (kept,) = data_dir.glob("workdiary-damaged-*.sqlite3")
    assert kept.read_bytes() == damaged
    assert told == [
        f"The damaged database was set aside as {kept}, kept as it was; Workdiary started with a new one."
    ]
    database = Database(data_dir)
    try:
        assert [c.title for c in Diary(database).contracts()] == ["My work"]  # a new one
    finally:
        database.close()


@pytest.mark.x11
def test_one_tracking_program_per_data_folder_across_the_app_and_the_command_line(
    qtbot, tmp_path, app_env, xdg_config
):
    data_dir = tmp_path / "data"
    tracker = [sys.executable, "-m", "tracker", "--data-dir", str(data_dir)]
    subprocess.run([*tracker, "contract", "add", "--title", "Website"], check=True, capture_output=True)
    command_line = subprocess.Popen(
        [*tracker, "track", "--no-input", "--no-screenshots"], stderr=subprocess.PIPE, text=True
    )
    try:
        assert "Tracking since" in command_line.stderr.readline()
        seen: list[str] = []
        QTimer.singleShot(0, lambda: answer_box(seen))
        assert app_module.main(["--data-dir", str(data_dir)]) == app_module.EXIT_CANNOT_START
        assert len(seen) == 1
        assert seen[0].startswith(f"python -m tracker track (process {command_line.pid}, since ")
        assert "is already tracking time with the data folder" in seen[0]
    finally:
        command_line.send_signal(signal.SIGTERM)
        assert command_line.wait(30) == 0
        command_line.stderr.close()

    app = AppProcess(data_dir, env=app_env)
    try:
        qtbot.waitUntil(app.ready_or_ended, timeout=DEADLINE_MS)
        refused = subprocess.run(
            [*tracker, "track", "--no-input", "--no-screenshots"], capture_output=True, text=True
        )
        assert refused.returncode == 1
        assert refused.stderr.startswith(f"workdiary: the Workdiary app (process {app.process.pid}, since ")
    finally:
        app.finish()


def test_a_full_disk_is_told_at_once_and_the_time_lost_at_quit(
    qtbot, workdiary, drive, database, contract, clock
):
    free_space = fill_up(database, contract.id)
    with drive.status_where(lambda status: status.tracking):
        workdiary.window.start_button.click()
    with drive.event(StorageFailed) as failed:
        drive.tick()  # the first second's block finds no room
    assert "database or disk is full" in failed.args[0].message
    assert workdiary.window.message_bar.text() == failed.args[0].message
    assert workdiary.tray_state.error
    drive.tick(41)
    told: list[str] = []
    QTimer.singleShot(0, lambda: answer_box(told, name="time-lost"))
    workdiary.window.quit_action.trigger()
    assert told == [
        "0:00:42 of tracked time could not be saved and is lost (Mon 23 Nov 09:00:00–09:00:42): "
        f"{failed.args[0].message} The time saved before is kept."
    ]
    assert workdiary.time_lost is not None and workdiary.quits == [True]
    free_space()
    assert Diary(database).contracts_being_tracked() == set()


def test_the_launcher_options_add_the_menu_entry_and_remove_it_without_starting_the_app(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    entry = tmp_path / "applications" / "workdiary.desktop"
    assert app_module.main(["--install-launcher"]) == 0
    installed = shutil.which("workdiary")  # what `pip install` put on the PATH, else this Python
    assert f"Exec={installed or f'{sys.executable} -m ui.app'} %u\n" in entry.read_text()
    assert app_module.main(["--uninstall-launcher"]) == 0
    assert not entry.exists()
    assert capsys.readouterr().out.splitlines()[-1] == "Removed the Workdiary menu entry and icon."


def test_a_second_start_on_the_same_data_folder_brings_the_first_to_the_front_and_exits(qtbot, tmp_path):
    first = SingleInstance(tmp_path)
    first.claim()
    with qtbot.waitSignal(first.activated):
        assert app_module.main(["--data-dir", str(tmp_path)]) == 0
    assert not (tmp_path / DATABASE_NAME).exists()  # it opened nothing

"""Start at login on Linux: the XDG autostart entry is written, read back and removed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tracker import autostart
from tracker.errors import StorageProblem


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(path))
    return path


def exec_value(text: str) -> str:
    (line,) = [line for line in text.splitlines() if line.startswith("Exec=")]
    return line.removeprefix("Exec=")


def unescape_exec(value: str) -> list[str]:
    """Read an Exec value back as the Desktop Entry spec says: the string escapes first (``\\\\``
    is one backslash), then the quoting rules (inside double quotes a backslash escapes ``"``,
    `` ` ``, ``$`` and itself), then ``%%`` is ``%``."""
    value = value.replace("\\\\", "\\")
    words, word, quoted, i = [], "", False, 0
    while i < len(value):
        char = value[i]
        if quoted and char == "\\":
            word += value[i + 1]
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char == " " and not quoted:
            words.append(word)
            word = ""
        else:
            word += char
        i += 1
    words.append(word)
    return [w.replace("%%", "%") for w in words]


def test_enable_writes_the_entry_and_disable_removes_it(config):
    assert not autostart.is_enabled()
    path = autostart.enable(["/usr/bin/workdiary", "--minimized"], icon="/opt/wd/workdiary.svg")
    assert path == config / "autostart" / "workdiary.desktop"
    assert autostart.is_enabled()
    text = path.read_text()
    assert text.startswith("[Desktop Entry]\nType=Application\nName=Workdiary\n")
    assert "\nExec=/usr/bin/workdiary --minimized\n" in text
    assert "\nIcon=/opt/wd/workdiary.svg\n" in text
    assert "\nX-GNOME-Autostart-enabled=true\n" in text
    assert not list(path.parent.glob(".*.tmp"))
    autostart.disable()
    assert not path.exists()
    assert not autostart.is_enabled()
    autostart.disable()  # twice is fine


def test_without_xdg_config_home_the_entry_goes_to_dot_config(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert autostart.entry_path() == tmp_path / ".config" / "autostart" / "workdiary.desktop"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")  # not absolute: ignored, as the spec says
    assert autostart.entry_path() == tmp_path / ".config" / "autostart" / "workdiary.desktop"


@pytest.mark.parametrize(
    "command",
    [
        ["/home/ana/My Apps/workdiary", "--minimized"],
        [
            "/usr/bin/python3",
            "-m",
            "ui.app",
            "--data-dir",
            '/data/"quoted" $HOME `x` back\\slash 100%',
            "--minimized",
        ],
    ],
)
def test_exec_quotes_what_needs_quoting(config, command):
    text = autostart.enable(command).read_text()
    assert unescape_exec(exec_value(text)) == command


def test_the_app_command_starts_minimized_with_the_chosen_data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(autostart.shutil, "which", lambda name: None)
    command = autostart.app_command(tmp_path / "data")
    assert command == [
        sys.executable,
        "-m",
        "ui.app",
        "--data-dir",
        str((tmp_path / "data").resolve()),
        "--minimized",
    ]
    monkeypatch.setattr(autostart.shutil, "which", lambda name: "/usr/local/bin/workdiary")
    assert autostart.app_command() == ["/usr/local/bin/workdiary", "--minimized"]


def test_enabling_replaces_an_older_entry(config):
    autostart.enable(["/old/workdiary", "--minimized"])
    autostart.enable(["/new/workdiary", "--minimized"])
    assert exec_value(autostart.entry_path().read_text()) == "/new/workdiary --minimized"


def test_a_failed_write_says_where_and_leaves_nothing(config):
    config.mkdir()
    (config / "autostart").write_text("a file where the folder should be")
    with pytest.raises(StorageProblem, match=r"Could not write .*workdiary\.desktop"):
        autostart.enable(["/usr/bin/workdiary"])
    assert (config / "autostart").read_text() == "a file where the folder should be"


def test_the_entry_is_a_valid_desktop_file(config):
    desktop_file_validate = Path("/usr/bin/desktop-file-validate")
    path = autostart.enable(["/usr/bin/workdiary", "--minimized"])
    if desktop_file_validate.exists():  # from desktop-file-utils, when installed
        import subprocess

        result = subprocess.run([desktop_file_validate, path], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    lines = path.read_text().splitlines()
    assert all("=" in line for line in lines[1:])

"""Start at login: the Linux XDG autostart entry, the macOS LaunchAgent (under a temporary home)
and the Windows Run value (through a stand-in for winreg) are written, read back and removed; the
Linux menu launcher is valid and installs under a temporary XDG_DATA_HOME."""

from __future__ import annotations

import configparser
import plistlib
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from common.errors import StorageProblem
from ui import autostart


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
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
    path = autostart.enable(["/usr/bin/workdiary", "--minimized"])
    assert path == config / "autostart" / "workdiary.desktop"
    assert autostart.is_enabled()
    text = path.read_text()
    assert text.startswith("[Desktop Entry]\nType=Application\nName=Workdiary\n")
    assert "\nExec=/usr/bin/workdiary --minimized\n" in text
    # the themed icon, copied to the user's icon folder: not a path into a checkout or a bundle
    assert "\nIcon=workdiary\n" in text
    icon = config.parent / "data" / "icons" / "hicolor" / "scalable" / "apps" / "workdiary.svg"
    assert icon.read_bytes() == (LAUNCHER.parent / "workdiary.svg").read_bytes()
    assert "\nX-GNOME-Autostart-enabled=true\n" in text
    assert not list(path.parent.glob(".*.tmp"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds paths
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
        result = subprocess.run([desktop_file_validate, path], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    lines = path.read_text().splitlines()
    assert all("=" in line for line in lines[1:])


def test_the_api_on_linux_goes_through_the_xdg_entry(config):
    assert autostart.supported()
    assert isinstance(autostart.backend("linux"), autostart.XdgEntry)
    autostart.set_enabled(True, ["/usr/bin/workdiary", "--minimized"])
    assert autostart.is_enabled()
    assert (config / "autostart" / "workdiary.desktop").is_file()
    autostart.set_enabled(False)
    assert not autostart.is_enabled()


# macOS: a LaunchAgent under a temporary home


def test_the_launch_agent_is_written_and_removed(tmp_path):
    agent = autostart.backend("darwin", home=tmp_path)
    path = tmp_path / "Library" / "LaunchAgents" / "org.workdiary.Workdiary.plist"
    assert agent.location() == str(path)
    assert not autostart.is_enabled(agent)
    command = ["/Applications/Workdiary.app/Contents/MacOS/Workdiary", "--data-dir", "/Users/ana/My Data"]
    autostart.set_enabled(True, [*command, "--minimized"], target=agent)
    assert autostart.is_enabled(agent)
    assert plistlib.loads(path.read_bytes()) == {
        "Label": "org.workdiary.Workdiary",
        "ProgramArguments": [*command, "--minimized"],  # a list: no shell, no quoting
        "RunAtLoad": True,
        "ProcessType": "Interactive",
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    autostart.set_enabled(True, ["/new/Workdiary"], target=agent)  # replaces, leaves no temporary file
    assert plistlib.loads(path.read_bytes())["ProgramArguments"] == ["/new/Workdiary"]
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    autostart.set_enabled(False, target=agent)
    assert not path.exists() and not autostart.is_enabled(agent)
    autostart.set_enabled(False, target=agent)  # twice is fine


def test_a_failed_launch_agent_write_says_where(tmp_path):
    (tmp_path / "Library").write_text("a file where the folder should be")
    agent = autostart.backend("darwin", home=tmp_path)
    with pytest.raises(
        StorageProblem, match=r"^Could not write .*LaunchAgents/org\.workdiary\.Workdiary\.plist: "
    ):
        autostart.set_enabled(True, ["/Applications/Workdiary.app/Contents/MacOS/Workdiary"], target=agent)
    assert not autostart.is_enabled(agent)


# Windows: the Run value through a stand-in for winreg


class FakeKey:
    def __init__(self, values):
        self.values = values

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeRegistry:
    """The few functions and constants of ``winreg`` the Run key needs, over a dict of keys."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_QUERY_VALUE, KEY_SET_VALUE, REG_SZ = 1, 2, 1

    def __init__(self, fail_writes=False):
        self.keys: dict[tuple[str, str], dict[str, tuple[str, int]]] = {}
        self.fail_writes = fail_writes

    def OpenKey(self, root, path, reserved, access):
        if (root, path) not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return FakeKey(self.keys[(root, path)])

    def CreateKeyEx(self, root, path, reserved, access):
        return FakeKey(self.keys.setdefault((root, path), {}))

    def QueryValueEx(self, key, name):
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return key.values[name]

    def SetValueEx(self, key, name, reserved, kind, value):
        if self.fail_writes:
            raise PermissionError(5, "Access is denied")
        key.values[name] = (value, kind)

    def DeleteValue(self, key, name):
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        del key.values[name]

    def run_values(self):
        return self.keys.get(("HKCU", r"Software\Microsoft\Windows\CurrentVersion\Run"), {})


def test_the_run_value_holds_the_quoted_command_line():
    registry = FakeRegistry()
    run = autostart.backend("win32", registry=registry)
    assert not autostart.is_enabled(run)
    command = [r"C:\Program Files\Workdiary\Workdiary.exe", "--data-dir", r"D:\My Data\wd", "--minimized"]
    autostart.set_enabled(True, command, target=run)
    assert autostart.is_enabled(run)
    line = r'"C:\Program Files\Workdiary\Workdiary.exe" --data-dir "D:\My Data\wd" --minimized'
    assert registry.run_values() == {"Workdiary": (line, registry.REG_SZ)}
    autostart.set_enabled(True, command, target=run)  # idempotent
    assert registry.run_values() == {"Workdiary": (line, registry.REG_SZ)}
    autostart.set_enabled(True, [r"C:\Workdiary\Workdiary.exe", "--minimized"], target=run)  # replaces
    assert registry.run_values()["Workdiary"][0] == r"C:\Workdiary\Workdiary.exe --minimized"
    registry.run_values()["OtherApp"] = ("other.exe", registry.REG_SZ)
    autostart.set_enabled(False, target=run)
    assert registry.run_values() == {"OtherApp": ("other.exe", registry.REG_SZ)}  # only ours removed
    assert not autostart.is_enabled(run)
    autostart.set_enabled(False, target=run)  # twice is fine
    assert not autostart.is_enabled(autostart.backend("win32", registry=FakeRegistry()))  # no Run key at all
    autostart.set_enabled(False, target=autostart.backend("win32", registry=FakeRegistry()))


def test_the_run_value_quotes_python_and_a_data_dir_with_quotes():
    registry = FakeRegistry()
    command = [r"C:\Python 311\python.exe", "-m", "ui.app", "--data-dir", 'D:\\Work "Ana"\\', "--minimized"]
    autostart.set_enabled(True, command, target=autostart.backend("win32", registry=registry))
    line = registry.run_values()["Workdiary"][0]
    assert line == subprocess.list2cmdline(command)
    # quotes escaped, a trailing backslash doubled before the closing quote (CommandLineToArgvW's rules)
    assert line == r'"C:\Python 311\python.exe" -m ui.app --data-dir "D:\Work \"Ana\"\\" --minimized'


def test_a_failed_run_value_write_says_where():
    run = autostart.backend("win32", registry=FakeRegistry(fail_writes=True))
    with pytest.raises(StorageProblem) as raised:
        autostart.set_enabled(True, [r"C:\Workdiary\Workdiary.exe", "--minimized"], target=run)
    assert str(raised.value) == (
        "Could not write the Workdiary value under "
        r"HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run: Access is denied."
    )
    assert not autostart.is_enabled(run)


def test_a_run_value_windows_would_ignore_is_refused():
    registry = FakeRegistry()
    run = autostart.backend("win32", registry=registry)
    with pytest.raises(StorageProblem, match="at most 260; choose a data folder with a shorter path"):
        autostart.set_enabled(
            True, [r"C:\Workdiary\Workdiary.exe", "--data-dir", "D:\\" + "x" * 250], target=run
        )
    assert registry.run_values() == {}


# The Linux menu launcher


LAUNCHER = Path(__file__).resolve().parents[2] / "resources" / "workdiary.desktop"


def read_desktop_file(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    assert parser.sections() == ["Desktop Entry"]
    return dict(parser["Desktop Entry"])


def test_the_menu_launcher_is_a_valid_desktop_file():
    entry = read_desktop_file(LAUNCHER)
    for key, value in {
        "Type": "Application",
        "Name": "Workdiary",
        "GenericName": "Time tracker",
        "Exec": "workdiary %u",  # a workdiary:// link, when one is opened
        "MimeType": "x-scheme-handler/workdiary;",
        "Icon": "workdiary",
        "Terminal": "false",
        "Categories": "Office;ProjectManagement;",
        "StartupWMClass": "workdiary",  # QApplication.setDesktopFileName("workdiary")
    }.items():
        assert entry[key] == value, key
    assert entry["Comment"]
    assert (LAUNCHER.parent / f"{entry['Icon']}.svg").is_file()
    desktop_file_validate = Path("/usr/bin/desktop-file-validate")
    if desktop_file_validate.exists():  # from desktop-file-utils, when installed
        result = subprocess.run([desktop_file_validate, LAUNCHER], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_installing_the_launcher_copies_it_and_the_icon(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    entry, icon = autostart.install_launcher(["/home/ana/My Apps/workdiary"])
    assert entry == data / "applications" / "workdiary.desktop"
    assert icon == data / "icons" / "hicolor" / "scalable" / "apps" / "workdiary.svg"
    assert icon.read_bytes() == (LAUNCHER.parent / "workdiary.svg").read_bytes()
    installed, shipped = read_desktop_file(entry), read_desktop_file(LAUNCHER)
    assert unescape_exec(installed.pop("Exec")) == ["/home/ana/My Apps/workdiary", "%u"]  # this installation
    shipped.pop("Exec")
    assert installed == shipped
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    autostart.install_launcher(["/usr/bin/workdiary"])  # again: replaced
    assert read_desktop_file(entry)["Exec"] == "/usr/bin/workdiary %u"
    autostart.uninstall_launcher()
    assert not entry.exists() and not icon.exists()


def test_the_launcher_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr(autostart.shutil, "which", lambda name: "/usr/local/bin/workdiary")
    assert autostart.main(["--install-launcher"]) == 0
    assert "applications/workdiary.desktop" in capsys.readouterr().out
    assert (
        read_desktop_file(tmp_path / "applications" / "workdiary.desktop")["Exec"]
        == "/usr/local/bin/workdiary %u"
    )
    assert autostart.main(["--uninstall-launcher"]) == 0
    assert not (tmp_path / "applications" / "workdiary.desktop").exists()


def test_a_failed_launcher_install_says_where(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    (tmp_path / "applications").write_text("a file where the folder should be")
    assert autostart.main(["--install-launcher"]) == 1
    assert capsys.readouterr().err.startswith(
        f"Could not write {tmp_path / 'applications' / 'workdiary.desktop'}: "
    )

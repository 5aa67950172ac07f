"""Start Workdiary at login, and the Linux menu launcher.

One API for the three systems (``supported()``, ``is_enabled()``, ``set_enabled()``); the system's
``Backend`` (``backend()``) does the writing:

- Linux and other freedesktop systems: an XDG autostart entry,
  ``$XDG_CONFIG_HOME/autostart/workdiary.desktop`` (``~/.config`` when the variable is unset).
- Windows: the value ``Workdiary`` under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``,
  the command line quoted with ``subprocess.list2cmdline``.
- macOS: a LaunchAgent, ``~/Library/LaunchAgents/org.workdiary.Workdiary.plist``, with
  ``RunAtLoad``; launchd reads it at the next login, so no ``launchctl`` call is needed.

Files that hold paths are written owner-only (0600), atomically. A failure raises StorageProblem.

``python -m ui.autostart --install-launcher`` copies ``resources/workdiary.desktop`` and the
icon to ``$XDG_DATA_HOME`` (``~/.local/share``) so that Workdiary shows in the Linux menus.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Protocol

from platformdirs.unix import Unix

from common.errors import StorageProblem
from ui.resources import resources_dir

FILE_NAME = "workdiary.desktop"
ICON_NAME = "workdiary"  # the themed icon: hicolor/scalable/apps/workdiary.svg
LAUNCH_AGENT_LABEL = "org.workdiary.Workdiary"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "Workdiary"
XDG = Unix()  # $XDG_CONFIG_HOME, $XDG_DATA_HOME and their defaults, as the freedesktop spec reads them
RUN_MAX_CHARS = 260  # Windows ignores longer Run entries
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")  # characters that make an Exec argument need quoting


class Backend(Protocol):
    def location(self) -> str: ...
    def is_enabled(self) -> bool: ...
    def enable(self, command: list[str]) -> None: ...
    def disable(self) -> None: ...


def supported() -> bool:
    """Linux (and other freedesktop systems), Windows and macOS all have a way to start at login."""
    return True


def backend(platform: str | None = None, *, home: Path | None = None, registry: Any = None) -> Backend:
    """The backend for ``platform`` (``sys.platform`` by default). ``home`` is where a macOS
    LaunchAgent goes (``~`` by default); ``registry`` is the ``winreg`` module or a stand-in."""
    platform = platform or sys.platform
    if platform == "win32":
        if registry is None:
            import winreg as registry
        return RunKey(registry)
    if platform == "darwin":
        return LaunchAgent(home)
    return XdgEntry()


def is_enabled(target: Backend | None = None) -> bool:
    return (target or backend()).is_enabled()


def set_enabled(enabled: bool, command: list[str] | None = None, target: Backend | None = None) -> None:
    """Write the start-at-login entry for ``command`` (``app_command()`` by default), replacing an
    older one, or remove it (removing a missing one is fine). StorageProblem on failure."""
    target = target or backend()
    if enabled:
        target.enable(command or app_command())
    else:
        target.disable()


def enable(command: list[str] | None = None) -> Path:
    """Write the Linux autostart entry (and its icon). Returns its path."""
    XdgEntry().enable(command or app_command())
    return entry_path()


def disable() -> None:
    XdgEntry().disable()


def app_command(data_dir: Path | None = None) -> list[str]:
    """How to start the app minimized: the frozen executable, the installed ``workdiary``
    script, or this Python with ``-m ui.app``; with the data directory when it is not the default."""
    if getattr(sys, "frozen", False):
        command = [sys.executable]
    elif script := shutil.which("workdiary"):
        command = [script]
    else:
        command = [sys.executable, "-m", "ui.app"]
    if data_dir is not None:
        command += ["--data-dir", str(Path(data_dir).resolve())]
    return [*command, "--minimized"]


def _problem(verb: str, where: object, error: OSError) -> StorageProblem:
    return StorageProblem(f"Could not {verb} {where}: {error.strerror or error}.")


def _write_private(path: Path, data: bytes) -> None:
    """Write ``path`` owner-only (0600) through a temporary file, so it is whole or absent."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.unlink(missing_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise _problem("write", path, error) from error


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        raise _problem("remove", path, error) from error


# Linux and other freedesktop systems


def entry_path() -> Path:
    return Path(XDG.user_config_dir) / "autostart" / FILE_NAME


def exec_line(command: list[str]) -> str:
    """The Desktop Entry ``Exec`` value: arguments with reserved characters double-quoted, with
    ``"`` `` ` `` ``$`` ``\\`` escaped inside quotes; ``%`` doubled (field codes are not wanted)."""
    words = []
    for argument in command:
        if not argument or any(char in _RESERVED for char in argument):
            escaped = "".join("\\" + char if char in '"`$\\' else char for char in argument)
            argument = f'"{escaped}"'
        words.append(argument.replace("%", "%%"))
    # The spec's string escapes apply to the whole value after the quoting rules.
    return " ".join(words).replace("\\", "\\\\")


def desktop_entry(command: list[str]) -> str:
    """The autostart entry; its icon is the themed ``workdiary`` that ``install_icon`` puts in the
    user's icon folder, so the entry never points into a checkout or an unpacked bundle."""
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Name=Workdiary",
        "Comment=Time tracker for freelancers: starts in the tray",
        f"Exec={exec_line(command)}",
        "Terminal=false",
        f"Icon={ICON_NAME}",
        "X-GNOME-Autostart-enabled=true",
    ]
    return "\n".join(lines) + "\n"


class XdgEntry:
    def location(self) -> str:
        return str(entry_path())

    def is_enabled(self) -> bool:
        return entry_path().is_file()

    def enable(self, command: list[str]) -> None:
        install_icon()
        _write_private(entry_path(), desktop_entry(command).encode())

    def disable(self) -> None:
        _remove(entry_path())


# macOS


class LaunchAgent:
    def __init__(self, home: Path | None = None) -> None:
        self.path = (home or Path.home()) / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"

    def location(self) -> str:
        return str(self.path)

    def is_enabled(self) -> bool:
        return self.path.is_file()

    def enable(self, command: list[str]) -> None:
        agent = {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": list(command),
            "RunAtLoad": True,
            "ProcessType": "Interactive",
        }
        _write_private(self.path, plistlib.dumps(agent))

    def disable(self) -> None:
        _remove(self.path)


# Windows


class RunKey:
    """The ``Workdiary`` value of the current user's Run key, through ``winreg`` (or a stand-in
    with the same functions and constants)."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry

    def location(self) -> str:
        return f"the {RUN_VALUE} value under HKEY_CURRENT_USER\\{RUN_KEY}"

    def is_enabled(self) -> bool:
        reg = self.registry
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_QUERY_VALUE) as key:
                reg.QueryValueEx(key, RUN_VALUE)
        except OSError:  # FileNotFoundError: no key or no value
            return False
        return True

    def enable(self, command: list[str]) -> None:
        line = subprocess.list2cmdline(command)
        if len(line) > RUN_MAX_CHARS:
            raise StorageProblem(
                f"Could not write {self.location()}: the command is {len(line)} characters long and "
                f"Windows runs at most {RUN_MAX_CHARS}; choose a data folder with a shorter path."
            )
        reg = self.registry
        try:
            with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.SetValueEx(key, RUN_VALUE, 0, reg.REG_SZ, line)
        except OSError as error:
            raise _problem("write", self.location(), error) from error

    def disable(self) -> None:
        reg = self.registry
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.DeleteValue(key, RUN_VALUE)
        except FileNotFoundError:
            return
        except OSError as error:
            raise _problem("remove", self.location(), error) from error


# The Linux menu launcher


def launcher_paths() -> tuple[Path, Path]:
    """Where the menu entry and the icon go."""
    base = Path(XDG.user_data_dir)
    return (
        base / "applications" / FILE_NAME,
        base / "icons" / "hicolor" / "scalable" / "apps" / f"{ICON_NAME}.svg",
    )


def install_icon(resources: Path | None = None) -> Path:
    """Copy the icon into the user's icon theme folder, where ``Icon=workdiary`` finds it."""
    icon = launcher_paths()[1]
    source = (resources or resources_dir()) / f"{ICON_NAME}.svg"
    try:
        svg = source.read_bytes()
    except OSError as error:
        raise _problem("read", source, error) from error
    try:
        icon.parent.mkdir(parents=True, exist_ok=True)
        icon.write_bytes(svg)
    except OSError as error:
        raise _problem("write", icon, error) from error
    return icon


def install_launcher(command: list[str] | None = None, resources: Path | None = None) -> tuple[Path, Path]:
    """Copy the menu entry and the icon into the user's data folder. The entry's ``Exec`` becomes
    ``command`` (the app as ``app_command`` finds it, not minimized), so that the menu starts this
    installation even when ``workdiary`` is not on the desktop session's PATH; with ``%u``, the
    ``workdiary://`` link the entry handles (``MimeType``), when one is opened."""
    resources = resources or resources_dir()
    entry = launcher_paths()[0]
    command = command or [word for word in app_command() if word != "--minimized"]
    try:
        text = (resources / FILE_NAME).read_text(encoding="utf-8")
    except OSError as error:
        raise _problem("read", error.filename or resources, error) from error
    lines = [
        f"Exec={exec_line(command)} %u" if line.startswith("Exec=") else line for line in text.splitlines()
    ]
    _write_private(entry, ("\n".join(lines) + "\n").encode())
    return entry, install_icon(resources)


def uninstall_launcher() -> None:
    for path in launcher_paths():
        _remove(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.autostart", description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--install-launcher", action="store_true", help="add Workdiary to the Linux menus")
    action.add_argument("--uninstall-launcher", action="store_true", help="remove it from the menus")
    arguments = parser.parse_args(argv)
    try:
        if arguments.install_launcher:
            for path in install_launcher():
                print(f"Wrote {path}")
        else:
            uninstall_launcher()
            print("Removed the Workdiary menu entry and icon.")
    except StorageProblem as problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

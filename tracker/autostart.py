"""Start Workdiary at login.

Linux (and other freedesktop systems): an XDG autostart entry,
``$XDG_CONFIG_HOME/autostart/workdiary.desktop`` (``~/.config`` when the variable is unset).
Windows and macOS come later: there ``supported()`` is False and the app says so.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path

from tracker.errors import StorageProblem

FILE_NAME = "workdiary.desktop"
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")  # characters that make an Exec argument need quoting


def supported() -> bool:
    return sys.platform not in ("win32", "darwin")


def entry_path() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME", "").strip()
    base = Path(config) if config and Path(config).is_absolute() else Path.home() / ".config"
    return base / "autostart" / FILE_NAME


def is_enabled() -> bool:
    return supported() and entry_path().is_file()


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


def desktop_entry(command: list[str], icon: str = "") -> str:
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Name=Workdiary",
        "Comment=Time tracker for freelancers: starts in the tray",
        f"Exec={exec_line(command)}",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
    ]
    if icon:
        lines.append(f"Icon={icon}")
    return "\n".join(lines) + "\n"


def enable(command: list[str] | None = None, icon: str = "") -> Path:
    """Write the autostart entry (replacing an older one). Returns its path."""
    if not supported():
        raise NotImplementedError("Starting at login is not available on this system yet.")
    path = entry_path()
    text = desktop_entry(command or app_command(), icon)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise StorageProblem(f"Could not write {path}: {error.strerror or error}.") from error
    return path


def disable() -> None:
    """Remove the autostart entry, if there is one."""
    if not supported():
        return
    try:
        entry_path().unlink(missing_ok=True)
    except OSError as error:
        raise StorageProblem(f"Could not remove {entry_path()}: {error.strerror or error}.") from error


def set_enabled(enabled: bool, command: list[str] | None = None, icon: str = "") -> None:
    if enabled:
        enable(command, icon)
    else:
        disable()

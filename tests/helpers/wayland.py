"""Headless Wayland desktops for the tests: sway (wlroots) and GNOME (gnome-shell, or mutter alone),
each with its own session bus, run as an unprivileged user in a PID namespace of its own.

Why this shape (see ../shared/platform/wayland.md for what was checked):
- sway refuses to run as root, so every stack runs as ``USER`` (nobody) through ``setpriv``.
- ``unshare --pid --fork --mount-proc`` puts the stack in a PID namespace whose first process is
  the stack's script: killing it makes the kernel end every process of the stack, bus-activated
  helpers (portal backends, the permission store) included, so nothing is left running.
- Each stack has a private 0700 ``XDG_RUNTIME_DIR`` and home under one temporary folder, removed
  on the way out.

How the code under test reaches the stack: it runs *inside* it, as the session's user.
``Stack.command(argv)`` is the command line that runs ``argv`` in the stack's PID and mount
namespaces as that user, in the session's environment (``nsenter``, ``setpriv``, ``env -i``). The
tests run the tracker's own child entry point this way (``python -m tracker.capture.isolated``,
which the headless tracker runs for each screenshot) by pointing ``tracker.children.command`` at
the stack. The test process itself (root, outside) cannot stand in: the session bus lets in only
its own user, and, let in, the portal refuses a caller whose ``/proc/PID/root`` it may not open
("Portal operation not allowed"), as it may not a root process's. Where this Python lies in a
folder only root may enter (/root/.pyenv), the stack's mount namespace covers that folder with one
that holds only the way to Python. Folders the code under test writes to must be the user's:
``Stack.folder()``.

Where a package is missing the fixtures fail, naming it: CI installs them all
(scripts/install-system-deps), so a missing one is a broken machine, not a reason to skip.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

USER = 65534  # nobody
START_TIMEOUT_S = 30.0
RUN_TIMEOUT_S = 60.0
WLR_PORTAL, PORTAL = "/usr/libexec/xdg-desktop-portal-wlr", "/usr/libexec/xdg-desktop-portal"
SWAY_PROGRAMS = {
    "sway": "sway",
    "swaybg": "swaybg",
    "swaymsg": "sway",
    "grim": "grim",
    "wtype": "wtype",
    "pipewire": "pipewire",
    WLR_PORTAL: "xdg-desktop-portal-wlr",
    PORTAL: "xdg-desktop-portal",
    "/usr/libexec/xdg-desktop-portal-gtk": "xdg-desktop-portal-gtk",
    "dbus-daemon": "dbus-daemon",
    "unshare": "util-linux",
    "nsenter": "util-linux",
}
GNOME_PROGRAMS = {
    "gnome-shell": "gnome-shell",
    "mutter": "mutter",
    "/usr/libexec/xdg-desktop-portal-gnome": "xdg-desktop-portal-gnome",
    PORTAL: "xdg-desktop-portal",
    "dbus-daemon": "dbus-daemon",
    "unshare": "util-linux",
    "nsenter": "util-linux",
}
# A rectangle of a wallpaper: left, top, width, height (in the output's pixels), (red, green, blue).
Rectangle = tuple[int, int, int, int, tuple[int, int, int]]

WAIT_FOR_BUS_NAME = """
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
    org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q true; do sleep 0.02; done
"""
START_SESSION_BUS = """
dbus-daemon --session --address="$DBUS_SESSION_BUS_ADDRESS" --nofork --nopidfile --print-address=3 \\
    3>"$XDG_RUNTIME_DIR/bus-address" &
until [ -s "$XDG_RUNTIME_DIR/bus-address" ]; do sleep 0.01; done
"""
SWAY_SCRIPT = f"""set -eu
exec 9>&1 >&2  # stdout: only the ready line
wait_for_bus_name() {{ {WAIT_FOR_BUS_NAME} }}
{START_SESSION_BUS}
WLR_BACKENDS=headless WLR_HEADLESS_OUTPUTS="$OUTPUTS" WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman \\
    sway -c "$HOME/sway.config" >"$HOME/sway.log" 2>&1 &
until [ -S "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY" ]; do sleep 0.01; done
until SWAYSOCK=$(ls "$XDG_RUNTIME_DIR"/sway-ipc.*.sock 2>/dev/null); do sleep 0.01; done
export SWAYSOCK
dbus-update-activation-environment WAYLAND_DISPLAY XDG_CURRENT_DESKTOP XDG_RUNTIME_DIR SWAYSOCK
pipewire >"$HOME/pipewire.log" 2>&1 &
until [ -S "$XDG_RUNTIME_DIR/pipewire-0" ]; do sleep 0.01; done
{WLR_PORTAL} >"$HOME/portal-wlr.log" 2>&1 &
{PORTAL} >"$HOME/portal.log" 2>&1 &
wait_for_bus_name org.freedesktop.portal.Desktop
echo "ready $SWAYSOCK" >&9
wait
"""
# gnome-shell, outside systemd, needs an empty /run/systemd (mounted by root in the stack's own
# mount namespace) and a system bus that lets it do anything (a private one).
GNOME_SYSTEM_BUS = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={path}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/>
  </policy>
</busconfig>
"""
MOUNT_RUN_SYSTEMD = "if [ -d /run/systemd ]; then mount -t tmpfs tmpfs /run/systemd; fi"
GNOME_SCRIPT = f"""set -eu
exec 9>&1 >&2  # stdout: only the ready line
wait_for_bus_name() {{ {WAIT_FOR_BUS_NAME} }}
dbus-daemon --config-file="$HOME/system-bus.conf" --nofork --nopidfile &
{START_SESSION_BUS}
dbus-update-activation-environment WAYLAND_DISPLAY XDG_CURRENT_DESKTOP XDG_RUNTIME_DIR XDG_SESSION_TYPE
if [ -n "$SCREENSHOT_PERMISSION" ]; then
  dbus-send --session --print-reply --dest=org.freedesktop.impl.portal.PermissionStore \\
    /org/freedesktop/impl/portal/PermissionStore org.freedesktop.impl.portal.PermissionStore.SetPermission \\
    string:screenshot boolean:true string:screenshot string: "array:string:$SCREENSHOT_PERMISSION" >/dev/null
fi
"$SHELL_PROGRAM" --headless --wayland --no-x11 --wayland-display="$WAYLAND_DISPLAY" \\
    --virtual-monitor 1280x720 >"$HOME/shell.log" 2>&1 &
wait_for_bus_name org.gnome.Mutter.IdleMonitor
if [ "$SHELL_PROGRAM" = gnome-shell ]; then
  {PORTAL} >"$HOME/portal.log" 2>&1 &
  wait_for_bus_name org.freedesktop.portal.Desktop
fi
echo ready >&9
wait
"""


def require(programs: dict[str, str]) -> None:
    """Fails the test, naming the Debian packages, where one of ``programs`` (names looked up on the
    PATH, or absolute paths of programs and libraries) is not installed."""
    missing = sorted(
        {
            package
            for program, package in programs.items()
            if not (os.path.exists(program) if os.path.isabs(program) else shutil.which(program))
        }
    )
    if missing:
        pytest.fail(
            f"The Wayland tests need the Debian packages {', '.join(missing)}: "
            "run scripts/install-system-deps.",
            pytrace=False,
        )


class Stack:
    """A running headless desktop: its session's environment, and commands run inside it."""

    def __init__(self, root: Path, env: dict[str, str], launcher: subprocess.Popen) -> None:
        self.root = root
        self.env = env
        self.launcher = launcher
        self.first_pid = _first_child(launcher.pid)
        self.ready_line = ""
        self.pid_namespace = os.stat(f"/proc/{self.first_pid}/ns/pid").st_ino

    def command(self, argv: Sequence[str], **env: str) -> list[str]:
        """``argv`` run in the stack as its user, in the session's environment changed by ``env``."""
        session = [f"{name}={value}" for name, value in (self.env | env).items()]
        return [
            "nsenter", f"--target={self.first_pid}", "--pid", "--mount", "--",
            "setpriv", f"--reuid={USER}", f"--regid={USER}", "--clear-groups",
            "env", "-i", *session, *argv,
        ]  # fmt: skip

    def run(self, argv: Sequence[str], check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(self.command(argv), capture_output=True, check=check, timeout=RUN_TIMEOUT_S)

    def folder(self, name: str) -> Path:
        """A new folder in the stack's home, which the stack's user may write to."""
        folder = Path(self.env["HOME"]) / name
        folder.mkdir(mode=0o700)
        os.chown(folder, USER, USER)
        return folder

    def processes(self) -> list[int]:
        """The PIDs (outside) of the processes in the stack's PID namespace."""
        return [pid for pid in _all_pids() if _pid_namespace(pid) == self.pid_namespace]

    def log(self, name: str) -> str:
        path = Path(self.env["HOME"]) / name
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.first_pid, signal.SIGKILL)  # the kernel ends the whole namespace with it
        self.launcher.wait(10)
        if self.launcher.stdout:
            self.launcher.stdout.close()


@contextmanager
def sway_stack(
    wallpapers: Sequence[Sequence[Rectangle] | QImage] = (),
    size: tuple[int, int] = (1280, 720),
    xwayland: bool = False,
) -> Iterator[Stack]:
    """sway, headless, with PipeWire and the desktop portal (wlr backend). One output per entry of
    ``wallpapers`` (an image, or rectangles on black), side by side, its size, and shown on it
    before this returns; without any, one ``size`` output in a solid colour. With ``xwayland``,
    XWayland runs too, and the stack's ``DISPLAY`` is its display."""
    require(SWAY_PROGRAMS | ({"Xwayland": "xwayland"} if xwayland else {}))
    images = [_wallpaper(entry) for entry in wallpapers or [[(0, 0, *size, (51, 102, 153))]]]
    with _home() as root:
        home = root / "home"
        config, left = ["xwayland force" if xwayland else "xwayland disable"], 0
        if xwayland:
            config.append(f"exec echo $DISPLAY >{home / 'display'}")
        for number, image in enumerate(images, start=1):
            picture = home / f"wallpaper-{number}.png"
            image.save(str(picture), "PNG")
            os.chown(picture, USER, USER)
            config.append(
                f"output HEADLESS-{number} resolution {image.width()}x{image.height()} position {left} 0 "
                f"bg {picture} stretch"
            )
            left += image.width()
        (home / "sway.config").write_text("\n".join(config) + "\n")
        env = _session_env(root, "sway", "wayland-1")
        stack = _launch(root, env, SWAY_SCRIPT, {"OUTPUTS": str(len(images))})
        try:
            stack.env["SWAYSOCK"] = stack.ready_line.split()[1]
            if xwayland:
                stack.env["DISPLAY"] = _xwayland_display(home / "display")
            _wait_for_wallpapers(stack, images)
            yield stack
        finally:
            stack.stop()


# A Qt window whose app (Wayland app id, X11 WM_CLASS) and title are the first two arguments; it
# exits when its standard input closes (killing nsenter would leave the process it forked in the stack).
QT_WINDOW = """import os, sys, threading
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel
QApplication.setApplicationName(sys.argv[1])
app = QApplication(sys.argv[:1])
QGuiApplication.setDesktopFileName(sys.argv[1])
label = QLabel("a window")
label.setWindowTitle(sys.argv[2])
label.show()
app.exec()
"""


@contextmanager
def qt_window(stack: Stack, app: str, title: str, platform: str = "wayland") -> Iterator[subprocess.Popen]:
    """A Qt window (``app`` and ``title``) in a sway ``stack``, on Wayland or (``platform`` "xcb")
    on XWayland, in sway's tree when this returns, out of it after."""
    window = subprocess.Popen(
        stack.command([sys.executable, "-c", QT_WINDOW, app, title], QT_QPA_PLATFORM=platform),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_window(stack, title, window, listed=True)
        yield window
    finally:
        window.stdin.close()  # type: ignore[union-attr]
        window.wait(10)
        _wait_for_window(stack, title, window, listed=False)


def _wait_for_window(stack: Stack, title: str, window: subprocess.Popen, listed: bool) -> None:
    from tracker.capture.sway import GET_TREE, request

    deadline = time.monotonic() + START_TIMEOUT_S
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SWAYSOCK", stack.env["SWAYSOCK"])
        while (f'"name": {json.dumps(title)}' in json.dumps(request(GET_TREE))) != listed:
            if (listed and window.poll() is not None) or time.monotonic() > deadline:
                pytest.fail(f"the Qt window {title!r} did not {'open' if listed else 'close'}", pytrace=False)


@contextmanager
def gnome_stack(
    screenshot_permission: str = "yes", shell: bool = True, background: tuple[int, int, int] = (51, 102, 153)
) -> Iterator[Stack]:
    """GNOME, headless, on a 1280×720 virtual monitor: gnome-shell with the desktop portal (GNOME
    backend) and the screenshot permission preset to ``screenshot_permission`` ("yes", "no", or ""
    to leave it unset, when the portal would ask); or, with ``shell=False``, mutter alone (its
    IdleMonitor and RemoteDesktop for idle time and injected input; no portal), which starts faster.
    The desktop's background is ``background``: gnome-shell starts in the overview, which shows it
    in the middle (its workspace) on the shell's dark grey.
    """
    require(GNOME_PROGRAMS)
    with _home() as root:
        home = root / "home"
        system_bus = root / "runtime" / "system_bus"
        (home / "system-bus.conf").write_text(GNOME_SYSTEM_BUS.format(path=system_bus))
        settings = home / ".config" / "glib-2.0" / "settings"
        settings.mkdir(parents=True)
        red, green, blue = background
        (settings / "keyfile").write_text(
            f"[org/gnome/desktop/background]\nprimary-color='#{red:02x}{green:02x}{blue:02x}'\n"
            "color-shading-type='solid'\npicture-uri=''\npicture-uri-dark=''\n"
        )
        for path in [home / ".config", *(home / ".config").rglob("*")]:
            os.chown(path, USER, USER)
        env = _session_env(root, "GNOME", "wayland-9") | {
            "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={system_bus}",
            "GSETTINGS_BACKEND": "keyfile",  # settings from the home's keyfile, not dconf
        }
        launch_env = {
            "SCREENSHOT_PERMISSION": screenshot_permission,
            "SHELL_PROGRAM": "gnome-shell" if shell else "mutter",
        }
        stack = _launch(root, env, GNOME_SCRIPT, launch_env, as_root=MOUNT_RUN_SYSTEMD)
        try:
            yield stack
        finally:
            stack.stop()


@contextmanager
def _home() -> Iterator[Path]:
    """A temporary folder with the stack's home and its runtime folder, both the stack user's."""
    root = Path(tempfile.mkdtemp(prefix="workdiary-wayland-"))
    os.chmod(root, 0o755)
    try:
        for name in ("home", "runtime"):
            (root / name).mkdir(mode=0o700)
            os.chown(root / name, USER, USER)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _session_env(root: Path, desktop: str, display: str) -> dict[str, str]:
    runtime = root / "runtime"
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(root / "home"),
        "LANG": "C.UTF-8",
        "XDG_RUNTIME_DIR": str(runtime),
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={runtime / 'bus'}",
        "WAYLAND_DISPLAY": display,
        "XDG_CURRENT_DESKTOP": desktop,
        "XDG_SESSION_TYPE": "wayland",
    }


def _launch(
    root: Path, env: dict[str, str], script: str, launch_env: dict[str, str], as_root: str = ""
) -> Stack:
    """Starts ``script`` as the stack's first process (after ``as_root``, run as root in the stack's
    own mount namespace), in ``env`` plus ``launch_env``, and waits for its "ready" line."""
    script_path = root / "stack.sh"
    script_path.write_text(script)
    as_root = f"{_reach_python(root)}\n{as_root}"
    become_user = f"exec setpriv --reuid={USER} --regid={USER} --clear-groups sh {script_path}"
    with open(root / "stack.log", "wb") as log:  # not a pipe: nobody would read it while running
        launcher = subprocess.Popen(
            [
                "unshare",
                "--pid",
                "--fork",
                "--kill-child",
                "--mount-proc",
                "sh",
                "-c",
                f"{as_root}\n{become_user}",
            ],
            env=env | launch_env,
            cwd=env["HOME"],
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,
        )
    stack = Stack(root, env, launcher)
    ready, _, _ = select.select([launcher.stdout], [], [], START_TIMEOUT_S)
    stack.ready_line = launcher.stdout.readline().decode() if ready else ""  # type: ignore[union-attr]
    if not stack.ready_line.startswith("ready"):
        stack.stop()
        logs = {
            name: stack.log(name)[-3000:]
            for name in ("sway.log", "shell.log", "portal.log", "portal-wlr.log")
        }
        error = (root / "stack.log").read_text(errors="replace")[-3000:]
        pytest.fail(f"The Wayland stack did not start: {error}\n{logs}", pytrace=False)
    return stack


def _reach_python(root: Path) -> str:
    """Shell commands, run as root in the stack's mount namespace, that let the stack's user reach
    this Python where it is in a folder only root may enter (/root/.pyenv): that folder is covered
    there with an empty one holding only the way to Python."""
    ways: dict[Path, set[Path]] = {}
    for path in (Path(sys.executable).resolve(), Path(sys.base_prefix).resolve()):
        for folder, inside in zip(reversed(path.parents), [*reversed(path.parents[:-1]), path], strict=True):
            if not os.stat(folder).st_mode & stat.S_IXOTH:
                ways.setdefault(folder, set()).add(inside)
                break
    commands = []
    for number, (folder, insides) in enumerate(ways.items()):
        kept = [(inside, root / f"reach-{number}-{inside.name}") for inside in sorted(insides)]
        commands += [f"mkdir {aside} && mount --bind {inside} {aside}" for inside, aside in kept]
        commands.append(f"mount -t tmpfs -o mode=755 tmpfs {folder}")
        commands += [f"mkdir {inside} && mount --bind {aside} {inside}" for inside, aside in kept]
    return "\n".join(commands)


def _wallpaper(entry: Sequence[Rectangle] | QImage) -> QImage:
    from PySide6.QtGui import QColor, QImage, QPainter

    if isinstance(entry, QImage):
        return entry
    width, height = max(x + w for x, _, w, _, _ in entry), max(y + h for _, y, _, h, _ in entry)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(0, 0, 0))
    painter = QPainter(image)
    for left, top, w, h, colour in entry:
        painter.fillRect(left, top, w, h, QColor(*colour))
    painter.end()
    return image


def _xwayland_display(written: Path) -> str:
    """The DISPLAY sway gives its programs, once XWayland is up: sway's first ``exec`` writes it."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while not (written.exists() and (display := written.read_text().strip())):
        if time.monotonic() > deadline:
            pytest.fail("XWayland did not start in sway", pytrace=False)
    return display


def _wait_for_wallpapers(stack: Stack, images: Sequence[QImage]) -> None:
    """Until grim sees each wallpaper on its output, at five points: swaybg draws them a moment
    after sway starts."""
    from PySide6.QtGui import QImage

    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        grab = QImage.fromData(stack.run(["grim", "-t", "png", "-"]).stdout)
        left, shown = 0, True
        for image in images:
            w, h = image.width(), image.height()
            for x, y in [
                (w // 2, h // 2),
                (w // 4, h // 4),
                (3 * w // 4, h // 4),
                (w // 4, 3 * h // 4),
                (3 * w // 4, 3 * h // 4),
            ]:
                shown = shown and grab.pixel(left + x, y) == image.pixel(x, y)
            left += w
        if shown:
            return
        if time.monotonic() > deadline:
            pytest.fail("sway did not show the wallpapers", pytrace=False)


def _first_child(pid: int) -> int:
    """The first process of the launcher's PID namespace (its only child)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    children = Path(f"/proc/{pid}/task/{pid}/children")
    while not (text := children.read_text().strip()):
        if time.monotonic() > deadline:
            raise RuntimeError("unshare did not start the stack")
    return int(text.split()[0])


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _pid_namespace(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}/ns/pid").st_ino
    except OSError:  # gone meanwhile
        return None

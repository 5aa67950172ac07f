"""Screenshots in a Wayland session, where no application may read the screen by itself: through
the desktop portal (``org.freedesktop.portal.Screenshot``, over D-Bus with jeepney), or with
``grim`` (wlr-screencopy) on a wlroots compositor where no portal answers.

The portal hands over the whole desktop as one PNG file, which it leaves behind (GNOME numbers
them in the home folder, xdg-desktop-portal-wlr overwrites one in the temporary folder): it is read
at once and deleted, then encoded like an mss grab. It gives no outputs, so its screenshot is
monitor 1 whatever monitors the settings choose; grim on sway grabs each output sway lists.

GNOME asks the user once ("Allow Applications to Take Screenshots?") and remembers the answer in
the portal's permission store; a refusal gives a capture with ``NOT_ALLOWED`` and no image.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

from PySide6.QtGui import QImage

from common.errors import EnvironmentProblem
from tracker.capture import Capture, CapturedImage
from tracker.capture.imaging import DEFAULT_FORMAT, check_format, is_uniform, write_private_files
from tracker.capture.screen import BLANK_SCREEN, PRIVATE_APPS_UNRECOGNISED, encode_grab
from tracker.capture.session import Session

CALL_TIMEOUT_S = 5.0
# The first screenshot on GNOME waits for the user's answer to the "Allow…?" question.
ANSWER_TIMEOUT_S = 40.0
GRIM_TIMEOUT_S = 10.0
NOT_ALLOWED = "not allowed by the desktop"
GNOME_ALLOW = (
    "GNOME asked “Allow Applications to Take Screenshots?” and the answer was no. To allow it, run "
    "in a terminal: gdbus call --session --dest org.freedesktop.impl.portal.PermissionStore "
    "--object-path /org/freedesktop/impl/portal/PermissionStore --method "
    "org.freedesktop.impl.portal.PermissionStore.SetPermission screenshot true screenshot '' \"['yes']\""
)
OTHER_ALLOW = "Allow screenshots for Workdiary in your desktop's privacy settings."
PORTAL_FIX = (
    "Install your desktop's portal (xdg-desktop-portal with xdg-desktop-portal-gnome, -kde or -wlr) "
    "and log in again, or log in with an X11 session."
)


class NoPortal(Exception):
    """No desktop portal with a Screenshot interface answers on the session bus."""


class Refused(Exception):
    """The portal answered that the screenshot is not allowed (or the user cancelled it)."""


def not_allowed_note(session: Session) -> str:
    """The capture's note when the desktop refused: what happened and how to allow it."""
    return f"{NOT_ALLOWED}. {GNOME_ALLOW if session.is_gnome else OTHER_ALLOW}"


def portal_screenshot() -> bytes:
    """The whole desktop as the portal's file (PNG), which is deleted once read. Raises NoPortal,
    Refused, or EnvironmentProblem when the portal takes too long to answer."""
    from jeepney import DBusAddress, MatchRule, message_bus, new_method_call
    from jeepney.io.blocking import Proxy, open_dbus_connection
    from jeepney.wrappers import DBusErrorResponse, unwrap_msg

    try:
        connection = open_dbus_connection("SESSION")
    except (KeyError, OSError) as error:  # KeyError: DBUS_SESSION_BUS_ADDRESS is not set
        raise NoPortal(f"no session bus: {error}") from error
    with connection:
        token = f"workdiary_{secrets.token_hex(8)}"
        sender = connection.unique_name.lstrip(":").replace(".", "_")
        response_rule = MatchRule(
            type="signal",
            interface="org.freedesktop.portal.Request",
            member="Response",
            path=f"/org/freedesktop/portal/desktop/request/{sender}/{token}",
        )
        # Subscribed before the call: a portal that needs no dialog answers before its reply.
        Proxy(message_bus, connection, timeout=CALL_TIMEOUT_S).AddMatch(response_rule)
        portal = DBusAddress(
            "/org/freedesktop/portal/desktop",
            bus_name="org.freedesktop.portal.Desktop",
            interface="org.freedesktop.portal.Screenshot",
        )
        options = {"handle_token": ("s", token), "interactive": ("b", False)}
        call = new_method_call(portal, "Screenshot", "sa{sv}", ("", options))
        with connection.filter(response_rule) as responses:
            try:
                unwrap_msg(connection.send_and_get_reply(call, timeout=CALL_TIMEOUT_S))
                response = connection.recv_until_filtered(responses, timeout=ANSWER_TIMEOUT_S)
            except DBusErrorResponse as error:  # no portal service, or no Screenshot in it
                raise NoPortal(str(error)) from error
            except TimeoutError as error:
                raise EnvironmentProblem(
                    "Screenshots cannot be taken: the desktop portal did not answer in time.",
                    "Answer the desktop's question about screenshots, if it asks one.",
                ) from error
    code, results = response.body
    if code != 0:
        raise Refused(code)
    path = Path(unquote(urlparse(results["uri"][1]).path))
    try:
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


def grim_screenshots() -> list[bytes]:
    """PNG grabs by grim: one per output where sway lists them, else the whole desktop."""
    outputs: list[str] = []
    if os.environ.get("SWAYSOCK") and shutil.which("swaymsg"):
        listed = _run(["swaymsg", "-t", "get_outputs", "-r"])
        outputs = [output["name"] for output in json.loads(listed) if output.get("active")]
    if not outputs:
        return [_run(["grim", "-t", "png", "-"])]
    return [_run(["grim", "-t", "png", "-o", name, "-"]) for name in outputs]


def _run(command: list[str]) -> bytes:
    try:
        return subprocess.run(command, capture_output=True, check=True, timeout=GRIM_TIMEOUT_S).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise EnvironmentProblem(
            f"Screenshots cannot be taken: {command[0]} failed ({error}).", PORTAL_FIX
        ) from error


class PortalCapturer:
    """The Wayland counterpart of MssCapturer: the same files, digests and black-screen check."""

    def __init__(
        self,
        session: Session,
        fmt: str = DEFAULT_FORMAT,
        qualities: tuple[int, ...] = (),  # QUALITIES[fmt]
        private_apps: tuple[str, ...] = (),
    ) -> None:
        check_format(fmt)
        self.backend = "the desktop portal" + (" (grim where none answers)" if session.is_wlroots else "")
        self.session = session
        self.fmt = fmt
        self.qualities = qualities
        self.private_apps = private_apps

    def capture(self, directory: Path, stem: str) -> Capture:
        try:
            grabs = [portal_screenshot()]
        except Refused:
            return Capture([], note=not_allowed_note(self.session))
        except NoPortal as no_portal:
            if not (self.session.is_wlroots and shutil.which("grim")):
                raise EnvironmentProblem(
                    f"Screenshots cannot be taken: no desktop portal answers ({no_portal}).", PORTAL_FIX
                ) from no_portal
            grabs = grim_screenshots()
        files: dict[Path, bytes] = {}
        images: list[CapturedImage] = []
        all_uniform = True
        for number, png in enumerate(grabs, start=1):
            image = QImage.fromData(png).convertToFormat(QImage.Format.Format_RGB32)
            if image.isNull():
                raise EnvironmentProblem(
                    "Screenshots cannot be taken: the desktop's screenshot is not an image.", PORTAL_FIX
                )
            all_uniform = all_uniform and is_uniform(image.constBits(), image.width(), image.height())
            images.append(encode_grab(files, directory, stem, number, image, self.fmt, self.qualities))
        write_private_files(files)
        if all_uniform:
            return Capture(images, BLANK_SCREEN)
        return Capture(images, PRIVATE_APPS_UNRECOGNISED if self.private_apps else "")

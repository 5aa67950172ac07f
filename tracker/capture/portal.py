"""Screenshots in a Wayland session, where no application may read the screen by itself: through
the desktop portal (``org.freedesktop.portal.Screenshot``, over D-Bus with jeepney), or with
``grim`` (wlr-screencopy) on a wlroots compositor where no portal answers.

The portal hands over the whole desktop as one PNG file, which it leaves behind (GNOME numbers
them in the home folder, xdg-desktop-portal-wlr overwrites one in the temporary folder): it is read
at once and deleted, then encoded like an mss grab. It gives no outputs, so its screenshot is
monitor 1 whatever monitors the settings choose; grim on sway grabs each output sway lists.

GNOME asks the user once ("Allow Applications to Take Screenshots?") and remembers the answer in
the portal's permission store; a refusal gives a capture with ``NOT_ALLOWED`` and no image.
``screenshot_permission`` reads that answer beforehand, so that the app can say what is coming.
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
from tracker.capture.session import WAYLAND, Session

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
GNOME_WILL_ASK = (
    "Workdiary's first screenshot makes GNOME ask “Allow Applications to Take Screenshots?”: answer "
    "Allow. GNOME asks once; without it Workdiary takes no screenshots."
)
OTHER_ALLOW = "Allow screenshots for Workdiary in your desktop's privacy settings."
PORTAL_FIX = (
    "Install your desktop's portal (xdg-desktop-portal with xdg-desktop-portal-gnome, -kde or -wlr) "
    "and log in again, or log in with an X11 session."
)


# What GNOME's portal remembers of its question (``screenshot_permission``); UNKNOWN: no permission
# store answers (not GNOME's portal, or no session bus).
GIVEN, REFUSED, WILL_ASK, UNKNOWN = "given", "refused", "will ask", "unknown"
PERMISSION_STORE = "org.freedesktop.impl.portal.PermissionStore"
# The portal's table and entry for screenshots taken without a dialog; an app outside Flatpak and
# Snap (Workdiary) has the app id "".
SCREENSHOT_TABLE = SCREENSHOT_ENTRY = "screenshot"
UNSANDBOXED_APP = ""


class NoPortal(Exception):
    """No desktop portal with a Screenshot interface answers on the session bus."""


class Refused(Exception):
    """The portal answered that the screenshot is not allowed (or the user cancelled it)."""


def not_allowed_note(session: Session) -> str:
    """The capture's note when the desktop refused: what happened and how to allow it."""
    return f"{NOT_ALLOWED}. {GNOME_ALLOW if session.is_gnome else OTHER_ALLOW}"


def screenshot_permission() -> str:
    """GIVEN, REFUSED or WILL_ASK: the answer the portal's permission store keeps for screenshots
    (``Lookup('screenshot', 'screenshot')``); WILL_ASK also where the entry is missing (never
    asked) or says "ask" (asked every time). UNKNOWN where no permission store answers."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.wrappers import DBusErrorResponse, unwrap_msg

    store = DBusAddress(
        "/org/freedesktop/impl/portal/PermissionStore", bus_name=PERMISSION_STORE, interface=PERMISSION_STORE
    )
    lookup = new_method_call(store, "Lookup", "ss", (SCREENSHOT_TABLE, SCREENSHOT_ENTRY))
    try:
        with open_dbus_connection("SESSION") as connection:
            permissions, _data = unwrap_msg(connection.send_and_get_reply(lookup, timeout=CALL_TIMEOUT_S))
    except DBusErrorResponse as error:
        return WILL_ASK if error.name == "org.freedesktop.portal.Error.NotFound" else UNKNOWN
    except (KeyError, OSError, TimeoutError):  # KeyError: DBUS_SESSION_BUS_ADDRESS is not set
        return UNKNOWN
    answer = permissions.get(UNSANDBOXED_APP, [])
    return {"yes": GIVEN, "no": REFUSED}.get(answer[0] if answer else "", WILL_ASK)


def before_the_first_screenshot(session: Session) -> str:
    """What to tell the user before the first screenshot ("" where nothing): in a GNOME Wayland
    session, the question GNOME will ask and what to answer, or that it was refused and how to
    allow it."""
    if session.kind != WAYLAND or not session.is_gnome:
        return ""
    permission = screenshot_permission()
    if permission == WILL_ASK:
        return GNOME_WILL_ASK
    if permission == REFUSED:
        return f"No screenshots: {not_allowed_note(session)}"
    return ""


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

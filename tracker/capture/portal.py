"""Screenshots in a Wayland session, where no application may read the screen by itself: through
the desktop portal (``org.freedesktop.portal.Screenshot``, over D-Bus with jeepney), or with
``grim`` (wlr-screencopy) on a wlroots compositor where the portal gives none (no portal answers,
it answers late, with an error, or with a file that is not an image; the log says why).

The portal hands over the whole desktop as one PNG file, which it leaves behind (GNOME numbers
them in the home folder, xdg-desktop-portal-wlr overwrites one in the temporary folder): it is read
at once and deleted, then encoded like an mss grab. It gives no outputs: on sway, whose IPC lists
them, the desktop is cut into the chosen outputs (grim grabs each chosen output itself); elsewhere
the screenshot is the whole desktop, monitor 1, whatever monitors the settings choose.

GNOME asks the user once ("Allow Applications to Take Screenshots?") and remembers the answer in
the portal's permission store; a refusal gives a capture with ``NOT_ALLOWED`` and no image.
``screenshot_permission`` reads that answer beforehand, so that the app can say what is coming.
Private apps are left out where sway lists its windows; elsewhere the capture says they are not
recognised.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

from PySide6.QtGui import QImage

from common.errors import EnvironmentProblem
from tracker.capture import Capture, CapturedImage, sway
from tracker.capture.imaging import DEFAULT_FORMAT, check_format, is_uniform, write_private_files
from tracker.capture.screen import BLANK_SCREEN, PRIVATE_APPS_UNRECOGNISED, encode_grab, no_monitor_note
from tracker.capture.session import WAYLAND, Session
from tracker.capture.windows import private_app_shown

log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 5.0
# The first screenshot on GNOME waits for the user's answer to the "Allow…?" question.
ANSWER_TIMEOUT_S = 40.0
# A wlroots portal asks nothing: an answer this late means a hung backend, and grim takes over.
WLROOTS_ANSWER_TIMEOUT_S = 5.0
USER_CANCELLED = 1  # the Request's response codes: 0 success, 1 cancelled by the user, 2 other
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
SWAY_FIX = "Run Workdiary inside your sway session (SWAYSOCK names sway's IPC socket)."
# What GNOME's portal remembers of its question (``screenshot_permission``); UNKNOWN: no permission
# store answers (not GNOME's portal, or no session bus).
GIVEN, REFUSED, WILL_ASK, UNKNOWN = "given", "refused", "will ask", "unknown"
PERMISSION_STORE = "org.freedesktop.impl.portal.PermissionStore"
# The portal's table and entry for screenshots taken without a dialog; an app outside Flatpak and
# Snap (Workdiary) has the app id "".
SCREENSHOT_TABLE = SCREENSHOT_ENTRY = "screenshot"
UNSANDBOXED_APP = ""


class NoScreenshot(EnvironmentProblem):
    """The desktop gave no screenshot: no portal answers, it answered too late, grim failed, or what
    came back is not an image."""

    def __init__(self, reason: str, fix: str = PORTAL_FIX) -> None:
        super().__init__(f"Screenshots cannot be taken: {reason}.", fix)
        self.reason = reason


class Refused(Exception):
    """The portal answered a response code other than success: the user cancelled (1), or "other"
    (2), which is GNOME's refusal and, on wlroots, where nothing asks the user, a failure."""

    def __init__(self, code: int) -> None:
        super().__init__(f"the desktop portal answered response code {code}")
        self.code = code


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


def portal_screenshot(answer_timeout: float = ANSWER_TIMEOUT_S) -> bytes:
    """The whole desktop as the portal's file (PNG), which is deleted once read. Raises Refused, or
    NoScreenshot where no portal answers or it takes over ``answer_timeout`` seconds."""
    from jeepney import DBusAddress, MatchRule, message_bus, new_method_call
    from jeepney.io.blocking import Proxy, open_dbus_connection
    from jeepney.wrappers import DBusErrorResponse, unwrap_msg

    try:
        connection = open_dbus_connection("SESSION")
    except (KeyError, OSError) as error:  # KeyError: DBUS_SESSION_BUS_ADDRESS is not set
        raise NoScreenshot(f"no desktop portal answers (no session bus: {error})") from error
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
                response = connection.recv_until_filtered(responses, timeout=answer_timeout)
            except DBusErrorResponse as error:  # no portal service, or no Screenshot in it
                raise NoScreenshot(f"no desktop portal answers ({error})") from error
            except TimeoutError as error:
                raise NoScreenshot(
                    f"the desktop portal did not answer within {answer_timeout:g} s",
                    "Answer the desktop's question about screenshots, if it asks one.",
                ) from error
    code, results = response.body
    if code != 0:
        raise Refused(code)
    try:
        path = Path(unquote(urlparse(results["uri"][1]).path))
        try:
            return path.read_bytes()
        finally:
            path.unlink(missing_ok=True)
    except (KeyError, OSError) as error:
        raise NoScreenshot(f"the desktop portal's file could not be read ({error!r})") from error


def grim_screenshots(outputs: list[sway.Output] | None) -> list[tuple[int, QImage]]:
    """(monitor number, grab) by grim: one for each of ``outputs``, or the whole desktop as monitor 1
    where they are unknown (None)."""
    if outputs is None:
        return [(1, _decoded(_run(["grim", "-t", "png", "-"])))]
    return [
        (output.number, _decoded(_run(["grim", "-t", "png", "-o", output.name, "-"]))) for output in outputs
    ]


def _run(command: list[str]) -> bytes:
    try:
        return subprocess.run(command, capture_output=True, check=True, timeout=GRIM_TIMEOUT_S).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise NoScreenshot(f"{command[0]} failed ({error})") from error


def _decoded(png: bytes) -> QImage:
    image = QImage.fromData(png).convertToFormat(QImage.Format.Format_RGB32)
    if image.isNull():
        raise NoScreenshot("the desktop's screenshot is not an image")
    return image


def cut_into_outputs(
    desktop: QImage, layout: list[sway.Output] | None, chosen: list[sway.Output] | None
) -> list[tuple[int, QImage]]:
    """(monitor number, its part of ``desktop``) for each ``chosen`` output of the ``layout``, the
    desktop scaled to the layout's bounds; the whole desktop as monitor 1 where outputs are unknown."""
    if layout is None or chosen is None:
        return [(1, desktop)]
    left, top = min(output.x for output in layout), min(output.y for output in layout)
    scale = desktop.width() / (max(output.x + output.width for output in layout) - left)
    return [
        (
            output.number,
            desktop.copy(
                round((output.x - left) * scale),
                round((output.y - top) * scale),
                round(output.width * scale),
                round(output.height * scale),
            ),
        )
        for output in chosen
    ]


class PortalCapturer:
    """The Wayland counterpart of MssCapturer: the same files, digests, chosen monitors (where sway
    lists its outputs), black-screen check and private apps (where sway lists its windows)."""

    def __init__(
        self,
        session: Session,
        monitors: list[int] | None = None,
        fmt: str = DEFAULT_FORMAT,
        qualities: tuple[int, ...] = (),  # QUALITIES[fmt]
        private_apps: tuple[str, ...] = (),
    ) -> None:
        check_format(fmt)
        self.grim_instead = session.is_wlroots and bool(shutil.which("grim"))
        self.backend = "the desktop portal" + (" (grim where it fails)" if self.grim_instead else "")
        self.session = session
        self.monitors = monitors  # 1-based, in sway's order of outputs; None: all
        self.fmt = fmt
        self.qualities = qualities
        self.private_apps = private_apps  # no screenshot while one of these is on screen
        self.windows = sway.SwayWindowLister()

    def capture(self, directory: Path, stem: str) -> Capture:
        unrecognised = ""
        if self.private_apps:
            app = private_app_shown(self.windows, self.private_apps, SWAY_FIX)
            if app:
                return Capture([], private_app=app)
            unrecognised = PRIVATE_APPS_UNRECOGNISED if app is None else ""
        try:
            layout = sway.outputs()
        except (OSError, ValueError) as error:
            raise NoScreenshot(f"sway's outputs could not be listed ({error})", SWAY_FIX) from error
        chosen = None
        if layout is not None:
            chosen = [output for output in layout if not self.monitors or output.number in self.monitors]
        if chosen == []:
            return Capture([], note=no_monitor_note(self.monitors))
        grabs = self._grabs(layout, chosen)
        if grabs is None:
            return Capture([], note=not_allowed_note(self.session))
        files: dict[Path, bytes] = {}
        images: list[CapturedImage] = []
        all_uniform = True
        for number, image in grabs:
            all_uniform = all_uniform and is_uniform(image.constBits(), image.width(), image.height())
            images.append(encode_grab(files, directory, stem, number, image, self.fmt, self.qualities))
        write_private_files(files)
        return Capture(images, BLANK_SCREEN if all_uniform else unrecognised)

    def _grabs(
        self, layout: list[sway.Output] | None, chosen: list[sway.Output] | None
    ) -> list[tuple[int, QImage]] | None:
        """(monitor number, grab) for the chosen outputs: the portal's, or grim's where the portal
        fails on wlroots; None when the desktop refused."""
        try:
            answer_timeout = WLROOTS_ANSWER_TIMEOUT_S if self.grim_instead else ANSWER_TIMEOUT_S
            return cut_into_outputs(_decoded(portal_screenshot(answer_timeout)), layout, chosen)
        except Refused as refusal:
            if refusal.code == USER_CANCELLED or not self.grim_instead:
                return None
            reason = str(refusal)
        except NoScreenshot as failure:
            if not self.grim_instead:
                raise
            reason = failure.reason
        log.warning("The desktop portal gave no screenshot (%s): grim takes it instead", reason)
        return grim_screenshots(chosen)

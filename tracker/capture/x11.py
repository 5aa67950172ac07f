"""A bare connection to the session's X server, for the RECORD reader.

python-xlib finds the display and its authorization (``Xlib.support.connect``, as its ``Display``
does); the connection setup and the few requests the reader sends are packed here. python-xlib's
``Display`` would also load a module for every extension the server has: 2 MB that the tracker
never uses.
"""

from __future__ import annotations

import os
import socket
import struct
import sys

from common.errors import EnvironmentProblem

NO_INPUT = "Input activity cannot be counted: "
DESKTOP_FIX = "Run Workdiary inside your desktop session, not from a console or over SSH."
X11_FIX = "Log in with an X11 session (“… on Xorg” on the login screen) to have activity counted."
SETUP_TIMEOUT = 10.0  # seconds for the server to answer the setup and a request
BYTE_ORDER = b"l" if sys.byteorder == "little" else b"B"  # the server answers in the client's order
SETUP_FAILED, SETUP_SUCCESS = 0, 1  # the first byte of the server's answer to the setup
ERROR, REPLY = 0, 1  # the first byte of an error and of a reply (an event's is its code, 2 and up)
HEADER = 32  # bytes of a reply's header, and of an error or an event
GET_INPUT_FOCUS, QUERY_EXTENSION = 43, 98  # core opcodes


class X11Connection:
    def __init__(self, connected: socket.socket) -> None:
        self.socket = connected
        self._resource_base = self._resources = 0
        self.record_opcode = 0  # RECORD's major opcode, once ``connect_to_x`` has asked for it

    def set_up(self, auth_name: bytes, auth_data: bytes) -> None:
        """The connection's setup (X11 protocol 11.0): the server's answer gives the client its
        range of resource ids."""
        padding = bytes(-len(auth_name) % 4), bytes(-len(auth_data) % 4)
        setup = struct.pack("=xHHHH2x", 11, 0, len(auth_name), len(auth_data))
        self.socket.sendall(BYTE_ORDER + setup + auth_name + padding[0] + auth_data + padding[1])
        header = self._read(8)
        answer = self._read(4 * int.from_bytes(header[6:8], sys.byteorder))
        if header[0] != SETUP_SUCCESS:
            reason = answer[: header[1]] if header[0] == SETUP_FAILED else answer
            raise ConnectionRefusedError(reason.decode(errors="replace").strip("\0 ") or "refused")
        self._resource_base = int.from_bytes(answer[4:8], sys.byteorder)

    def new_id(self) -> int:
        """An id for a resource this client makes (within its range, given at setup)."""
        self._resources += 1
        return self._resource_base | self._resources

    def send(self, opcode: int, data: int, body: bytes = b"") -> None:
        """One request: its opcode, its second byte (an extension's minor opcode) and its body."""
        body += bytes(-len(body) % 4)
        self.socket.sendall(struct.pack("=BBH", opcode, data, 1 + len(body) // 4) + body)

    def reply(self) -> bytes:
        """The next reply, whole. An X error raises ConnectionError; events are passed over."""
        while True:
            header = self._read(HEADER)
            if header[0] == ERROR:
                raise ConnectionError(f"the X server answered with error {header[1]}")
            if header[0] == REPLY:
                return header + self._read(4 * int.from_bytes(header[4:8], sys.byteorder))

    def extension_opcode(self, name: str) -> int | None:
        self.send(QUERY_EXTENSION, 0, struct.pack("=H2x", len(name)) + name.encode())
        reply = self.reply()
        return reply[9] if reply[8] else None

    def sync(self) -> None:
        """Wait until the server has carried out every request sent before (an error raises)."""
        self.send(GET_INPUT_FOCUS, 0)
        self.reply()

    def close(self) -> None:
        self.socket.close()

    def _read(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.socket.recv(size - len(data))
            if not chunk:
                raise ConnectionError("the X server closed the connection")
            data += chunk
        return data


def connect_to_x() -> X11Connection:
    """A connection to the session's X server, which has RECORD; else EnvironmentProblem saying
    what is missing."""
    if os.environ.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        raise EnvironmentProblem(
            f"{NO_INPUT}the Wayland session does not let applications see keyboard and mouse activity.",
            X11_FIX,
        )
    if not os.environ.get("DISPLAY"):
        raise EnvironmentProblem(f"{NO_INPUT}no X display (DISPLAY is not set).", DESKTOP_FIX)
    try:
        try:
            connection = _connect()
        except ConnectionError:
            # The X server (Xvfb 21 here) resets a connection made just as a RECORD client closes
            # (pynput's as well as ours); the next one connects.
            connection = _connect()
    except Exception as exc:  # ImportError, or one of Xlib's several display and socket errors
        raise EnvironmentProblem(
            f"{NO_INPUT}cannot connect to the X display {os.environ['DISPLAY']!r} ({exc}).",
            DESKTOP_FIX,
        ) from exc
    opcode = connection.extension_opcode("RECORD")
    if opcode is None:
        connection.close()
        raise EnvironmentProblem(
            f"{NO_INPUT}the X server has no RECORD extension, which input counting needs.",
            "Enable the RECORD extension in the X server's configuration.",
        )
    connection.record_opcode = opcode
    return connection


def _connect() -> X11Connection:
    from Xlib.support import connect

    display: tuple = connect.get_display(None)[:4]  # name, protocol, host, number
    connection = X11Connection(connect.get_socket(*display))
    try:
        connection.socket.settimeout(SETUP_TIMEOUT)
        connection.set_up(*connect.get_auth(connection.socket, *display))
    except BaseException:
        connection.close()
        raise
    return connection

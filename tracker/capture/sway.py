"""What sway tells over its IPC socket (``$SWAYSOCK``, the i3-ipc protocol) and the Wayland protocols
tell no app: the windows it shows, for the private-apps list, and its outputs, for the chosen
monitors. Other wlroots compositors have no such socket: there both are unknown (None).
"""

from __future__ import annotations

import json
import os
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tracker.capture.windows import Window

MAGIC = b"i3-ipc"
RUN_COMMAND, GET_OUTPUTS, GET_TREE = 0, 3, 4
HEADER = struct.Struct("=6sII")  # magic, payload length, message type; native byte order
TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Output:
    number: int  # 1-based, in the order sway lists its active outputs
    name: str  # sway's name, as grim's -o takes it
    x: int  # the output's place and size in the layout (logical pixels)
    y: int
    width: int
    height: int


def request(message_type: int) -> Any | None:
    """sway's answer (JSON) to an IPC message without payload; None outside sway."""
    path = os.environ.get("SWAYSOCK")
    if not path:
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(TIMEOUT_S)
        connection.connect(path)
        return exchange(connection, message_type)


def exchange(connection: socket.socket, message_type: int, payload: bytes = b"") -> Any:
    """One IPC message to sway over ``connection`` (connected to ``$SWAYSOCK``), and its JSON answer."""
    connection.sendall(HEADER.pack(MAGIC, len(payload), message_type) + payload)
    magic, length, _ = HEADER.unpack(_receive(connection, HEADER.size))
    if magic != MAGIC:
        raise ConnectionError("the socket does not speak sway's IPC")
    return json.loads(_receive(connection, length))


def _receive(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("sway closed its IPC socket")
        data += chunk
    return data


class SwayWindowLister:
    """The windows sway shows: its views marked visible (on a workspace shown on an output, not
    in the scratchpad), named by Wayland app id or XWayland class, and title."""

    def shown(self) -> list[Window] | None:
        tree = request(GET_TREE)
        return None if tree is None else [_window(view) for view in _views(tree) if view.get("visible")]


def _views(node: dict) -> Iterator[dict]:
    if node.get("type") in ("con", "floating_con") and "pid" in node:
        yield node
    for child in node.get("nodes", []) + node.get("floating_nodes", []):
        yield from _views(child)


def _window(view: dict) -> Window:
    x11 = view.get("window_properties") or {}
    names = (view.get("app_id"), x11.get("instance"), x11.get("class"))
    return Window(" ".join(name for name in names if name), view.get("name") or "")


def outputs() -> list[Output] | None:
    """sway's active outputs; None outside sway."""
    listed = request(GET_OUTPUTS)
    if listed is None:
        return None
    active = [output for output in listed if output.get("active")]
    return [
        Output(number, output["name"], *(output["rect"][key] for key in ("x", "y", "width", "height")))
        for number, output in enumerate(active, start=1)
    ]

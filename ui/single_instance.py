"""One app per user and data directory: a second start asks the first to come to the front, or to
open the link it was started with (``open workdiary://contract/ID``)."""

from __future__ import annotations

import getpass
import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_TIMEOUT_MS = 1000


class AlreadyRunning(Exception):
    """Another instance runs on this data directory; it has been asked to come to the front."""


class CannotListen(Exception):
    """This is the only instance, but a second start will not find it (the reason is Qt's)."""


class SingleInstance(QObject):
    """Signals:
    activated(): another start asked this instance to show itself.
    link_opened(str): another start was given this link, for this instance to open.
    """

    activated = Signal()
    link_opened = Signal(str)

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        digest = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
        self.name = f"workdiary-{getpass.getuser()}-{digest}"
        self._server: QLocalServer | None = None

    def claim(self, link: str | None = None) -> None:
        """Become the only instance and listen for later starts. AlreadyRunning when another one
        runs (it was handed ``link``, or asked to show itself); CannotListen when this one may run
        but cannot be found by a later start."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if socket.waitForConnected(CONNECT_TIMEOUT_MS):
            socket.write(f"open {link}\n".encode() if link else b"show\n")
            socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
            socket.disconnectFromServer()
            raise AlreadyRunning(self.name)
        QLocalServer.removeServer(self.name)  # a stale socket file left by a killed instance
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        if not self._server.listen(self.name):
            raise CannotListen(f"{self.name}: {self._server.errorString()}")

    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            connection = self._server.nextPendingConnection()
            connection.readyRead.connect(lambda c=connection: self._on_message(c))

    def _on_message(self, connection: QLocalSocket) -> None:
        message = bytes(connection.readAll()).decode(errors="replace").strip()
        if message == "show":
            self.activated.emit()
        elif message.startswith("open "):
            self.link_opened.emit(message.removeprefix("open "))
        connection.disconnectFromServer()

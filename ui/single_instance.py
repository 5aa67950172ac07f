"""One app per user and data directory: a second start asks the first to come to the front."""

from __future__ import annotations

import getpass
import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_TIMEOUT_MS = 1000


class SingleInstance(QObject):
    activated = Signal()  # another start asked this instance to show itself

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        digest = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
        self.name = f"workdiary-{getpass.getuser()}-{digest}"
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """True when this is the only instance (and now listens); False when another one runs,
        which has been asked to come to the front."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if socket.waitForConnected(CONNECT_TIMEOUT_MS):
            socket.write(b"show\n")
            socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
            socket.disconnectFromServer()
            return False
        QLocalServer.removeServer(self.name)  # a stale socket file left by a killed instance
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        return self._server.listen(self.name)

    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            connection = self._server.nextPendingConnection()
            connection.readyRead.connect(lambda c=connection: self._on_message(c))

    def _on_message(self, connection: QLocalSocket) -> None:
        if bytes(connection.readAll()).startswith(b"show"):
            self.activated.emit()
        connection.disconnectFromServer()

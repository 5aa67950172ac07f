"""The tray icon's state: something went wrong, time not synced, or all is well."""

from __future__ import annotations

from ui.sync_thread import SyncProgress
from ui.theme import ERROR, IDLE, UNSYNCED
from ui.tray import Tray


class TrayState:
    """An error (capture or storage failed) shows until the user dismissed its message or a
    screenshot was written again; otherwise, signed in with the service out of reach or with
    refused changes, the time is shown as not synced."""

    def __init__(self, tray: Tray, sync: SyncProgress) -> None:
        self._tray = tray
        self.sync = sync
        self.error = False

    def failed(self) -> None:
        self.error = True
        self._tray.set_state(ERROR)

    def recovered(self) -> None:
        """Capture and storage work again, or the user has seen the error."""
        if self.error:
            self.error = False
            self.show()

    def sync_changed(self, state: SyncProgress) -> None:
        self.sync = state
        self._tray.set_signed_in(state.signed_in)
        self.show()

    def show(self) -> None:
        sync = self.sync
        unsynced = sync.signed_in and (sync.offline_since is not None or bool(sync.outbox.rejected))
        self._tray.set_state(ERROR if self.error else UNSYNCED if unsynced else IDLE)

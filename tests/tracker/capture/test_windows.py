"""Which windows are on the screen, read from a real X server (conftest.py's Xvfb) with and without a
window manager's client list, and which private-apps entry they match."""

from __future__ import annotations

import pytest

from tracker.capture import windows
from tracker.capture.windows import DEFAULT_PRIVATE_APPS, Window, WindowLister, private_on_screen

VAULT = Window("keepassxc KeePassXC", "Passwords.kdbx - KeePassXC")
EDITOR = Window("code Code", "report.md — Visual Studio Code")


@pytest.mark.parametrize(
    ("entries", "found"),
    [
        (("keepassxc",), "keepassxc"),  # any case, in the app's class
        (("  Passwords.kdbx ",), "Passwords.kdbx"),  # in the title, as typed without the spaces
        (("", "   ", "Bank", "KeePassXC"), "KeePassXC"),  # blank entries are no match
        (("Bank",), ""),
        ((), ""),
    ],
)
def test_an_entry_matches_any_part_of_a_shown_windows_app_or_title(entries, found):
    assert private_on_screen([EDITOR, VAULT], entries) == found


def test_the_default_list_has_the_common_password_managers():
    assert private_on_screen([VAULT], DEFAULT_PRIVATE_APPS) == "KeePassXC"
    assert private_on_screen([EDITOR], DEFAULT_PRIVATE_APPS) == ""


@pytest.fixture
def lister():
    lister = WindowLister()
    yield lister
    lister.close()


@pytest.mark.x11
def test_without_a_window_manager_the_mapped_top_level_windows_are_shown(x11_session, lister):
    vault = Window("secretkeeper SecretKeeper", "Vault — SecretKeeper")
    assert vault not in lister.shown()
    with x11_session.window(("secretkeeper", "SecretKeeper"), "Vault — SecretKeeper"):
        assert vault in lister.shown()  # over the same connection
    assert vault not in lister.shown()


@pytest.mark.x11
def test_with_a_window_manager_its_clients_are_shown_unless_minimized(x11_session, lister):
    with (
        x11_session.window(("secretkeeper", "SecretKeeper"), "Vault") as vault,
        x11_session.window(("bank", "Bank"), "My Bank", state=("_NET_WM_STATE_HIDDEN",)) as bank,
        x11_session.window(("stray", "Stray"), "not managed"),
        x11_session.window_manager_lists([vault, bank]),
    ):
        assert lister.shown() == [Window("secretkeeper SecretKeeper", "Vault")]


@pytest.mark.x11
def test_after_an_error_the_next_listing_opens_a_new_connection(x11_session, lister, monkeypatch):
    from Xlib.error import ConnectionClosedError

    assert lister.shown() == []

    def closed(connection):
        connection.close()
        raise ConnectionClosedError("server")

    with monkeypatch.context() as patched:
        patched.setattr(windows, "_shown", closed)
        with pytest.raises(ConnectionClosedError):
            lister.shown()
    with x11_session.window(("secretkeeper", "SecretKeeper"), "Vault"):
        assert lister.shown() == [Window("secretkeeper SecretKeeper", "Vault")]

"""The service token, kept in the OS keyring (service "Workdiary", user = the service URL).

Where there is no keyring the token is never written anywhere else: ``NoKeyring`` says what to
install. ``WORKDIARY_TOKEN``, when set, is used instead of the keyring (terminals and CI).
"""

from __future__ import annotations

import contextlib
import os

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from sync.errors import NoKeyring

SERVICE_NAME = "Workdiary"
TOKEN_VARIABLE = "WORKDIARY_TOKEN"

_FIX = (
    "Install and unlock the desktop's keyring (GNOME Keyring or KWallet on Linux, the Keychain on "
    "macOS, the Credential Manager on Windows). A plain-text keyring such as keyrings.alt is not "
    "used: it would leave the token readable on disk."
)


def load_token(url: str) -> str | None:
    token = os.environ.get(TOKEN_VARIABLE)
    if token:
        return token
    with _keyring_errors():
        return _backend().get_password(SERVICE_NAME, url)


def save_token(url: str, token: str) -> None:
    with _keyring_errors():
        _backend().set_password(SERVICE_NAME, url, token)


def delete_token(url: str) -> None:
    with _keyring_errors(), contextlib.suppress(keyring.errors.PasswordDeleteError):
        _backend().delete_password(SERVICE_NAME, url)


def check_keyring() -> KeyringBackend:
    """The keyring the token goes to; NoKeyring where there is none to keep a token in."""
    return _backend()


def _backend() -> KeyringBackend:
    """The keyring in use, or its first acceptable backend when it chains several."""
    current = keyring.get_keyring()
    candidates = current.backends if isinstance(current, chainer.ChainerBackend) else [current]
    for candidate in candidates:
        plain_text = type(candidate).__module__.startswith("keyrings.alt")
        if not isinstance(candidate, fail.Keyring | null.Keyring) and not plain_text:
            return candidate
    raise _no_keyring()


def _no_keyring() -> NoKeyring:
    return NoKeyring("There is no keyring on this computer to keep the sign-in token in.", _FIX)


@contextlib.contextmanager
def _keyring_errors():
    try:
        yield
    except keyring.errors.NoKeyringError as error:
        raise _no_keyring() from error
    except keyring.errors.KeyringError as error:  # locked, dismissed, or its daemon is not running
        raise NoKeyring(f"The keyring could not be used ({error}).", _FIX) from error

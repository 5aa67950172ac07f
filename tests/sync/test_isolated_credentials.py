"""The app's keyring calls through a child process: the same token, the same messages."""

from __future__ import annotations

import pytest

from sync import isolated_credentials
from sync.errors import NoKeyring

URL = "https://workdiary.example.test"


def test_the_token_goes_to_the_keyring_and_back_through_a_child_process(child_keyring):
    isolated_credentials.save_token(URL, "secret")
    assert child_keyring.get_password("Workdiary", URL) == "secret"
    assert isolated_credentials.load_token(URL) == "secret"
    isolated_credentials.delete_token(URL)
    assert child_keyring.get_password("Workdiary", URL) is None
    assert isolated_credentials.load_token(URL) is None


def test_workdiary_token_reaches_the_child(child_keyring, monkeypatch):
    monkeypatch.setenv("WORKDIARY_TOKEN", "from the environment")
    assert isolated_credentials.load_token(URL) == "from the environment"


def test_no_keyring_is_said_as_in_process(child_keyring, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with pytest.raises(NoKeyring) as missing:
        isolated_credentials.save_token(URL, "secret")
    assert str(missing.value).startswith("There is no keyring on this computer to keep the sign-in token in.")
    assert "keyrings.alt is not used" in missing.value.fix

"""The token in the OS keyring, or in WORKDIARY_TOKEN; never anywhere else."""

from __future__ import annotations

import keyring
import keyring.backends.fail
import pytest
from keyring.backends.chainer import ChainerBackend

from common.errors import EnvironmentProblem
from sync import credentials
from sync.errors import NoKeyring
from tests.helpers.keyrings import MemoryKeyring

URL = "https://diary.example.test"


def test_the_token_is_kept_in_the_keyring_under_the_service_url(memory_keyring):
    credentials.save_token(URL, "secret")

    assert memory_keyring.passwords == {("Workdiary", URL): "secret"}
    assert credentials.load_token(URL) == "secret"
    assert credentials.load_token("https://other.example.test") is None
    credentials.delete_token(URL)
    credentials.delete_token(URL)  # already gone: nothing to do
    assert credentials.load_token(URL) is None


def test_workdiary_token_is_used_instead_of_the_keyring(memory_keyring, monkeypatch):
    credentials.save_token(URL, "from the keyring")
    monkeypatch.setenv("WORKDIARY_TOKEN", "from the environment")

    assert credentials.load_token(URL) == "from the environment"


class PlainTextKeyring(MemoryKeyring):
    """Stands for keyrings.alt's file keyrings, which keep passwords readable on disk."""

    __module__ = "keyrings.alt.file"


@pytest.mark.parametrize(
    "backend",
    [keyring.backends.fail.Keyring(), PlainTextKeyring()],
    ids=["no-backend", "plain-text-backend"],
)
def test_without_a_usable_keyring_the_user_is_told_what_to_install(backend, monkeypatch):
    monkeypatch.delenv("WORKDIARY_TOKEN", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        for attempt in (lambda: credentials.save_token(URL, "secret"), lambda: credentials.load_token(URL)):
            with pytest.raises(NoKeyring) as problem:
                attempt()
            assert isinstance(problem.value, EnvironmentProblem)
            assert str(problem.value).startswith("There is no keyring on this computer")
            assert "GNOME Keyring or KWallet" in problem.value.fix
            assert "keyrings.alt is not used" in problem.value.fix
    finally:
        keyring.set_keyring(previous)


def test_a_chain_of_no_backends_is_no_keyring(monkeypatch):
    monkeypatch.setattr(ChainerBackend, "backends", [])
    previous = keyring.get_keyring()
    keyring.set_keyring(ChainerBackend())
    try:
        with pytest.raises(NoKeyring):
            credentials.check_keyring()
    finally:
        keyring.set_keyring(previous)

"""Test keyrings: headless machines have none (see sync/credentials.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service_name: str, username: str) -> str | None:
        return self.passwords.get((service_name, username))

    def set_password(self, service_name: str, username: str, password: str) -> None:
        self.passwords[service_name, username] = password

    def delete_password(self, service_name: str, username: str) -> None:
        self.passwords.pop((service_name, username), None)


@pytest.fixture
def memory_keyring(monkeypatch):
    """The keyring for the test's length; WORKDIARY_TOKEN, which would take its place, unset."""
    monkeypatch.delenv("WORKDIARY_TOKEN", raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


class FileKeyring(KeyringBackend):
    """A keyring a child process can share with the test: a JSON file named by
    ``WORKDIARY_TEST_KEYRING``. Tests only: a real keyring never keeps secrets in plain text."""

    priority = 1

    @property
    def path(self) -> Path:
        return Path(os.environ["WORKDIARY_TEST_KEYRING"])

    def _read(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service_name: str, username: str) -> str | None:
        return self._read().get(f"{service_name} {username}")

    def set_password(self, service_name: str, username: str, password: str) -> None:
        self.path.write_text(json.dumps(self._read() | {f"{service_name} {username}": password}))

    def delete_password(self, service_name: str, username: str) -> None:
        passwords = self._read()
        passwords.pop(f"{service_name} {username}", None)
        self.path.write_text(json.dumps(passwords))


@pytest.fixture
def child_keyring(tmp_path, monkeypatch) -> FileKeyring:
    """The keyring that child processes (``sync.isolated_credentials``) find through keyring's
    PYTHON_KEYRING_BACKEND; the returned backend reads the same file."""
    monkeypatch.delenv("WORKDIARY_TOKEN", raising=False)
    monkeypatch.setenv("WORKDIARY_TEST_KEYRING", str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", f"{FileKeyring.__module__}.{FileKeyring.__name__}")
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    return FileKeyring()

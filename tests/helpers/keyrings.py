"""Test keyrings: headless machines have none (see sync/credentials.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
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


@pytest.fixture
def secret_service(tmp_path, monkeypatch):
    """A real Secret Service keyring (GNOME Keyring, unlocked) on a private D-Bus session bus, as a
    Linux desktop has; the test's environment points at that bus. Returns the keyring's backend."""
    for program in ("dbus-daemon", "gnome-keyring-daemon"):
        if not shutil.which(program):
            pytest.fail(f"{program} is not installed (scripts/install-system-deps installs it)")
    home = tmp_path / "keyring-home"
    (home / "run").mkdir(parents=True, mode=0o700)
    env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    env["XDG_RUNTIME_DIR"] = str(home / "run")
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    daemon = None
    try:
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        daemon.stdin.write("the login password")  # what a desktop's login hands it to unlock
        daemon.stdin.close()
        wait_for_bus_name(env["DBUS_SESSION_BUS_ADDRESS"], "org.freedesktop.secrets")
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", env["DBUS_SESSION_BUS_ADDRESS"])
        monkeypatch.delenv("WORKDIARY_TOKEN", raising=False)
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
        from keyring.backends import SecretService

        yield SecretService.Keyring()
    finally:
        for process in (daemon, bus):
            if process:
                process.terminate()
                process.wait(10)
        bus.stdout.close()


def wait_for_bus_name(address: str, name: str, timeout: float = 20) -> None:
    """Return once something owns `name` on the bus at `address` (awaits the bus's signal)."""
    from jeepney.bus_messages import MatchRule, message_bus
    from jeepney.io.blocking import open_dbus_connection

    taken = MatchRule(type="signal", interface="org.freedesktop.DBus", member="NameOwnerChanged")
    taken.add_arg_condition(0, name)
    with open_dbus_connection(address) as connection, connection.filter(taken) as signals:
        connection.send_and_get_reply(message_bus.AddMatch(taken))
        if not connection.send_and_get_reply(message_bus.NameHasOwner(name)).body[0]:
            connection.recv_until_filtered(signals, timeout=timeout)

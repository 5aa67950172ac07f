"""Child processes from the source tree (``-m``) and from a frozen app (itself, with a flag)."""

from __future__ import annotations

import json
import subprocess
import sys

from tracker import children


def test_from_source_a_child_is_python_dash_m():
    assert children.command("tracker.capture.isolated", "{}") == [
        sys.executable,
        "-m",
        "tracker.capture.isolated",
        "{}",
    ]


def test_a_frozen_app_starts_itself_with_the_module_to_run(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert children.command("sync.isolated_credentials") == [
        sys.executable,
        children.FLAG,
        "sync.isolated_credentials",
    ]


def test_the_flag_runs_the_module_as_dash_m_would(monkeypatch):
    """As the frozen entry does: the module runs as __main__, with its own arguments and stdin."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("WORKDIARY_TOKEN", raising=False)
    entry = "import sys; from tracker import children; sys.exit(0 if children.run_if_asked(sys.argv) else 3)"
    request = json.dumps({"operation": "load", "url": "https://example.test", "token": None})
    child = subprocess.run(
        [sys.executable, "-c", entry, children.FLAG, "sync.isolated_credentials"],
        input=request,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(child.stdout)["problem"].startswith("There is no keyring on this computer")


def test_without_the_flag_nothing_runs():
    assert children.run_if_asked(["workdiary", "--minimized"]) is False

"""The contract service installs and runs without the desktop app: no Qt, no input or screen
libraries, none of the app's packages (pyproject.toml's `service` extra)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from common.wire import API_PREFIX
from service.launcher import free_port, serve_in_background

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("service_probe.py")
# What a clean install copies: not the development environment, and nothing built in place.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__")


def probe(python: Path | str, folder: Path) -> dict:
    """tests/service/service_probe.py's findings, run by ``python`` outside the source tree."""
    folder.mkdir(exist_ok=True)
    run = subprocess.run(
        [str(python), str(PROBE), str(folder)], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_the_service_starts_and_serves_its_schema_with_the_apps_libraries_unimportable(
    tmp_path: Path,
) -> None:
    assert probe(sys.executable, tmp_path / "probe") == {"title": "Workdiary contract service", "loaded": []}


@pytest.mark.timeout(600)
def test_a_clean_install_of_the_service_extra_serves_without_qt_or_input_libraries(tmp_path: Path) -> None:
    started = time.monotonic()
    source, venv = tmp_path / "source", tmp_path / "venv"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", f"{source}[service]"],
        check=True,
        timeout=540,
    )
    installed_s = time.monotonic() - started
    shutil.rmtree(source)  # what follows runs on the installed service alone

    absent = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util as u; print([m for m in ('PySide6', 'pynput', 'mss') if u.find_spec(m)])",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    found = probe(python, tmp_path / "probe")
    port = free_port()
    service = serve_in_background(
        "127.0.0.1", port, folder=tmp_path, program=[str(venv / "bin" / "workdiary-service")]
    )
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}{API_PREFIX}/openapi.json", timeout=30
        ) as answer:
            schema = json.load(answer)
    finally:
        service.terminate()
        service.wait(timeout=30)

    print(f"installed in {installed_s:.0f} s; the environment holds {du(venv) / 1e6:.0f} MB")
    assert absent.stdout.strip() == "[]"
    assert found == {"title": "Workdiary contract service", "loaded": []}
    assert schema["info"]["title"] == "Workdiary contract service"


def du(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())

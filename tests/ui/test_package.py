"""ui/__init__.py switches off PySide6's source scan: a module imported after PySide6 leaves its
source in linecache, and after ``import ui`` it does not (each in a clean interpreter)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def source_kept(tmp_path: Path, first: str) -> bool:
    module = tmp_path / "some_module.py"
    module.write_text("VALUE = 1\n" * 100)
    probe = (
        f"import linecache, sys; sys.path.insert(0, {str(tmp_path)!r}); {first}; "
        f"import some_module; print({str(module)!r} in linecache.cache)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip() == "True"


def test_pyside6_alone_keeps_the_source_of_each_module_imported_after_it(tmp_path):
    assert source_kept(tmp_path, "import PySide6.QtCore")


def test_after_importing_ui_no_source_is_kept(tmp_path):
    assert not source_kept(tmp_path, "import ui")
    assert not source_kept(tmp_path, "import ui.app")

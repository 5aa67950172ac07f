"""Building the app bundle: ``python -m installer`` (``make bundle``) runs PyInstaller on
build_installer.spec and leaves the one-folder app in dist/workdiary/."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build_installer.spec"
NAME = "workdiary"


def build(dist: Path = ROOT / "dist", work: Path = ROOT / "build") -> Path:
    """The bundle's folder, built afresh in `dist` (PyInstaller's intermediate files in `work`)."""
    options = ["--noconfirm", "--log-level", "WARN", "--distpath", str(dist), "--workpath", str(work)]
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", *options, str(SPEC)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"PyInstaller failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return dist / NAME


def executable(bundle: Path) -> Path:
    return bundle / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def size(bundle: Path) -> int:
    """Bytes on disk in the bundle's files (links counted once, as the links)."""
    return sum(path.lstat().st_size for path in bundle.rglob("*") if not path.is_dir() or path.is_symlink())

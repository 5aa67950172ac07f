"""The app as users install it: build_installer.spec built with PyInstaller (once for this module,
into a temporary folder), then run from its folder with no source tree or virtual environment in
reach: its self-test on the session's X display, a real Secret Service keyring and the real
contract service, and in a headless sway without XWayland (Qt on Wayland, the portal, the idle
protocol); every library it links to inside it or on every desktop; only the Qt parts it uses."""

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePath

import pytest
from PyInstaller.archive.readers import pkg_archive_contents

from installer import bundle as bundling
from installer.libraries import LOADED_BY_NAME, ON_EVERY_DESKTOP, needed
from sync import credentials
from tests.helpers.self_test import configure, run_self_test, run_self_test_in_sway

ROOT = Path(__file__).resolve().parents[2]
# The contract service and the libraries of pyproject.toml's service extra.
SERVER = {"service", "fastapi", "starlette", "uvicorn", "psycopg", "psycopg_binary", "python_multipart"}
SERVER |= {"pydantic", "pydantic_core", "pydantic_settings"}
pytestmark = pytest.mark.timeout(900)  # the build takes about a minute, more on a loaded machine


@pytest.fixture(scope="module")
def bundle() -> Iterator[Path]:
    work = Path(tempfile.mkdtemp(prefix="workdiary-bundle-"))
    os.chmod(work, 0o755)  # a sway stack's user runs it too (pytest's temporary folders are root's)
    try:
        yield bundling.build(work / "dist", work / "build")
    finally:
        shutil.rmtree(work)


@pytest.fixture(scope="module")
def links(bundle) -> dict[Path, list[str]]:
    """Each ELF file in the bundle and the libraries it names as dependencies (read once)."""

    def is_elf(path: Path) -> bool:
        with path.open("rb") as file:
            return file.read(4) == b"\x7fELF"

    files = [path for path in bundle.rglob("*") if path.is_file() and not path.is_symlink() and is_elf(path)]
    return {path: needed(path) for path in files}


@pytest.mark.x11
def test_the_frozen_self_test_passes_with_a_real_keyring_and_service(
    bundle, tmp_path, something_on_screen, secret_service, service
):
    # (the window first: the session's QApplication is then made outside the private D-Bus bus)
    service.add_user("ann@example.test")
    secret_service.set_password(credentials.SERVICE_NAME, service.url, service.sign_in("ann@example.test"))
    data_dir = tmp_path / "data"
    configure(data_dir, service.url, "ann@example.test")
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONPATH", "QT_QPA_PLATFORM", "VIRTUAL_ENV", "PYTHON_KEYRING_BACKEND"}
    }
    run = run_self_test([str(bundling.executable(bundle))], data_dir, env, cwd=tmp_path)

    assert run.returncode == 0, run
    assert run.by_name["Qt platform"].startswith("ok    Qt platform: xcb ("), run
    assert "image formats jpeg, webp" in run.by_name["Qt platform"], run
    assert run.by_name["database"].startswith("ok    database: "), run
    assert run.by_name["screen grab"].startswith("ok    screen grab: 1 monitor 1920×1080 (WebP, "), run
    assert (
        run.by_name["activity"]
        == "ok    activity: keyboard and mouse events (X11 RECORD) started and stopped"
    ), run
    assert run.by_name["keyring"] == "ok    keyring: SecretService Keyring", run
    # the token read from the keyring by the frozen app's child process, and accepted by the service
    assert run.by_name["contract service"] == (
        f"ok    contract service: {service.url} answers; signed in as ann@example.test"
    ), run


def test_the_frozen_self_test_passes_natively_in_a_sway_session_without_xwayland(bundle):
    run_self_test_in_sway([str(bundling.executable(bundle))])


def test_the_frozen_app_adds_itself_to_the_linux_menus_and_removes_itself(bundle, tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "share"))
    executable = bundling.executable(bundle)
    added = subprocess.run(
        [str(executable), "--install-launcher"], env=env, capture_output=True, text=True, timeout=60
    )
    assert added.returncode == 0, added.stderr
    entry = tmp_path / "share" / "applications" / "workdiary.desktop"
    icon = tmp_path / "share" / "icons" / "hicolor" / "scalable" / "apps" / "workdiary.svg"
    assert added.stdout.splitlines() == [f"Wrote {entry}", f"Wrote {icon}"]
    # the bundle's own executable, from anywhere, given a workdiary:// link as %u
    assert f"Exec={executable} %u\n" in entry.read_text()
    assert icon.read_bytes() == (ROOT / "resources" / "workdiary.svg").read_bytes()

    removed = subprocess.run(
        [str(executable), "--uninstall-launcher"], env=env, capture_output=True, text=True, timeout=60
    )
    assert removed.returncode == 0, removed.stderr
    assert not entry.exists()
    assert not icon.exists()


def test_every_library_finds_what_it_links_to_in_the_bundle_or_on_every_desktop(bundle, links):
    inside = {path.name for path in bundle.rglob("*")}
    missing = {}
    for path, names in links.items():
        lacking = [name for name in names if name not in inside and name not in ON_EVERY_DESKTOP]
        if lacking:
            missing[str(path.relative_to(bundle))] = lacking
    assert missing == {}


def test_each_system_library_in_the_bundle_is_loaded_by_something_in_it(bundle, links):
    linked = {name for names in links.values() for name in names}
    internal = bundle / "_internal"
    system = [
        path.name
        for path in internal.iterdir()
        if path.name.startswith("lib") and not path.is_symlink() and ".so" in path.name
    ]
    unused = [
        name for name in system if name not in linked and not name.startswith(("libpython", *LOADED_BY_NAME))
    ]
    assert system
    assert unused == []
    assert not set(system) & ON_EVERY_DESKTOP


def test_only_the_qt_plugins_the_app_loads_and_no_translations_or_qml(bundle, links):
    qt = bundle / "_internal" / "PySide6" / "Qt"
    plugins = {str(path.relative_to(qt / "plugins")) for path in (qt / "plugins").rglob("*.so")}
    assert plugins == {
        "platforms/libqxcb.so",
        "platforms/libqwayland.so",
        "wayland-shell-integration/libxdg-shell.so",
        "wayland-decoration-client/libadwaita.so",
        "wayland-decoration-client/libbradient.so",
        "platforms/libqoffscreen.so",
        "platforms/libqminimal.so",
        "imageformats/libqjpeg.so",
        "imageformats/libqwebp.so",
        "imageformats/libqsvg.so",
        "iconengines/libqsvgicon.so",
    }
    assert not (qt / "translations").exists()
    assert not (qt / "qml").exists()
    libraries = {re.sub(r"\.so.*", "", path.name) for path in (qt / "lib").iterdir()}
    assert not {
        name for name in libraries if re.search("Qml|Quick|WaylandCompositor|WlShell|OpenGL|Pdf", name)
    }
    icu_data = next((qt / "lib").glob("libicudata.so.*"))
    assert icu_data.stat().st_size < 10_000_000  # trimmed (installer.icu)
    assert PurePath(icu_data).name in {name for names in links.values() for name in names}


def test_the_bundle_holds_no_contract_service_nor_its_libraries(bundle):
    modules = {name.partition(".")[0] for name in pkg_archive_contents(str(bundling.executable(bundle)))}
    files = {path.name.partition(".")[0] for path in (bundle / "_internal").iterdir()}
    assert "tracker" in modules
    assert not (modules | files) & SERVER

"""Which shared libraries the Linux bundle carries.

PyInstaller collects every library the app's binaries and the Qt plugins it looks at link to. The
bundle leaves out the ones every desktop Linux has (the AppImage project's exclude list: libraries
whose ABI the distributions keep, and some that must come from the system, such as libstdc++ for its
graphics drivers), then the ones nothing left in the bundle loads: the dependencies of the GTK theme
plugin and of the libraries left to the system.
"""

import re
import subprocess
from collections.abc import Iterable
from pathlib import Path, PurePath

# https://github.com/AppImageCommunity/pkg2appimage/blob/master/excludelist
ON_EVERY_DESKTOP = frozenset({
    "ld-linux.so.2", "ld-linux-x86-64.so.2", "libanl.so.1", "libasound.so.2", "libBrokenLocale.so.1",
    "libcidn.so.1", "libcom_err.so.2", "libc.so.6", "libdl.so.2", "libdrm.so.2", "libEGL.so.1",
    "libexpat.so.1", "libfontconfig.so.1", "libfreetype.so.6", "libfribidi.so.0", "libgbm.so.1",
    "libgcc_s.so.1", "libgdk_pixbuf-2.0.so.0", "libgio-2.0.so.0", "libglapi.so.0", "libGLdispatch.so.0",
    "libglib-2.0.so.0", "libGL.so.1", "libGLX.so.0", "libgmp.so.10", "libgobject-2.0.so.0",
    "libgpg-error.so.0", "libharfbuzz.so.0", "libICE.so.6", "libjack.so.0", "libm.so.6", "libmvec.so.1",
    "libnss_compat.so.2", "libnss_db.so.2", "libnss_dns.so.2", "libnss_files.so.2", "libnss_hesiod.so.2",
    "libnss_nisplus.so.2", "libnss_nis.so.2", "libOpenGL.so.0", "libp11-kit.so.0", "libpango-1.0.so.0",
    "libpangocairo-1.0.so.0", "libpangoft2-1.0.so.0", "libpthread.so.0", "libresolv.so.2", "librt.so.1",
    "libSM.so.6", "libstdc++.so.6", "libthai.so.0", "libthread_db.so.1", "libusb-1.0.so.0", "libutil.so.1",
    "libuuid.so.1", "libX11.so.6", "libxcb-dri2.so.0", "libxcb-dri3.so.0", "libxcb.so.1", "libz.so.1",
    # Qt's wayland plugin, loaded only in a Wayland session, links to these: every Wayland desktop
    # has them (PyInstaller leaves them to the system, so that they match its compositor)
    "libwayland-client.so.0", "libwayland-cursor.so.0",
})  # fmt: skip

# mss opens these with ctypes, so no binary names them as a dependency.
LOADED_BY_NAME = ("libX11", "libXrandr", "libXfixes", "libxcb")


def needed(binary: Path) -> list[str]:
    """The libraries an ELF file names as its dependencies (DT_NEEDED)."""
    description = subprocess.run(
        ["readelf", "--dynamic", "--wide", str(binary)], check=True, capture_output=True, text=True
    ).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", description)


def bundled(binaries: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """PyInstaller's binaries (destination, source, kind) less the libraries the bundle leaves out."""
    kept = [entry for entry in binaries if PurePath(entry[0]).name not in ON_EVERY_DESKTOP]
    collected = {PurePath(entry[0]).name: entry for entry in kept if _collected_library(entry[0])}
    waiting = [entry for entry in kept if not _collected_library(entry[0])]
    loaded = set()
    while waiting:
        for name in needed(Path(waiting.pop()[1])):
            if name in collected and name not in loaded:
                loaded.add(name)
                waiting.append(collected[name])
    return [entry for entry in kept if not _collected_library(entry[0]) or PurePath(entry[0]).name in loaded]


def _collected_library(destination: str) -> bool:
    """A library PyInstaller found on the system (kept only if something loads it), as opposed to
    the app's own binaries: Python, its extension modules, Qt and its plugins."""
    path = PurePath(destination)
    return (
        len(path.parts) == 1
        and path.name.startswith("lib")
        and not path.name.startswith(("libpython", *LOADED_BY_NAME))
    )

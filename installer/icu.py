"""Qt's ICU data, cut down to what Qt asks ICU for.

PySide6's Linux wheels ship ICU with all of its data: a 32 MB libicudata holding every locale's names
of languages, regions, currencies and units, break-iterator dictionaries, transliterators and the
legacy character converters. Qt Core calls ICU for four things only (the ICU symbols libQt6Core
imports): collation (ucol_*), case mapping (u_strToUpper/Lower), time zones and their names
(ucal_*) and character converters (ucnv_*). The app reads and writes UTF-8 alone, which Qt converts
without ICU. So the bundle keeps collation and time-zone names for every locale, the Unicode
properties, normalization and the supplemental data, and the converters' alias table, and leaves
out the rest (about 24 MB).

The data is an ICU "common data" package (the symbol icudt<version>_dat): a header, a table of
contents sorted by name, then the items. The smaller package is linked into a library of the same
name with binutils.
"""

import re
import struct
import subprocess
import tempfile
from pathlib import Path, PurePath

KEPT_TREES = ("coll", "zone")
LOCALE_DATA = re.compile(r"[a-z]{2,3}(_[A-Za-z0-9]+)*\.res")
ALIGNMENT = 16


def is_kept(name: str) -> bool:
    """Whether the item `name` (``icudt73l/coll/de.res``) stays in the bundle's ICU data."""
    path = name.split("/", 1)[1]
    tree, _, leaf = path.rpartition("/")
    if tree:
        return tree in KEPT_TREES
    return not leaf.endswith(".cnv") and not LOCALE_DATA.fullmatch(leaf)


def read_package(package: bytes) -> tuple[bytes, dict[str, bytes]]:
    """The header and the items (by name, in table order) of an ICU common data package."""
    header_size = struct.unpack_from("<H", package)[0]
    if package[2:4] != b"\xda\x27" or package[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package")
    table = package[header_size:]
    count = struct.unpack_from("<I", table)[0]
    entries = [struct.unpack_from("<II", table, 4 + 8 * index) for index in range(count)]
    ends = [offset for _, offset in entries[1:]] + [len(table)]
    items = {}
    for (name_offset, offset), end in zip(entries, ends, strict=True):
        name = table[name_offset : table.index(b"\0", name_offset)].decode("ascii")
        items[name] = table[offset:end]
    return package[:header_size], items


def write_package(header: bytes, items: dict[str, bytes]) -> bytes:
    names = b"".join(name.encode("ascii") + b"\0" for name in items)
    table_size = 4 + 8 * len(items)
    data_start = _aligned(table_size + len(names))
    entries, data, name_offset = [], bytearray(), table_size
    for name, item in items.items():
        entries.append(struct.pack("<II", name_offset, data_start + len(data)))
        name_offset += len(name) + 1
        data += item + bytes(_aligned(len(item)) - len(item))
    table = struct.pack("<I", len(items)) + b"".join(entries) + names
    return header + table + bytes(data_start - len(table)) + bytes(data)


def trimmed(package: bytes) -> bytes:
    header, items = read_package(package)
    return write_package(header, {name: item for name, item in items.items() if is_kept(name)})


def in_bundle(entry: tuple[str, str, str], work: Path) -> tuple[str, str, str]:
    """A PyInstaller binary (destination, source, kind), with the ICU data library trimmed in `work`."""
    destination, source, kind = entry
    name = PurePath(destination).name
    if not name.startswith("libicudata."):
        return entry
    work.mkdir(parents=True, exist_ok=True)
    shrink_library(Path(source), work / name)
    return destination, str(work / name), kind


def shrink_library(library: Path, output: Path) -> None:
    """Write to `output` a copy of the ICU data library `library` holding the trimmed data."""
    symbol, size = _data_symbol(library)
    with tempfile.TemporaryDirectory() as work:
        package = Path(work, "icudata")  # objcopy names the symbols after the input file
        package.write_bytes(trimmed(_package(library, size)))
        file_format, architecture = _elf_kind(library)
        data_object = Path(work, "icudata.o")
        _run(
            "objcopy", "-I", "binary", "-O", file_format, "-B", architecture,
            "--rename-section", ".data=.rodata,alloc,load,readonly,data,contents",
            "--set-section-alignment", f".rodata={ALIGNMENT}",
            "--redefine-sym", f"_binary_{_mangled(package)}_start={symbol}",
            "--strip-symbol", f"_binary_{_mangled(package)}_end",
            "--strip-symbol", f"_binary_{_mangled(package)}_size",
            package, data_object,
        )  # fmt: skip
        _run("ld", "-shared", "-z", "noexecstack", "-soname", library.name, "-o", output, data_object)


def package_of(library: Path) -> bytes:
    """The ICU data package inside the library `library` (PySide6's libicudata: the data alone)."""
    return _package(library, _data_symbol(library)[1])


def _package(library: Path, size: int) -> bytes:
    with tempfile.TemporaryDirectory() as work:
        section = Path(work, "rodata")
        _run("objcopy", "-O", "binary", "--only-section=.rodata", library, section)
        return section.read_bytes()[:size]


def _data_symbol(library: Path) -> tuple[str, int]:
    """The name and size of the data's symbol (`nm` prints: address size kind name)."""
    listing = _run("nm", "-D", "--defined-only", "-S", library)
    found = re.search(r"^\S+ ([0-9a-f]+) \S (icudt\d+_dat)$", listing, re.MULTILINE)
    if not found:  # a library this module wrote has a symbol without a size
        raise ValueError(f"{library} holds no ICU data of a known size (is it trimmed already?)")
    return found[2], int(found[1], 16)


def _elf_kind(library: Path) -> tuple[str, str]:
    description = _run("objdump", "-f", library)
    file_format = re.search(r"file format (\S+)", description)
    architecture = re.search(r"architecture: ([^,\s]+)", description)
    if not file_format or not architecture:
        raise ValueError(f"objdump could not describe {library}")
    return file_format[1], architecture[1]


def _mangled(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", str(path))


def _aligned(size: int) -> int:
    return -(-size // ALIGNMENT) * ALIGNMENT


def _run(*command: object) -> str:
    return subprocess.run([str(part) for part in command], check=True, capture_output=True, text=True).stdout

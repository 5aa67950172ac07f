"""installer.icu on PySide6's own ICU data: the package read and written back, what the trim keeps,
and Qt on the trimmed library answering as it does on the full one."""

import json
import os
import subprocess
import sys
from pathlib import Path

import PySide6
import pytest

from installer import icu

FULL = next((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))

# What Qt Core asks ICU for: collation, case mapping, time-zone names; and whether a table-driven
# converter is there (the one thing the trim leaves out on purpose).
PROBE = r"""
import json
from PySide6.QtCore import QCollator, QDateTime, QLocale, QStringDecoder, QTimeZone
words = ["Zebra", "äpfel", "Apfel", "Ähre", "zebra", "ångström", "Öl", "ch", "cz", "hz", "ĉu", "日本", "中文"]
answers = {}
for name in ["de_DE", "sv_SE", "cs_CZ", "zh_CN", "tr_TR"]:
    locale = QLocale(name)
    answers["sorted " + name] = sorted(words, key=QCollator(locale).sortKey)
    answers["upper " + name] = locale.toUpper("istanbul straße ijs")
    answers["lower " + name] = locale.toLower("İSTANBUL IJ")
moment = QDateTime.fromSecsSinceEpoch(1764000000)
for zone in [b"Europe/Berlin", b"America/New_York", b"Asia/Kolkata"]:
    for name in ["de_DE", "en_US", "ja_JP"]:
        for kind in QTimeZone.NameType.LongName, QTimeZone.NameType.ShortName:
            answers[f"{zone} {name} {kind}"] = QTimeZone(zone).displayName(moment, kind, QLocale(name))
answers["ISO-8859-2 converter"] = QStringDecoder("ISO-8859-2").isValid()
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def package():
    return icu.package_of(FULL)


@pytest.fixture(scope="module")
def trimmed_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("icu")
    icu.shrink_library(FULL, folder / FULL.name)
    return folder


def test_a_package_reads_back_as_it_was_written(package):
    header, items = icu.read_package(package)
    assert len(items) > 3000
    assert icu.read_package(icu.write_package(header, items)) == (header, items)


def test_something_else_is_not_taken_for_a_package(trimmed_folder):
    with pytest.raises(ValueError, match="not an ICU common data package"):
        icu.read_package(FULL.read_bytes())
    with pytest.raises(ValueError, match="is it trimmed already"):
        icu.package_of(trimmed_folder / FULL.name)


def test_the_trim_keeps_collation_zone_names_and_properties_and_drops_the_rest(package):
    before = {name.split("/", 1)[1] for name in icu.read_package(package)[1]}
    after = {name.split("/", 1)[1] for name in icu.read_package(icu.trimmed(package))[1]}
    kept = {"coll/root.res", "coll/de.res", "coll/ucadata.icu", "zone/de.res", "zone/root.res", "root.res"}
    kept |= {"pool.res", "supplementalData.res", "likelySubtags.res", "zoneinfo64.res", "metaZones.res"}
    kept |= {"nfkc.nrm", "uts46.nrm", "unames.icu", "cnvalias.icu"}
    dropped = {"de.res", "zh_Hant_TW.res", "lang/de.res", "curr/de.res", "unit/de.res", "region/de.res"}
    dropped |= {"brkitr/cjdict.dict", "translit/root.res", "rbnf/de.res", "gb18030.cnv"}
    dropped |= {"ibm-5348_P100-1997.cnv"}
    assert kept <= after
    assert dropped <= before - after
    assert {name for name in after if name.startswith(("coll/", "zone/"))} == {
        name for name in before if name.startswith(("coll/", "zone/"))
    }


def run_probe(library_folder: Path | None) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if library_folder:  # searched before the Qt libraries' own RUNPATH
        env["LD_LIBRARY_PATH"] = str(library_folder)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(done.stdout)


def test_qt_answers_on_the_trimmed_data_as_on_the_full_data(trimmed_folder):
    full, trimmed = run_probe(None), run_probe(trimmed_folder)
    assert full.pop("ISO-8859-2 converter") is True
    assert trimmed.pop("ISO-8859-2 converter") is False  # so the trimmed library is the one loaded
    assert trimmed == full
    assert full["upper tr_TR"] == "İSTANBUL STRASSE İJS"
    assert full["sorted sv_SE"][-4:-2] == ["äpfel", "Öl"]  # Swedish sorts ä and ö after z
    assert full["b'Europe/Berlin' de_DE NameType.LongName"] == "Mitteleuropäische Normalzeit"


def test_the_trimmed_library_is_a_quarter_of_the_full_one(trimmed_folder):
    assert (trimmed_folder / FULL.name).stat().st_size < FULL.stat().st_size / 3.5

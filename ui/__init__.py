"""Qt widgets of the Workdiary desktop app.

PySide6 reads the source of every module imported after it (and of every earlier module that is
imported again) into ``linecache``, where it stays: it looks for the word "PySide6" to serve the
opt-in ``from __feature__ import snake_case`` (shibokensupport/feature.py). Workdiary uses no such
feature, so the scan is switched off as soon as PySide6 is loaded; it would keep 5 MB of sources
in the app's memory, 11 MB once requests is imported. Every module then has the default
selection, the one the scan gives a module that uses PySide6 without features.
"""

import sys

import PySide6.QtCore  # noqa: F401  (loads shibokensupport)


def _not_scanned(module) -> None:
    return None


for _name in ("shibokensupport.feature", "shibokensupport.signature.loader"):
    if hasattr(sys.modules.get(_name), "feature_imported"):
        sys.modules[_name].feature_imported = _not_scanned

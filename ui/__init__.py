"""Qt widgets of the Workdiary desktop app.

The non-Qt modules the app always loads are imported here, before anything imports PySide6: its
import hook reads the source of every module imported after it (to look for "PySide6") into
``linecache``, where it stays. Imported first, SQLAlchemy and the core cost the app about 20 MB
less resident memory.
"""

import sync.outbox  # noqa: F401  (import order only; see above)
import tracker.diary
import tracker.engine  # noqa: F401

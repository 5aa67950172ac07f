"""Qt widgets of the Workdiary desktop app.

The core is imported here, before anything imports PySide6: SQLAlchemy's modules imported after
PySide6 (whose import hook sees every later import) cost the app about 18 MB more resident memory.
"""

import tracker.diary  # noqa: F401  (import order only; see above)

"""Render the desktop app's workroom window, each of its tabs, to PNG in docs/.

    python scripts/render_workroom_docs.py

The demo freelancer's app database is filled the way a user's is: the contract service with its
demo data on a loopback port, this computer's demo week sent to it, and the workroom copies read
back by the real sync. The window then opens from the copy, as it does offline.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from scripts.docs_demo import CONTRACT, NOW, ZONE, demo_service, sync_this_computers_week  # noqa: E402

DOCS = REPO / "docs"
FIXED_CONTRACT = "Logo design"


def render(app_folder: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from tracker.diary import Diary
    from tracker.simulation import SimulatedClock
    from tracker.storage import Database
    from ui.operations import Operations
    from ui.workroom import WorkroomWindow

    application = QApplication.instance()
    database = Database(app_folder)
    diary = Diary(database, ZoneInfo(ZONE))
    clock = SimulatedClock(NOW)
    operations = Operations(diary, clock.now)
    titles = {contract.title: contract.id for contract in diary.contracts()}

    def opened(title: str) -> WorkroomWindow:
        window = WorkroomWindow(titles[title], operations, clock.now, ZoneInfo(ZONE))
        window.resize(900, 720)
        window.show()
        shown: list[bool] = []
        operations.after_those_asked(window, lambda: shown.append(True))
        while not shown:
            application.processEvents()
        return window

    def save(window: WorkroomWindow, name: str) -> None:
        application.processEvents()
        window.grab().save(str(DOCS / name))
        print(f"docs/{name}")

    window = opened(CONTRACT)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        save(window, f"workroom-{window.tabs.tabText(index).replace('&', '').lower()}.png")
    window.close()
    window = opened(FIXED_CONTRACT)
    save(window, "workroom-milestones.png")
    window.close()
    operations.shutdown()
    database.close()


def main() -> None:
    from PySide6.QtWidgets import QApplication

    DOCS.mkdir(exist_ok=True)
    application = QApplication(["workdiary-docs"])  # noqa: F841  (before the demo week draws with Qt)
    with tempfile.TemporaryDirectory() as work, demo_service(Path(work) / "service") as service:
        sync_this_computers_week(service, Path(work) / "app")
        render(Path(work) / "app")


if __name__ == "__main__":
    main()

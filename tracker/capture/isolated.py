"""Screenshots taken in a short-lived child process, for the headless tracker and the app.

Encoding needs Qt's image codecs, and loading PySide6's QtGui costs a process some 25 MB of
resident memory for good, for a few milliseconds of work every ten minutes. The headless tracker
keeps its own memory small by running the session's capturer (``MssCapturer``, or
``PortalCapturer`` on Wayland) in a child that exits once the files are written. The app does the
same: it has QtGui loaded anyway, but a grab and its encoding in its own process left it some
30 MB larger for good (the allocator keeps what was freed, the codecs stay loaded; 144 against
113 MB, benchmarks/bench_app.py), for about 0.2 s of a child's CPU every ten minutes. What the
child logs (warnings: a portal that failed, for one) goes to this process's log.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from common.errors import EnvironmentProblem, StorageProblem
from tracker import children
from tracker.capture import Capture, CapturedImage

if TYPE_CHECKING:
    from tracker.settings import Settings

log = logging.getLogger(__name__)
TIMEOUT_S = 60.0
FIX = "Check that the screen can be captured with 'python -m tracker track' in your desktop session."


class IsolatedCapturer:
    def __init__(
        self, monitors: list[int] | None = None, private_apps: tuple[str, ...] = (), fmt: str | None = None
    ) -> None:
        self.monitors = monitors
        self.private_apps = private_apps
        self.fmt = fmt  # None: the default format

    def capture(self, directory: Path, stem: str) -> Capture:
        request = json.dumps(
            {
                "directory": str(directory),
                "stem": stem,
                "monitors": self.monitors,
                "private_apps": self.private_apps,
                "format": self.fmt,
            }
        )
        try:
            child = subprocess.run(
                children.command("tracker.capture.isolated", request),
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
            )
        except subprocess.TimeoutExpired as error:
            message = f"Screenshots cannot be taken: the capture took over {TIMEOUT_S:g} s."
            raise EnvironmentProblem(message, FIX) from error
        try:
            answer = json.loads(child.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError) as error:
            last = (child.stderr.strip().splitlines() or ["no output"])[-1]
            message = f"Screenshots cannot be taken: the capture process failed ({last})."
            raise EnvironmentProblem(message, FIX) from error
        for line in child.stderr.strip().splitlines():
            log.warning("the capture process: %s", line)
        if "environment" in answer:
            raise EnvironmentProblem(answer["environment"], answer["fix"])
        if "storage" in answer:
            raise StorageProblem(answer["storage"])
        images = [
            CapturedImage(
                **image | {"path": Path(image["path"]), "thumbnail_path": Path(image["thumbnail_path"])}
            )
            for image in answer["images"]
        ]
        return Capture(images, answer["note"], answer["private_app"])


def isolated_capturer(settings: Settings) -> IsolatedCapturer:
    """The screen capturer the settings ask for (monitors, format, private apps), in a child."""
    monitors = list(settings.screenshot_monitors) or None
    return IsolatedCapturer(monitors, settings.private_apps, settings.screenshot_format)


def _serve(request: dict) -> dict:
    from tracker.capture import chosen_capturer
    from tracker.capture.imaging import DEFAULT_FORMAT

    try:
        fmt = request["format"] or DEFAULT_FORMAT
        capturer = chosen_capturer(request["monitors"], fmt, tuple(request["private_apps"]))
        capture = capturer.capture(Path(request["directory"]), request["stem"])
    except EnvironmentProblem as problem:
        return {"environment": problem.args[0], "fix": problem.fix}
    except StorageProblem as problem:
        return {"storage": str(problem)}
    images = [asdict(image) for image in capture.images]
    return {"images": images, "note": capture.note, "private_app": capture.private_app}


if __name__ == "__main__":
    from common import logs

    logs.configure()
    print(json.dumps(_serve(json.loads(sys.argv[1])), default=str))  # paths as text

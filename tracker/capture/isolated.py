"""Screenshots taken in a short-lived child process, for the headless tracker.

Encoding needs Qt's image codecs, and loading PySide6's QtGui costs a process some 25 MB of
resident memory for good, for a few milliseconds of work every ten minutes. The headless tracker
keeps its own memory small by running the session's capturer (``MssCapturer``, or
``PortalCapturer`` on Wayland) in a child that exits once the files are written. (The desktop app
has Qt loaded anyway and uses the capturer directly.) What the child logs (warnings: a portal that
failed, for one) goes to this process's log.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from common.errors import EnvironmentProblem, StorageProblem
from tracker import children
from tracker.capture import Capture, CapturedImage

log = logging.getLogger(__name__)
TIMEOUT_S = 60.0
FIX = "Check that the screen can be captured with 'python -m tracker track' in your desktop session."


class IsolatedCapturer:
    def __init__(self, monitors: list[int] | None = None, private_apps: tuple[str, ...] = ()) -> None:
        self.monitors = monitors
        self.private_apps = private_apps

    def capture(self, directory: Path, stem: str) -> Capture:
        request = json.dumps(
            {
                "directory": str(directory),
                "stem": stem,
                "monitors": self.monitors,
                "private_apps": self.private_apps,
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


def _serve(request: dict) -> dict:
    from tracker.capture import session_capturer
    from tracker.capture.imaging import DEFAULT_FORMAT

    try:
        capturer = session_capturer(request["monitors"], DEFAULT_FORMAT, tuple(request["private_apps"]))
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

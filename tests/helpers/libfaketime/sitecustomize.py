"""Imported at the start of the Python processes a test runs under libfaketime (this folder on their
PYTHONPATH): ``time.sleep`` through ``select``. Python sleeps with clock_nanosleep on the monotonic
clock, which libfaketime 0.9.10 garbles when it leaves that clock real (EINVAL), as the tests must:
Python's other waits use deadlines on the real one."""

import select
import time


def _sleep(seconds: float) -> None:
    select.select([], [], [], seconds)


time.sleep = _sleep

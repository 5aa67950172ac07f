"""Bare pynput listeners, the CPU baseline of the tracking benchmark: callbacks that only count.

    DISPLAY=:99 python benchmarks/bare_listeners.py

Registers the same callbacks as ``tracker.capture.input.PynputInputSource`` (key presses; pointer
moves, button presses and scrolls), each taking exactly the arguments pynput passes so that pynput
adds no adapter. Prints "ready" once both listeners listen; on SIGTERM or SIGINT it prints the counts
as one JSON line and exits.
"""

import json
import signal
import threading

from pynput import keyboard, mouse

counts = {"keyboard": 0, "mouse": 0}


def on_press(key, injected):
    counts["keyboard"] += 1


def on_move(x, y, injected):
    counts["mouse"] += 1


def on_click(x, y, button, pressed, injected):
    if pressed:
        counts["mouse"] += 1


def on_scroll(x, y, dx, dy, injected):
    counts["mouse"] += 1


def main() -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    listeners = [
        keyboard.Listener(on_press=on_press),
        mouse.Listener(on_move=on_move, on_click=on_click, on_scroll=on_scroll),
    ]
    for listener in listeners:
        listener.start()
        listener.wait()
    print("ready", flush=True)
    stop.wait()
    for listener in listeners:
        listener.stop()  # not joined: pynput's X listeners end only at the next event (pynput#583)
    print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    main()

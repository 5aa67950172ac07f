"""Short-lived child processes (a screenshot for the headless tracker, a keyring call for the app):
how to start one, from the source tree or from the frozen app, which cannot ``-m``."""

from __future__ import annotations

import runpy
import sys

FLAG = "--run-module"


def command(module: str, *arguments: str) -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, FLAG, module, *arguments]
    return [sys.executable, "-m", module, *arguments]


def run_if_asked(argv: list[str]) -> bool:
    """In the frozen app: run the module a parent asked for (``FLAG module args…``) as ``-m`` would."""
    if argv[1:2] != [FLAG] or len(argv) < 3:
        return False
    sys.argv = [argv[2], *argv[3:]]
    runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
    return True

"""``sync.credentials``' token calls, made by a short-lived child process (the desktop app's way).

keyring finds its backend by importing every installed one, and the Secret Service backend brings
in cryptography: some 12 MB of resident memory for the life of the app, for one read at start-up
and a write at sign-in. A child process that exits at once keeps them out of the app. The token
travels through pipes only, never through a file or the command line.
"""

from __future__ import annotations

import json
import subprocess
import sys

from sync.errors import NoKeyring
from tracker import children

TIMEOUT_S = 60.0  # a keyring may be waiting for the user to unlock it
FIX = "Check that the desktop's keyring is installed and unlocked, then sign in again."


def load_token(url: str) -> str | None:
    return _ask("load", url).get("token")


def save_token(url: str, token: str) -> None:
    _ask("save", url, token)


def delete_token(url: str) -> None:
    _ask("delete", url)


def _ask(operation: str, url: str, token: str | None = None) -> dict:
    request = json.dumps({"operation": operation, "url": url, "token": token})
    try:
        child = subprocess.run(
            children.command("sync.isolated_credentials"),
            input=request,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as error:
        raise NoKeyring(f"The keyring did not answer within {TIMEOUT_S:g} s.", FIX) from error
    try:
        answer = json.loads(child.stdout)
    except json.JSONDecodeError as error:
        last = (child.stderr.strip().splitlines() or ["no output"])[-1]
        raise NoKeyring(f"The keyring could not be used ({last}).", FIX) from error
    if "problem" in answer:
        raise NoKeyring(answer["problem"], answer["fix"])
    return answer


def _serve(request: dict) -> dict:
    from sync import credentials

    url = request["url"]
    try:
        if request["operation"] == "load":
            return {"token": credentials.load_token(url)}
        if request["operation"] == "save":
            credentials.save_token(url, request["token"])
        else:
            credentials.delete_token(url)
    except NoKeyring as missing:
        return {"problem": missing.args[0], "fix": missing.fix}
    return {}


if __name__ == "__main__":
    print(json.dumps(_serve(json.loads(sys.stdin.read()))))

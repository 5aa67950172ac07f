"""The contract service's address, as the app and the command line accept it."""

from __future__ import annotations

from urllib.parse import urlsplit

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def service_url_problem(url: str) -> str:
    """Why a service URL cannot be used, or "". Plain HTTP would send the password and the
    screenshots readable on the way, so it is only for a service on this computer."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Enter the service's address, like https://workdiary.example.com."
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        return "Use https:// for a service on another computer: plain http would expose your password."
    return ""

"""The user's settings, kept in the local database beside the data they govern."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import timedelta

from tracker.capture.windows import DEFAULT_PRIVATE_APPS
from tracker.engine import TrackerConfig
from tracker.storage import Database

KEY = "settings"


@dataclass(frozen=True)
class Settings:
    idle_minutes: int = 10
    idle_answer_minutes: int = 10  # unanswered idle question: discard the idle time and stop
    keep_tracking_over_limit: bool = False
    screenshot_monitors: tuple[int, ...] = ()  # empty: every monitor
    screenshot_format: str = "webp"  # webp | jpeg (see tracker/capture/imaging.py)
    hold_minutes: int = 10  # screenshots stay local this long, for review, before upload
    private_apps: tuple[str, ...] = DEFAULT_PRIVATE_APPS  # no screenshot while one is on screen
    notifications: bool = True
    count_input_devices: bool = False  # on Wayland: keys and clicks from /dev/input (the input group)
    start_at_login: bool = False
    service_url: str = ""  # the contract service to sync with; "" before the user chose one
    account_email: str = ""  # who signed in there (the token itself is in the OS keyring)

    def tracker_config(self) -> TrackerConfig:
        return TrackerConfig(
            idle_threshold=timedelta(minutes=self.idle_minutes),
            idle_answer_timeout=timedelta(minutes=self.idle_answer_minutes),
            keep_tracking_over_limit=self.keep_tracking_over_limit,
        )


def load_settings(database: Database) -> Settings:
    """The saved settings; unknown or missing keys (an older or newer version) fall back to the
    defaults, and a damaged entry to all defaults, rather than stopping the app."""
    try:
        saved = json.loads(database.setting(KEY) or "{}")
    except json.JSONDecodeError:
        return Settings()
    known = {field.name for field in fields(Settings)}
    values = (
        {name: value for name, value in saved.items() if name in known} if isinstance(saved, dict) else {}
    )
    for name in ("screenshot_monitors", "private_apps"):
        if name in values:
            values[name] = tuple(values[name])
    try:
        return replace(Settings(), **values)
    except TypeError:
        return Settings()


def save_settings(database: Database, settings: Settings) -> None:
    database.save_setting(KEY, json.dumps(asdict(settings)))

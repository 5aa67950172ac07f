"""Settings survive a restart; damaged or foreign entries fall back to the defaults."""

from __future__ import annotations

from datetime import timedelta

from tracker.settings import KEY, Settings, load_settings, save_settings
from tracker.storage import Database


def test_settings_are_saved_and_loaded(database):
    assert load_settings(database) == Settings()
    assert "KeePassXC" in Settings().private_apps  # password managers are private from the start
    chosen = Settings(
        idle_minutes=5,
        screenshot_monitors=(2,),
        hold_minutes=30,
        notifications=False,
        private_apps=("My Bank", "Signal"),
    )
    save_settings(database, chosen)
    again = Database(database.data_dir)
    assert load_settings(again) == chosen
    again.close()
    assert chosen.tracker_config().idle_threshold == timedelta(minutes=5)


def test_damaged_or_foreign_entries_fall_back_to_the_defaults(database):
    for text, expected in [
        ("{not json", Settings()),
        ('["a list"]', Settings()),
        ('{"idle_minutes": 3, "a_setting_from_a_newer_version": 1}', Settings(idle_minutes=3)),
    ]:
        database.save_setting(KEY, text)
        assert load_settings(database) == expected

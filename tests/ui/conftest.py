"""Widget tests run on Qt's xcb platform under the virtual X server that pytest-xvfb starts for
the session: the tray needs a real X display and a tray host, and one QApplication serves the
whole session, so every widget test uses the same real platform (do not set offscreen here)."""

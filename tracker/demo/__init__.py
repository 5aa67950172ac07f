"""Demo data made the way the app makes its own: realistic desktop contents to screenshot, and a
week of work tracked by the real engine on a simulated clock. ``make run`` shows it on a fresh data
folder, ``make docs`` pictures it, and the screenshot codec's tests and benchmark encode its
screens."""

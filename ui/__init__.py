"""Qt widgets of the Workdiary desktop app."""

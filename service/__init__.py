"""The Workdiary contract service."""

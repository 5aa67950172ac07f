"""Alembic migrations of the local database, applied at start-up.

HEAD names the newest revision so that a start-up on an up-to-date database needs no Alembic import
(a test checks it against the scripts).
"""

HEAD = "0009"

"""Alembic migrations of the service's database, applied at start-up.

HEAD names the newest revision so that a start-up on an up-to-date database needs no Alembic import
(a test checks it against the scripts).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection

HEAD = "0008"
SEARCH_TABLE = "message_search"  # migration 0004's, not the models'


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Autogenerate's filter: all but the full-text search's table (and FTS5's own tables on
    SQLite), which the models do not describe, so that no comparison wants them dropped."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE))


def alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["connection"] = connection
    return config

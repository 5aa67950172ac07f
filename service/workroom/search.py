"""Full-text search over a contract's thread: its messages' words and their files' names, accents
and case ignored, each word of the query matching the words it begins (SQLite FTS5 with the
unicode61 tokenizer; PostgreSQL's text search over words cleared of accents by ``unaccent``). The
index is kept by triggers on messages and attachments (migration 0004): every line of the thread,
however posted, is found.

A query is taken as words only: its punctuation separates words and is never FTS syntax, so that
no query can fail or mean something else than the words typed.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import text
from sqlalchemy.orm import Session

from common.states import Role
from service.models import Contract
from service.workroom.access import sees_money

# Letters and digits: the unicode61 tokenizer's token characters (punctuation and "_" separate).
_WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 16

# Best first: bm25 is lower the better, ts_rank higher; equal ones newest first.
_QUERIES = {
    "sqlite": """
        SELECT rowid FROM message_search WHERE message_search MATCH :query AND (:money OR NOT money)
        ORDER BY bm25(message_search, 1, 1, 0), rowid DESC LIMIT :limit OFFSET :offset
    """,
    "postgresql": """
        SELECT s.number FROM message_search s, to_tsquery('simple', :query) q
        WHERE s.document @@ q AND s.contract_id = :contract_id AND (:money OR NOT s.money)
        ORDER BY ts_rank(s.document, q) DESC, s.number DESC LIMIT :limit OFFSET :offset
    """,
}


def query_words(query: str) -> list[str]:
    """The words of a query as the index splits text into words (at most MAX_WORDS)."""
    return _WORD.findall(unicodedata.normalize("NFC", query))[:MAX_WORDS]


def _match(session: Session, dialect: str, contract: Contract, words: list[str]) -> str | None:
    """Each word as a prefix that every match holds, quoted so that a word is never an operator (on
    SQLite, in the text and files' names of the contract's messages: migration 0004); None when no
    word is left."""
    if dialect == "sqlite":
        prefixes = " ".join(f'"{word}"*' for word in words)
        return f'contract : "c{contract.id.replace("-", "")}" AND {{body files}} : ({prefixes})'
    # Cleared of accents as the index's words are, and split again: unaccent makes some letters
    # punctuation ("ʼ" an apostrophe, "½" "1/2"), which a quoted word must not hold.
    words = query_words(session.scalar(text("SELECT unaccent(:words)"), {"words": " ".join(words)}) or "")
    return " & ".join(f"'{word}':*" for word in words) or None


def search_numbers(
    session: Session, contract: Contract, role: Role, query: str, offset: int, limit: int
) -> tuple[list[int], bool]:
    """The numbers of the contract's messages that hold every word of ``query`` (their text or a
    file's name), best match first, from ``offset``; and whether more follow."""
    dialect = session.get_bind().dialect.name
    words = query_words(query)
    match = _match(session, dialect, contract, words) if words else None
    if match is None:
        return [], False
    numbers = list(
        session.scalars(
            text(_QUERIES[dialect]),
            {
                "money": sees_money(role),
                "query": match,
                "contract_id": contract.id,
                "limit": limit + 1,
                "offset": offset,
            },
        )
    )
    return numbers[:limit], len(numbers) > limit

"""Full-text search over the threads (service/workroom/search.py): an index of each message's words
and its files' names (with its contract, and whether it tells of money, so that a search reads
the index alone), kept by triggers on messages and attachments, and filled from the messages
there are. SQLite: an FTS5 table (unicode61 tokenizer, diacritics removed). PostgreSQL: a table of
tsvectors with a GIN index, its words cleared of accents by the ``unaccent`` extension (a trusted
one: the database's owner may create it) and split at punctuation, as unicode61 splits them.

The models do not describe these objects (service.migrations.include_name keeps autogenerate
from dropping them). A later migration that copies messages or attachments on SQLite (a batch
alteration) drops their triggers with the table: it must make them again.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# SQLite: the contract as a word of a column of its own, which a search names with its words, so
# that FTS5 finds a contract's matches in its index rather than reading each match's row.
CONTRACT_WORD = "'c' || replace({}.contract_id, '-', '')"
SQLITE = [
    """CREATE VIRTUAL TABLE message_search USING fts5(
        body, files, contract, money UNINDEXED, tokenize = 'unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER message_search_message AFTER INSERT ON messages BEGIN
        INSERT INTO message_search (rowid, body, files, contract, money)
        VALUES (new.number, new.body, '', {CONTRACT_WORD.format("new")}, new.money);
    END""",
    """CREATE TRIGGER message_search_attachment AFTER INSERT ON attachments BEGIN
        UPDATE message_search SET files = files || ' ' || new.name WHERE rowid = new.message_number;
    END""",
    f"""INSERT INTO message_search (rowid, body, files, contract, money)
        SELECT m.number, m.body, coalesce(
            (SELECT group_concat(a.name, ' ') FROM attachments a WHERE a.message_number = m.number), ''
        ), {CONTRACT_WORD.format("m")}, m.money
        FROM messages m""",
]
POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """CREATE TABLE message_search (
        number BIGINT PRIMARY KEY REFERENCES messages (number),
        contract_id VARCHAR(36) NOT NULL,
        money BOOLEAN NOT NULL,
        document TSVECTOR NOT NULL
    )""",
    "CREATE INDEX ix_message_search_document ON message_search USING GIN (document)",
    """CREATE FUNCTION message_search_words(words TEXT) RETURNS TSVECTOR LANGUAGE SQL STABLE AS $$
        SELECT to_tsvector('simple', unaccent(regexp_replace(words, '[[:punct:]]+', ' ', 'g')))
    $$""",
    """CREATE FUNCTION message_search_message() RETURNS TRIGGER LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO message_search (number, contract_id, money, document)
        VALUES (NEW.number, NEW.contract_id, NEW.money, message_search_words(NEW.body));
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER message_search_message AFTER INSERT ON messages
        FOR EACH ROW EXECUTE FUNCTION message_search_message()""",
    """CREATE FUNCTION message_search_attachment() RETURNS TRIGGER LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE message_search SET document = document || message_search_words(NEW.name)
        WHERE number = NEW.message_number;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER message_search_attachment AFTER INSERT ON attachments
        FOR EACH ROW EXECUTE FUNCTION message_search_attachment()""",
    """INSERT INTO message_search (number, contract_id, money, document)
        SELECT m.number, m.contract_id, m.money, message_search_words(
            m.body || ' ' || coalesce(
                (SELECT string_agg(a.name, ' ') FROM attachments a WHERE a.message_number = m.number), ''
            )
        )
        FROM messages m""",
]


def upgrade() -> None:
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER message_search_attachment")
        op.execute("DROP TRIGGER message_search_message")
        op.execute("DROP TABLE message_search")
        return
    op.execute("DROP TRIGGER message_search_attachment ON attachments")
    op.execute("DROP TRIGGER message_search_message ON messages")
    op.execute("DROP TABLE message_search")
    for function in ("message_search_attachment()", "message_search_message()", "message_search_words(TEXT)"):
        op.execute(f"DROP FUNCTION {function}")

"""The workroom on the service (PRODUCT.md section 7, issue 11): a thread of 100,000 messages
(words of a believable vocabulary, some accented, a file every hundred messages) searched through
GET …/messages/search, and read (its newest page, its unread count, its files), on SQLite and
PostgreSQL. The time is the request's, seen by its client on the same machine: the server's and a
loopback round trip.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import insert

from common.states import MessageKind
from common.wire import bearer
from service.local import LocalService, running_service
from service.models import Attachment, Blob, Message
from service.postgres_cluster import postgres_cluster, server_binaries
from tracker.simulation import SimulatedClock

MESSAGES = 100_000
FILE_EVERY = 100  # messages
SEARCH_BAR_MS = 100.0
ANSWER_BAR_MS = 50.0  # each workroom answer
REPEATS = 5  # of each query
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
FREELANCER, CLIENT = "ann@example.test", "cara@example.test"
# Common words, rarer ones, accented ones (separated by spaces): the queries look for each kind.
COMMON = "the a to and of we is for on it this that with can you be will have are"
WORK = (
    "invoice header layout logo colour draft review feedback design meeting deadline budget report "
    "résumé café naïve déjà client freelancer homepage mobile menu footer font photo banner contract "
    "milestone payment update change version final proposal screen button login search page"
)
QUERIES = ["invoice", "resume", "cafe naive", "logo review", "the", "deadl", "zebra"]
THREAD_READS = ["/messages", "/messages/unread", "/files", "/todos"]


def _words(generator: random.Random, count: int) -> str:
    common, work = COMMON.split(), WORK.split()
    return " ".join(generator.choice(work if generator.random() < 0.3 else common) for _ in range(count))


def fill_thread(service: LocalService, contract_id: str, author_ids: list[str]) -> None:
    """MESSAGES messages of 5–40 words by either party, a file every FILE_EVERY (the triggers index them)."""
    generator = random.Random(11)
    with service.app.state.service.database.writing() as session:
        session.execute(
            insert(Blob),
            [{"sha256": "0" * 64, "size": 1, "content_type": "application/octet-stream", "created_at": NOW}],
        )
        for start in range(0, MESSAGES, 10_000):
            rows = [
                {
                    "number": number + 1,
                    "id": str(uuid.UUID(int=number + 1)),
                    "contract_id": contract_id,
                    "author_id": author_ids[number % 2],
                    "kind": MessageKind.TEXT,
                    "body": _words(generator, generator.randint(5, 40)),
                    "created_at": NOW - timedelta(minutes=MESSAGES - number),
                    "money": False,
                }
                for number in range(start, start + 10_000)
            ]
            session.execute(insert(Message), rows)
        session.execute(
            insert(Attachment),
            [
                {
                    "message_number": number,
                    "contract_id": contract_id,
                    "sha256": "0" * 64,
                    "name": f"{generator.choice(WORK.split())}-{number}.pdf",
                    "content_type": "application/pdf",
                    "size": 1,
                }
                for number in range(1, MESSAGES + 1, FILE_EVERY)
            ],
        )


def median_ms(http: requests.Session, url: str, **query: str) -> float:
    """The median time of REPEATS answers to a GET."""
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        http.get(url, params=query, timeout=60).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(name: str, database_url: str | None, folder: Path) -> list[dict]:
    with running_service(folder, SimulatedClock(NOW), database_url=database_url) as service:
        author_ids = [service.add_user(FREELANCER, "freelancer"), service.add_user(CLIENT, "client")]
        contract_id = service.add_contract("Bench", FREELANCER, CLIENT, started_at=NOW - timedelta(days=730))
        filled = time.perf_counter()
        fill_thread(service, contract_id, author_ids)
        filled = time.perf_counter() - filled
        contract = f"{service.api}/contracts/{contract_id}"
        with requests.Session() as http:
            http.headers.update(bearer(service.sign_in(FREELANCER)))
            searches = {query: median_ms(http, f"{contract}/messages/search", q=query) for query in QUERIES}
            answers = {path: median_ms(http, f"{contract}{path}") for path in THREAD_READS}
    slowest = max(searches, key=searches.__getitem__)
    slowest_read = max(answers, key=answers.__getitem__)
    return [
        {
            "name": f"search {MESSAGES:,} messages, median of the slowest query ({slowest!r}), {name}",
            "value": searches[slowest],
            "unit": "ms",
            "bar": SEARCH_BAR_MS,
            "ok": searches[slowest] <= SEARCH_BAR_MS,
        },
        {
            "name": f"search {MESSAGES:,} messages, median over the queries, {name}",
            "value": statistics.median(searches.values()),
            "unit": "ms",
            "bar": None,
            "ok": None,
        },
        {
            "name": f"the slowest of {', '.join(THREAD_READS)} ({slowest_read}), median, {name}",
            "value": answers[slowest_read],
            "unit": "ms",
            "bar": ANSWER_BAR_MS,
            "ok": answers[slowest_read] <= ANSWER_BAR_MS,
        },
        {
            "name": f"store and index {MESSAGES:,} messages, {name}",
            "value": filled,
            "unit": "s",
            "bar": None,
            "ok": None,
        },
    ]


def run() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as temporary, ExitStack() as stack:
        rows += measure("SQLite", None, Path(temporary) / "sqlite")
        if server_binaries() is not None:
            cluster = stack.enter_context(postgres_cluster())
            rows += measure("PostgreSQL", cluster.create_database(), Path(temporary) / "postgres")
    return rows


if __name__ == "__main__":
    for row in run():
        print(row, file=sys.stdout)

"""/healthz and /readyz, open to anyone; each request's id in its answer and in the JSON log lines
written while it is answered."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from common.logs import JsonLines
from service import migrations
from service.config import ENVIRONMENT_PREFIX
from service.postgres_cluster import PostgresCluster
from tests.helpers.service import LocalService, running_service


def ready(service: LocalService) -> requests.Response:
    return requests.get(f"{service.url}/readyz", timeout=10)


def test_a_worker_says_it_answers_and_is_ready_to_anyone(service: LocalService) -> None:
    healthy = requests.get(f"{service.url}/healthz", timeout=10)

    assert (healthy.status_code, healthy.json()) == (200, {"status": "ok"})
    assert (ready(service).status_code, ready(service).json()) == (200, {"status": "ok"})


def test_a_database_behind_the_newest_migration_is_not_ready(service: LocalService) -> None:
    with service.database.writing() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0001'"))

    answer = ready(service)

    assert answer.status_code == 503
    assert answer.json() == {
        "status": "not ready",
        "reason": f"the database is at revision 0001, not {migrations.HEAD}: migrate it",
    }


def test_an_unreachable_database_is_not_ready(tmp_path, clock, postgres: PostgresCluster) -> None:
    url = postgres.create_database()
    with running_service(tmp_path, clock, url) as service:
        before = ready(service).status_code
        postgres.drop_database(url)

        answer = ready(service)

    assert before == 200
    assert answer.status_code == 503
    assert answer.json() == {"status": "not ready", "reason": "the database does not answer"}


@pytest.fixture
def warnings_as_json_lines() -> Iterator[io.StringIO]:
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonLines())
    logger = logging.getLogger("service.health")
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)


def test_a_blob_store_that_cannot_take_blobs_is_not_ready_and_the_log_tells_why_for_the_request(
    service: LocalService, warnings_as_json_lines: io.StringIO
) -> None:
    shutil.rmtree(service.config.storage_dir)

    answer = requests.get(f"{service.url}/readyz", headers={"X-Request-ID": "from-nginx-1"}, timeout=10)

    assert answer.status_code == 503
    assert answer.json() == {"status": "not ready", "reason": "the blob store does not answer"}
    assert answer.headers["X-Request-ID"] == "from-nginx-1"
    [line] = warnings_as_json_lines.getvalue().splitlines()
    logged = json.loads(line)
    assert logged["level"] == "WARNING"
    assert logged["logger"] == "service.health"
    assert logged["message"] == "not ready: the blob store does not answer"
    assert logged["request_id"] == "from-nginx-1"
    assert "PermissionError" in logged["exception"]
    assert logged["time"].endswith("+00:00")


def test_each_answer_has_a_request_id_of_its_own_unless_a_plain_one_came_with_it(
    service: LocalService,
) -> None:
    ids = [requests.get(f"{service.url}/healthz", timeout=10).headers["X-Request-ID"] for _ in range(2)]
    odd = requests.get(f"{service.api}/me", headers={"X-Request-ID": "a b\\c"}, timeout=10)

    assert ids[0] != ids[1]
    assert all(len(request_id) == 32 for request_id in ids)
    assert odd.status_code == 401
    assert len(odd.headers["X-Request-ID"]) == 32


def test_the_schema_tells_what_not_ready_answers(service: LocalService) -> None:
    schema = requests.get(f"{service.api}/openapi.json", timeout=10).json()

    not_ready = schema["paths"]["/readyz"]["get"]["responses"]["503"]

    assert not_ready["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/NotReady"}
    assert "/healthz" in schema["paths"]


def test_the_command_line_logs_json_lines_when_told(tmp_path: Path) -> None:
    environment = {**os.environ, f"{ENVIRONMENT_PREFIX}LOG_FORMAT": "json"}
    locations = [
        "--database-url",
        f"sqlite:///{tmp_path / 'new.sqlite3'}",
        "--storage-dir",
        str(tmp_path / "blobs"),
    ]

    done = subprocess.run(
        [sys.executable, "-m", "service", *locations, "due-work"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    [migrating] = [json.loads(line) for line in done.stderr.splitlines()]
    assert migrating["level"] == "INFO"
    assert migrating["logger"] == "service.database"
    assert migrating["message"].startswith("migrating sqlite:///")
    assert "request_id" not in migrating

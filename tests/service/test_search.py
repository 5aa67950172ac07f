"""Search over a contract's thread, the same on SQLite (FTS5) and PostgreSQL (text search): words of
the text and of the files' names, accents and case ignored, words matched from their start (never
inside, as LIKE would), best match first, and any query text taken as words."""

from __future__ import annotations

import pytest

from common.states import Role
from service.models import Contract
from service.workroom.search import MAX_WORDS, query_words, search_numbers
from tests.conftest import MONDAY
from tests.helpers.thread import post
from tests.service.conftest import World, uid
from tests.service.test_migrations import USERS_0001, _at_revision, _contract_0001, _insert, database_url

__all__ = ["database_url"]  # the fixture: SQLite, then PostgreSQL


def search(
    world: World, q: str, token: str | None = None, contract_id: str | None = None, **query: object
) -> dict:
    answer = world.call(
        "GET",
        f"/contracts/{contract_id or world.website}/messages/search",
        token or world.ann,
        params={"q": q, **query},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def found(world: World, q: str, **query: object) -> list[str]:
    return [message["body"] for message in search(world, q, **query)["messages"]]


@pytest.fixture
def thread_world(either_world: World) -> World:
    world = either_world
    lines = [
        ("cv", world.cara, "Please send your résumé", [(b"cv", "CV Ann.pdf")]),
        ("budget", world.ann, "Here are the numbers", [(b"q3", "Q3-budget_final.xlsx")]),
        ("invoice", world.ann, "The invoice for November is attached", []),
        ("resume", world.cara, "We RESUME work on Monday", []),
        ("naive", world.ann, "A naïve café crème déjà vu", []),
    ]
    for name, token, body, files in lines:
        assert post(world, token, world.website, uid(name), body, files).status_code == 200
        world.service.clock.advance(60)
    assert post(world, world.bob, world.bobs, uid("bobs"), "Bob's résumé and invoice").status_code == 200
    return world


def test_words_are_found_whatever_their_accents_and_case(thread_world: World) -> None:
    world = thread_world

    assert set(found(world, "resume")) == {"Please send your résumé", "We RESUME work on Monday"}
    assert set(found(world, "RÉSUMÉ")) == {"Please send your résumé", "We RESUME work on Monday"}
    assert found(world, "naive cafe creme deja") == ["A naïve café crème déjà vu"]
    assert found(world, "invoice november") == ["The invoice for November is attached"]
    assert found(world, "invoice december") == []


def test_files_are_found_by_the_words_of_their_names(thread_world: World) -> None:
    world = thread_world

    assert found(world, "budget") == found(world, "q3 xlsx") == ["Here are the numbers"]
    assert found(world, "final.xlsx") == ["Here are the numbers"]
    assert found(world, "cv ann pdf") == ["Please send your résumé"]


def test_a_word_matches_the_words_it_begins_never_one_inside_a_word(thread_world: World) -> None:
    world = thread_world

    assert found(world, "Nov") == ["The invoice for November is attached"]
    assert found(world, "voice") == []  # inside "invoice": no LIKE '%voice%'
    assert found(world, "%") == found(world, "_") == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "'",
        "*",
        "résumé*",
        "AND OR NOT",
        "NEAR(resume",
        "(resume",
        "-resume",
        "resume:*",
        "a:b",
        "\\",
        "^",
        "'; DROP TABLE messages; --",
        "résumé\u0301",
        "ʼ",
        "ŉ ½ ⑴",
        "ˆ:",
    ],
)
def test_no_query_text_breaks_the_search(thread_world: World, query: str) -> None:
    answer = search(thread_world, query)

    assert set(answer) == {"messages", "next_offset"}


def test_query_syntax_is_taken_as_words(thread_world: World) -> None:
    world = thread_world

    assert set(found(world, "resume OR invoice")) == set()  # every word: "or" is in none of them
    assert found(world, '"resume" -monday') == ["We RESUME work on Monday"]
    assert query_words("résumé:* (NEAR) x_y") == ["résumé", "NEAR", "x", "y"]
    assert len(query_words("w " * 100)) == MAX_WORDS


def test_the_best_match_comes_first_and_equal_ones_newest_first(either_world: World) -> None:
    world = either_world
    for name, body in [
        ("once", "We talked about many things today and the logo came up once among other topics"),
        ("often", "Logo, logo, logo"),
        ("same-1", "The colour of the header"),
        ("same-2", "The colour of the header"),
    ]:
        post(world, world.ann, world.website, uid(name), body)

    assert found(world, "logo") == ["Logo, logo, logo", found(world, "logo")[1]]
    assert found(world, "logo")[1].startswith("We talked")
    assert [message["id"] for message in search(world, "header colour")["messages"]] == [
        uid("same-2"),
        uid("same-1"),
    ]


def test_results_come_a_page_at_a_time(either_world: World) -> None:
    world = either_world
    for index in range(5):
        post(world, world.ann, world.website, uid(f"m{index}"), f"Status update {index}")

    first = search(world, "status", limit=2)
    second = search(world, "status", limit=2, offset=first["next_offset"])
    last = search(world, "status", limit=2, offset=second["next_offset"])

    assert first["next_offset"] == 2 and second["next_offset"] == 4 and last["next_offset"] is None
    pages = [message["body"] for page in (first, second, last) for message in page["messages"]]
    assert pages == [f"Status update {index}" for index in reversed(range(5))]


def test_only_the_contracts_own_thread_is_searched_and_only_by_its_parties(thread_world: World) -> None:
    world = thread_world

    assert found(world, "bob") == []
    assert [message["body"] for message in search(world, "invoice", world.bob, world.bobs)["messages"]] == [
        "Bob's résumé and invoice"
    ]
    assert (
        world.call(
            "GET", f"/contracts/{world.website}/messages/search", world.bob, params={"q": "x"}
        ).status_code
        == 404
    )


def test_a_search_answers_messages_as_the_thread_does(thread_world: World) -> None:
    world = thread_world
    page = world.call("GET", f"/contracts/{world.website}/messages", world.cara).json()

    [budget] = search(world, "budget", world.cara)["messages"]

    assert budget == next(message for message in page["messages"] if message["id"] == uid("budget"))


def test_the_services_own_lines_are_found_too(either_world: World) -> None:
    world = either_world
    world.call(
        "PUT",
        f"/contracts/{world.website}/meetings/{uid('m')}",
        world.ann,
        json={"title": "Design review", "start": "2026-12-01T10:00:00Z", "duration_minutes": 30},
    )

    assert [message["kind"] for message in search(world, "design review")["messages"]] == ["meeting"]


def test_the_migration_indexes_the_messages_there_are(database_url: str) -> None:
    database = _at_revision(database_url, "0003")
    try:
        contract = {
            **_contract_0001(MONDAY),
            "offered_by_id": uid("cara"),
            "offered_at": 0,
            "description": "",
            "proposal": "",
        }
        message = {
            "number": 1,
            "id": uid("old"),
            "contract_id": uid("website"),
            "author_id": uid("ann"),
            "kind": "text",
            "body": "Une réunion demain",
            "created_at": 0,
            "money": False,
        }
        attachment = {
            "message_number": 1,
            "contract_id": uid("website"),
            "sha256": "a" * 64,
            "name": "Ordre du jour.odt",
            "content_type": "application/octet-stream",
            "size": 3,
        }
        blob = {"sha256": "a" * 64, "size": 3, "content_type": "application/octet-stream", "created_at": 0}
        for table, row in [
            ("users", [{**user, "title": "", "time_zone": "UTC"} for user in USERS_0001]),
            ("contracts", [contract]),
            ("blobs", [blob]),
            ("messages", [message]),
            ("attachments", [attachment]),
        ]:
            _insert(database, {table: row})

        database.migrate()

        with database.reading() as session:
            website = session.get(Contract, uid("website"))
            assert website is not None
            assert [
                search_numbers(session, website, Role.FREELANCER, query, 0, 10)
                for query in ("reunion", "ordre jour", "demain odt", "rendez")
            ] == [([1], False), ([1], False), ([1], False), ([], False)]
    finally:
        database.close()

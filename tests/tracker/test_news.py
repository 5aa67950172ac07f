"""The news sync leaves for the app to tell: each taken once, the offers with it."""

from __future__ import annotations

from sqlalchemy import insert

from tests.tracker.test_workroom import copy_workroom
from tracker.news import News, offer_text, take_news, waiting_offers
from tracker.tables import offers, workroom_news


def an_offer(contract_id: str, offered_at: str, **terms: object) -> dict:
    """An offer as ``GET /contracts`` lists it."""
    return {
        "id": contract_id,
        "title": f"Offer {contract_id}",
        "client_name": "Bob",
        "kind": "hourly",
        "currency": "EUR",
        "hourly_rate_cents": 4550,
        "offered_at": offered_at,
        **terms,
    }


def test_news_and_new_offers_are_taken_once_in_order(database, contract, clock):
    copy_workroom(database, contract.id, clock.now(), messages=0)
    with database.transaction() as connection:
        connection.execute(
            insert(workroom_news),
            [
                {"number": 9, "contract_id": contract.id, "kind": "paused", "title": "Paused", "text": "b"},
                {
                    "number": 4,
                    "contract_id": contract.id,
                    "kind": "message_posted",
                    "title": "New",
                    "text": "a",
                },
            ],
        )
        connection.execute(
            insert(offers),
            [
                {"contract_id": "o1", "contract": an_offer("o1", "2026-03-02T09:00:00Z"), "notified": False},
                {"contract_id": "o0", "contract": an_offer("o0", "2026-03-01T09:00:00Z"), "notified": True},
            ],
        )

    taken = take_news(database)

    assert taken == [
        News(contract.id, "message_posted", "New", "a"),
        News(contract.id, "paused", "Paused", "b"),
        News("o1", "offered", "New offer: Offer o1", "From Bob: hourly, €45.50 an hour"),
    ]
    assert take_news(database) == []
    assert [offer["id"] for offer in waiting_offers(database)] == ["o0", "o1"]  # told or not, they wait


def test_an_offers_terms_leave_out_what_the_user_does_not_see():
    assert offer_text(an_offer("a", "", kind="fixed", hourly_rate_cents=0)) == "From Bob: fixed price"
    member = an_offer("b", "")
    del member["hourly_rate_cents"]  # an agency member's: no money
    assert offer_text(member) == "From Bob: hourly"

"""What sync brought that the user is to be told of once: the workrooms' news (``workroom_news``,
written by ``sync.workroom`` with the events feed's cursor) and the offers made to them
(``offers``, written by ``sync.inbox`` from the contracts list). Taking them marks them told, so a
restart tells nothing again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from common.money import money_text
from common.states import ContractKind, EventKind
from tracker.storage import Database
from tracker.tables import offers, workroom_news


@dataclass(frozen=True)
class News:
    contract_id: str
    kind: EventKind  # OFFERED for an offer waiting for the user's answer
    title: str
    text: str


def take_news(database: Database) -> list[News]:
    """What has not been told yet, oldest first (the offers last), now marked told."""
    with database.transaction() as connection:
        news = connection.execute(
            select(
                workroom_news.c.number,
                workroom_news.c.contract_id,
                workroom_news.c.kind,
                workroom_news.c.title,
                workroom_news.c.text,
            )
            .where(workroom_news.c.notified.is_(False))
            .order_by(workroom_news.c.number)
        ).all()
        untold_offers = connection.execute(
            select(offers.c.contract_id, offers.c.contract).where(offers.c.notified.is_(False))
        ).all()
        # Those read, by name: any that sync writes meanwhile is for the next time.
        numbers = [item.number for item in news]
        connection.execute(
            update(workroom_news).where(workroom_news.c.number.in_(numbers)).values(notified=True)
        )
        offer_ids = [offer.contract_id for offer in untold_offers]
        connection.execute(update(offers).where(offers.c.contract_id.in_(offer_ids)).values(notified=True))
        return [News(item.contract_id, item.kind, item.title, item.text) for item in news] + [
            News(
                offer.contract_id,
                EventKind.OFFERED,
                f"New offer: {offer.contract['title']}",
                offer_text(offer.contract),
            )
            for offer in untold_offers
        ]


def waiting_offers(database: Database) -> list[dict]:
    """The offers waiting for the user's answer, as the service listed them, oldest first."""
    with database.transaction() as connection:
        contracts = connection.execute(select(offers.c.contract)).scalars().all()
    return sorted(contracts, key=lambda contract: contract["offered_at"])


def offer_text(contract: dict) -> str:
    """Who offers what: "From Bob: hourly, $40.00 an hour" (no rate for an agency member)."""
    rate = contract.get("hourly_rate_cents")
    if contract["kind"] == ContractKind.FIXED:
        terms = "fixed price"
    elif rate is None:
        terms = "hourly"
    else:
        terms = f"hourly, {money_text(rate, contract['currency'])} an hour"
    return f"From {contract['client_name']}: {terms}"

"""What sync brought that the user is to be told of once: the workrooms' news (``WorkroomNews``,
written by ``sync.workroom`` with the events feed's cursor) and the offers made to them
(``Offer``, written by ``sync.inbox`` from the contracts list). Taking them marks them told, so a
restart tells nothing again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from common.money import money_text
from common.states import ContractKind, EventKind
from tracker.models import Offer, WorkroomNews
from tracker.storage import Database


@dataclass(frozen=True)
class News:
    contract_id: str
    kind: EventKind  # OFFERED for an offer waiting for the user's answer
    title: str
    text: str


def take_news(database: Database) -> list[News]:
    """What has not been told yet, oldest first (the offers last), now marked told."""
    with database.session() as session:
        news = list(
            session.scalars(
                select(WorkroomNews).where(WorkroomNews.notified.is_(False)).order_by(WorkroomNews.number)
            )
        )
        offers = list(session.scalars(select(Offer).where(Offer.notified.is_(False))))
        # Those read, by name: any that sync writes meanwhile is for the next time.
        numbers = [item.number for item in news]
        session.execute(update(WorkroomNews).where(WorkroomNews.number.in_(numbers)).values(notified=True))
        offer_ids = [offer.contract_id for offer in offers]
        session.execute(update(Offer).where(Offer.contract_id.in_(offer_ids)).values(notified=True))
        return [News(item.contract_id, item.kind, item.title, item.text) for item in news] + [
            News(
                offer.contract_id,
                EventKind.OFFERED,
                f"New offer: {offer.contract['title']}",
                offer_text(offer.contract),
            )
            for offer in offers
        ]


def waiting_offers(database: Database) -> list[dict]:
    """The offers waiting for the user's answer, as the service listed them, oldest first."""
    with database.session() as session:
        contracts = [offer.contract for offer in session.scalars(select(Offer))]
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

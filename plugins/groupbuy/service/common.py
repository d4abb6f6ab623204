"""Small helpers shared by groupbuy's services."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from alliance_sdk import NotFound, cache_touch, run_sql

__all__ = [
    "PICKUP_ALPHABET",
    "cache_tag",
    "campaign_row",
    "catalog_changed",
    "for_update",
    "is_open",
    "new_order_ref",
    "new_pickup_code",
    "price_for",
    "seller_of_campaign",
]

PICKUP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L


def new_order_ref() -> str:
    """An order's stable reference, chosen before the row exists (``reserve_stock`` needs
    it first): what other plugins and events name."""
    return f"gb-{secrets.token_hex(10)}"


def new_pickup_code(length: int) -> str:
    return "".join(secrets.choice(PICKUP_ALPHABET) for _ in range(length))


def for_update(kernel: Any) -> str:
    """`` FOR UPDATE`` on PostgreSQL; nothing on SQLite, where the write transaction is
    already exclusive (IMMEDIATE)."""
    return " FOR UPDATE" if kernel.db.kind == "postgres" else ""


# A campaign's seller never changes: cached per process (ids are never reused).
_SELLERS: dict[tuple[int, int], int] = {}  # (id of the database object, campaign) -> seller
_SELLERS_MAX = 100_000


async def seller_of_campaign(kernel: Any, campaign_id: int, memo: dict[str, Any] | None) -> int:
    """The member selling campaign ``campaign_id`` (NOT_FOUND when there is none)."""
    key = (id(kernel.db), campaign_id)
    seller = _SELLERS.get(key)
    if seller is None:
        rows = await run_sql(
            kernel.db, "SELECT member FROM groupbuy_campaign WHERE id = {}", campaign_id
        )
        if not rows:
            raise NotFound("Campaign not found")
        seller = int(rows[0]["member"])
        if len(_SELLERS) >= _SELLERS_MAX:
            _SELLERS.clear()
        _SELLERS[key] = seller
    return seller


async def campaign_row(
    kernel: Any, member_id: int, campaign_id: int, *, lock: bool | str = False
) -> dict[str, Any]:
    """The campaign's row; ``lock=True`` locks it (``FOR UPDATE`` on PostgreSQL), ``"share"``
    takes a shared lock (``FOR SHARE``: only an exclusive locker, the closing job, waits)."""
    if lock == "share":
        suffix = " FOR SHARE" if kernel.db.kind == "postgres" else ""
    else:
        suffix = for_update(kernel) if lock else ""
    rows = await run_sql(
        kernel.db,
        "SELECT * FROM groupbuy_campaign WHERE id = {} AND member = {}" + suffix,
        campaign_id,
        member_id,
    )
    if not rows:
        raise NotFound("Campaign not found")
    return rows[0]


def is_open(campaign: dict[str, Any], now: dt.datetime) -> bool:
    """Open for joins: started, before its deadline, not closed."""
    return campaign["state"] != "closed" and _aware(campaign["starts_at"]) <= now < _aware(
        campaign["deadline"]
    )


def _aware(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def price_for(base_fen: int, tiers: list[dict[str, int]], joined: int) -> int:
    """The unit price once ``joined`` orders have joined the community's group: the lowest
    tier reached (tiers only ever lower the price)."""
    price = base_fen
    for tier in tiers:
        if joined >= int(tier["min_joined"]):
            price = min(price, int(tier["price_fen"]))
    return price


def cache_tag(seller: int) -> str:
    """The response-cache tag of everything a seller's campaigns show (catalog, stock,
    campaigns, groups): cached campaign answers depend on it."""
    return f"groupbuy:{seller}"


async def catalog_changed(kernel: Any, *sellers: int) -> None:
    """Inside a write transaction changing what ``sellers``' campaigns show: cached answers
    about them are stale from its commit.

    Call it after the transaction's other row locks (campaign, orders, SKUs, groups): the
    tag's row stays locked until commit, and every groupbuy write takes its locks in that
    one order (campaign, orders, SKUs, groups, outbox, tag) so no two wait on each other
    crosswise. Inserting new rows first is fine (they lock nothing others want)."""
    await cache_touch(kernel, *(cache_tag(seller) for seller in sellers))

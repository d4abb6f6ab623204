"""Placing orders: joins of one campaign are committed together (group commit).

A hot SKU in a flash sale is one row that every order must update; one transaction per order
would serialise on it (~750 commits/s on PostgreSQL). Instead the joins that arrive while a
campaign's previous batch commits wait for the next one, and a batch does in one transaction
what each join needs: lock the campaign and its SKUs (in id order, so carts cannot deadlock),
allocate stock to carts in arrival order, all-or-nothing per cart, write every order, its
lines, the groups' progress and the events, and commit once. Each caller gets its own answer
(an order, or SOLD_OUT, LIMIT_EXCEEDED, ...). Nothing waits on a timer: an idle campaign's
join starts a batch of one at once.

This module places one batch (:func:`place_batch`); ``batching`` collects the joins into
batches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from alliance_sdk import (
    AllianceError,
    BadUserInput,
    Conflict,
    StockReservation,
    answering_plugins,
    decide,
    placeholders,
    plugin_enabled,
    run_sql,
)
from plugins.groupbuy.errors import CampaignClosed, LimitExceeded, NotInCommunity, SoldOut
from plugins.groupbuy.service.campaigns import Progress
from plugins.groupbuy.service.common import (
    campaign_row,
    is_open,
    new_order_ref,
)
from plugins.groupbuy.service.prepare import JoinRequest, settle_joins
from plugins.groupbuy.service.writing import Accepted, Line, Placed, StockMoved, write_orders

__all__ = ["Outcome", "place_batch"]

Outcome = Placed | AllianceError


@dataclass
class _Sku:
    id: int
    code: str
    stock: int
    price_fen: int
    tiers: list[dict[str, int]]
    product_name: str
    category: str
    everywhere: bool


async def _skus(kernel: Any, campaign_id: int, *, lock: bool) -> dict[str, _Sku]:
    """The campaign's SKUs with their stock; with ``lock`` the SKU rows locked (PostgreSQL)
    in id order: one statement, inside the campaign's lock."""
    lock_sql = " FOR UPDATE OF s" if lock and kernel.db.kind == "postgres" else ""
    rows = await run_sql(
        kernel.db,
        "SELECT s.id, s.code, s.stock, i.price_fen, i.tiers, p.name AS product_name, "
        "p.category, s.available_everywhere FROM groupbuy_campaign_item i "
        "JOIN groupbuy_sku s ON s.id = i.sku JOIN groupbuy_product p ON p.id = s.product "
        "WHERE i.campaign = {} ORDER BY s.id" + lock_sql,
        campaign_id,
    )
    found: dict[str, _Sku] = {}
    for r in rows:
        tiers = r["tiers"]
        if isinstance(tiers, str):
            tiers = json.loads(tiers)
        found[str(r["code"])] = _Sku(
            id=int(r["id"]),
            code=str(r["code"]),
            stock=int(r["stock"]),
            price_fen=int(r["price_fen"]),
            tiers=list(tiers or []),
            product_name=str(r["product_name"]),
            category=str(r["category"]),
            everywhere=bool(r["available_everywhere"]),
        )
    return found


async def _offered(
    kernel: Any, skus: dict[str, _Sku], communities: list[int]
) -> set[tuple[int, int]]:
    """(sku id, community) pairs of the SKUs offered only in some communities."""
    limited = [s.id for s in skus.values() if not s.everywhere]
    if not limited or not communities:
        return set()
    rows = await run_sql(
        kernel.db,
        f"SELECT sku, community FROM groupbuy_sku_community WHERE sku IN ({placeholders(limited)}) "
        f"AND community IN ({placeholders(communities)})",
        *limited,
        *communities,
    )
    return {(int(r["sku"]), int(r["community"])) for r in rows}


async def _existing(
    kernel: Any, seller: int, requests: list[JoinRequest]
) -> dict[tuple[int, str], dict[str, Any]]:
    buyers = sorted({r.buyer for r in requests})
    keys = sorted({r.idempotency_key for r in requests})
    rows = await run_sql(
        kernel.db,
        "SELECT id, buyer, idempotency_key, request_hash FROM groupbuy_order WHERE member = {} "
        f"AND buyer IN ({placeholders(buyers)}) AND idempotency_key IN ({placeholders(keys)})",
        seller,
        *buyers,
        *keys,
    )
    return {(int(r["buyer"]), str(r["idempotency_key"])): r for r in rows}


async def _bought(kernel: Any, campaign_id: int, buyers: list[int]) -> dict[tuple[int, str], int]:
    rows = await run_sql(
        kernel.db,
        "SELECT o.buyer, l.sku_code, SUM(l.quantity) AS quantity FROM groupbuy_order_line l "
        "JOIN groupbuy_order o ON o.id = l.order_id "
        "WHERE o.campaign = {} AND o.state <> 'cancelled' "
        f"AND o.buyer IN ({placeholders(buyers)}) GROUP BY o.buyer, l.sku_code",
        campaign_id,
        *buyers,
    )
    return {(int(r["buyer"]), str(r["sku_code"])): int(r["quantity"]) for r in rows}


class _NotSimple(Exception):
    """This campaign's batches need the locked way (per-resident limits, tier prices)."""


# Campaigns whose batches go the locked way (see place_batch), per database object.
_LOCKED_ONLY: set[tuple[int, int]] = set()
_LOCKED_ONLY_MAX = 10_000


async def place_batch(
    kernel: Any, seller: int, campaign_id: int, requests: list[JoinRequest]
) -> tuple[list[Outcome], list[Progress]]:
    """Place ``requests`` (joins of one campaign) in one transaction: one outcome each, and
    the progress of the groups that changed (to broadcast once committed).

    Two ways, one result. **Locked** (always on SQLite, whose write transaction is exclusive
    anyway): lock the campaign, then its SKUs, decide, write. **Hot rows last** (PostgreSQL,
    a plain campaign: no per-resident limit, no tier prices; no invite codes in the batch;
    the store's own stock, no plugin answering ``reserve_stock``): decide from the committed
    stock holding only the campaign's ``FOR SHARE`` (which keeps the closing job out, not
    other batches), write the orders, and take the hot rows at the end with guarded
    updates (``stock >= n``): the hot SKU row is held for the last few statements instead
    of the whole batch, so other processes' batches wait that much less. When a guard finds
    the stock gone, everything rolls back and the batch is placed the locked way, which
    decides again on locked rows.
    """
    memo: dict[str, Any] = {}  # the seller's enabled plugins, read once per batch...
    await plugin_enabled(kernel, seller, "groupbuy", memo)  # ...before taking any lock
    # Where the buyers live (one query for the batch), before the transaction.
    settled = await settle_joins(kernel, requests, memo)
    outcomes: list[Outcome | None] = [o if isinstance(o, AllianceError) else None for o in settled]
    ready = [r for r in settled if isinstance(r, JoinRequest)]
    if not ready:
        return [o for o in outcomes if o is not None], []
    placed, progress = await _place_settled(kernel, seller, campaign_id, ready, memo)
    answers = iter(placed)
    return [o if o is not None else next(answers) for o in outcomes], progress


async def _place_settled(
    kernel: Any, seller: int, campaign_id: int, requests: list[JoinRequest], memo: dict[str, Any]
) -> tuple[list[Outcome], list[Progress]]:
    key = (id(kernel.db), campaign_id)
    plain = (
        kernel.db.kind == "postgres"
        and key not in _LOCKED_ONLY
        and not any(r.invite_code for r in requests)
        # A plugin holding the seller's stock (a shared warehouse) is asked once per join,
        # the locked way, never for a batch that may roll back.
        and not await answering_plugins(kernel, "reserve_stock", member_id=seller, memo=memo)
    )
    if plain:
        try:
            return await _place(kernel, seller, campaign_id, requests, memo, hot_last=True)
        except _NotSimple:  # this campaign's settings: remember
            if len(_LOCKED_ONLY) >= _LOCKED_ONLY_MAX:
                _LOCKED_ONLY.clear()
            _LOCKED_ONLY.add(key)
        except StockMoved:
            pass
    return await _place(kernel, seller, campaign_id, requests, memo, hot_last=False)


async def _place(
    kernel: Any,
    seller: int,
    campaign_id: int,
    requests: list[JoinRequest],
    memo: dict[str, Any],
    *,
    hot_last: bool,
) -> tuple[list[Outcome], list[Progress]]:
    outcomes: list[Outcome | None] = [None] * len(requests)
    progress: list[Progress] = []
    async with kernel.db.write():
        # Before any lock: earlier orders with these idempotency keys (one committed
        # meanwhile by another process makes this batch's insert fail on the unique key;
        # its joins are then placed one by one, and find it).
        existing = await _existing(kernel, seller, requests)
        campaign = await campaign_row(
            kernel, seller, campaign_id, lock="share" if hot_last else True
        )
        now = kernel.clock()
        if not is_open(campaign, now):
            return [CampaignClosed("the campaign is not open for joins")] * len(requests), []
        skus = await _skus(kernel, campaign_id, lock=not hot_last)
        if hot_last and (
            int(campaign["per_resident_limit"]) or any(s.tiers for s in skus.values())
        ):
            raise _NotSimple
        communities = sorted({r.community_id for r in requests})
        offered = await _offered(kernel, skus, communities)
        limit = int(campaign["per_resident_limit"])
        bought = (
            await _bought(kernel, campaign_id, sorted({r.buyer for r in requests})) if limit else {}
        )
        joined: dict[int, int] = {}  # community -> joins accepted in this batch
        accepted: list[Accepted] = []
        firsts: dict[tuple[int, str], int] = {}  # (buyer, key) -> index of its first join here
        duplicates: dict[int, int] = {}  # index -> index of the first join with its key
        for index, request in enumerate(requests):
            key = (request.buyer, request.idempotency_key)
            earlier = existing.get(key)
            if earlier is not None:
                same = earlier["request_hash"] == request.fingerprint
                outcomes[index] = Placed(int(earlier["id"])) if same else _reused_key()
                continue
            if key in firsts:
                duplicates[index] = firsts[key]  # resolved below, once the first is known
                continue
            firsts[key] = index
            try:
                await _allocate(
                    kernel, index, request, skus, offered, bought, limit, joined, accepted, memo
                )
            except AllianceError as refusal:
                outcomes[index] = refusal
        if accepted:
            placed, progress = await write_orders(
                kernel, campaign, accepted, now, hot_last=hot_last, memo=memo
            )
            for item, order in zip(accepted, placed, strict=True):
                outcomes[item.index] = order
        for index, first_index in duplicates.items():
            first = outcomes[first_index]
            same = requests[first_index].fingerprint == requests[index].fingerprint
            if not same:
                outcomes[index] = _reused_key()
            elif isinstance(first, Placed):
                outcomes[index] = Placed(first.order_id)
            else:
                outcomes[index] = first
    return [o if o is not None else AllianceError("join not decided") for o in outcomes], progress


def _reused_key() -> Conflict:
    return Conflict(
        "this idempotency key was used for a different join",
        field_errors={"idempotencyKey": "already used with other input"},
    )


async def _allocate(
    kernel: Any,
    index: int,
    request: JoinRequest,
    skus: dict[str, _Sku],
    offered: set[tuple[int, int]],
    bought: dict[tuple[int, str], int],
    limit: int,
    joined: dict[int, int],
    accepted: list[Accepted],
    memo: dict[str, Any],
) -> None:
    """Check one cart and take its stock, all or nothing; append it to ``accepted``."""
    lines = []
    for code, quantity in request.lines:
        sku = skus.get(code)
        if sku is None:
            raise BadUserInput(
                "not in this campaign", field_errors={"lines": f"unknown SKU {code}"}
            )
        if not sku.everywhere and (sku.id, request.community_id) not in offered:
            raise NotInCommunity(f"{code} is not offered in your community")
        if limit and bought.get((request.buyer, code), 0) + quantity > limit:
            raise LimitExceeded(f"at most {limit} of {code} per resident in this campaign")
        lines.append((sku, quantity))
    ref = new_order_ref()
    answer = await decide(
        kernel,
        "reserve_stock",
        member_id=request.seller,
        memo=memo,
        contained=False,
        community_id=request.community_id,
        order_ref=ref,
        lines=dict(request.lines),
    )
    if isinstance(answer, StockReservation):
        if not answer.reserved:
            raise SoldOut("sold out", short=answer.short)
        source = "plugin"
    else:
        short = {sku.code: sku.stock for sku, quantity in lines if sku.stock < quantity}
        if short:
            raise SoldOut("sold out", short=short)
        for sku, quantity in lines:
            sku.stock -= quantity
        source = "store"
    for sku, quantity in lines:
        bought[(request.buyer, sku.code)] = bought.get((request.buyer, sku.code), 0) + quantity
    position = joined.get(request.community_id, 0) + 1
    joined[request.community_id] = position
    accepted.append(
        Accepted(
            index=index,
            request=request,
            ref=ref,
            source=source,
            position=position,
            lines=[
                Line(
                    sku_id=sku.id,
                    code=sku.code,
                    product_name=sku.product_name,
                    category=sku.category,
                    quantity=quantity,
                    base_fen=sku.price_fen,
                    tiers=sku.tiers,
                )
                for sku, quantity in lines
            ],
        )
    )

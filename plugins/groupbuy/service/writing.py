"""Writing a batch of accepted joins: stock, orders, lines, groups, invites, events: a
statement per kind of row, not per order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from alliance_sdk import Event, insert_rows, placeholders, publish_many, run_sql
from plugins.groupbuy.events import GroupFormed, OrderLine, OrderPlaced
from plugins.groupbuy.service.campaigns import Progress
from plugins.groupbuy.service.common import catalog_changed, new_pickup_code, price_for
from plugins.groupbuy.service.prepare import JoinRequest
from plugins.groupbuy.tables import GroupbuyOrder, GroupbuyOrderLine

__all__ = ["Accepted", "Line", "Placed", "StockMoved", "write_orders"]

PICKUP_CODE_LENGTH = 6


@dataclass
class Line:
    sku_id: int
    code: str
    product_name: str
    category: str
    quantity: int
    base_fen: int  # the campaign price...
    tiers: list[dict[str, int]]  # ...and its tiers: the unit price follows the group's size
    unit_price_fen: int = 0  # set once the order's place in its group is known

    @property
    def total_fen(self) -> int:
        return self.quantity * self.unit_price_fen

    def shown(self) -> dict[str, Any]:
        """The order line's columns as stored and as the join's answer shows them."""
        return {
            "sku_code": self.code,
            "product_name": self.product_name,
            "category": self.category,
            "quantity": self.quantity,
            "unit_price_fen": self.unit_price_fen,
            "total_fen": self.total_fen,
        }


@dataclass(frozen=True)
class Placed:
    """A join's answer: its order (``row`` and ``lines`` as written, when this join wrote it;
    None for a replay of an earlier order, to be read back)."""

    order_id: int
    row: dict[str, Any] | None = None
    lines: list[dict[str, Any]] | None = None


_ORDER_COLUMNS = (
    "member",
    "order_ref",
    "campaign",
    "community",
    "buyer",
    "state",
    "total_fen",
    "discount_fen",
    "refunded_fen",
    "pickup_code",
    "delivery_date",
    "attribution_reason",
    "created_at",
    "picked_up_at",
)


@dataclass
class Accepted:
    index: int
    request: JoinRequest
    ref: str
    source: str  # "store" or "plugin"
    lines: list[Line]
    position: int  # its place among this batch's joins of its community (1, 2, ...)
    discount_fen: int = 0
    order_id: int = 0
    invite_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def subtotal_fen(self) -> int:
        return sum(line.total_fen for line in self.lines)


def _bps(amount: int, bps: int) -> int:
    # Round half up, in the buyer's favour by at most half a fen.
    return (amount * bps + 5_000) // 10_000


class StockMoved(RuntimeError):
    """A guarded stock update found less stock than the batch was decided on."""


async def _take_stock(kernel: Any, accepted: list[Accepted]) -> None:
    taken: dict[int, list[int]] = {}  # sku id -> [from store stock, sold]
    for item in accepted:
        for line in item.lines:
            entry = taken.setdefault(line.sku_id, [0, 0])
            entry[1] += line.quantity
            if item.source == "store":
                entry[0] += line.quantity
    for sku_id in sorted(taken):
        store, sold = taken[sku_id]
        rows = await run_sql(
            kernel.db,
            "UPDATE groupbuy_sku SET stock = stock - {}, sold = sold + {} "
            "WHERE id = {} AND stock >= {} RETURNING id",
            store,
            sold,
            sku_id,
            store,
        )
        if not rows:  # hot rows last: another batch took it since; locked: cannot happen
            raise StockMoved(f"groupbuy: the stock of SKU {sku_id} is no longer there")


async def _invites(
    kernel: Any, campaign: dict[str, Any], accepted: list[Accepted], now: dt.datetime
) -> None:
    """Count invited joins; when an invite group reaches its size, every order in it (the
    inviter's included) gets the campaign's invite discount."""
    size, bps = int(campaign["invite_size"]), int(campaign["invite_discount_bps"])
    codes = sorted({a.request.invite_code for a in accepted if a.request.invite_code})
    if not codes or size <= 0 or bps <= 0:
        return
    rows = await run_sql(
        kernel.db,
        "SELECT id, inviter, code, joined, unlocked_at FROM groupbuy_invite WHERE campaign = {} "
        f"AND code IN ({placeholders(codes)})",
        campaign["id"],
        *codes,
    )
    invites = {str(r["code"]): r for r in rows}
    for item in accepted:
        invite = invites.get(item.request.invite_code or "")
        if invite is None or int(invite["inviter"]) == item.request.buyer:
            continue
        item.invite_id = int(invite["id"])
        invite["joined"] = int(invite["joined"]) + 1
        if invite["unlocked_at"] is not None:
            item.discount_fen += _bps(item.subtotal_fen, bps)
    for invite in invites.values():
        await run_sql(
            kernel.db,
            "UPDATE groupbuy_invite SET joined = {} WHERE id = {}",
            invite["joined"],
            invite["id"],
        )
        if invite["unlocked_at"] is None and int(invite["joined"]) >= size:
            await run_sql(
                kernel.db,
                "UPDATE groupbuy_invite SET unlocked_at = {} WHERE id = {}",
                now,
                invite["id"],
            )
            for item in accepted:
                if item.invite_id == int(invite["id"]):
                    item.discount_fen += _bps(item.subtotal_fen, bps)
            # Orders placed in earlier batches: the invitees' and the inviter's own.
            await run_sql(
                kernel.db,
                "UPDATE groupbuy_order SET discount_fen = discount_fen + "
                "((total_fen + discount_fen) * {} + 5000) / 10000, "
                "total_fen = total_fen - ((total_fen + discount_fen) * {} + 5000) / 10000 "
                "WHERE campaign = {} AND state <> 'cancelled' AND (invite = {} OR buyer = {})",
                bps,
                bps,
                campaign["id"],
                invite["id"],
                invite["inviter"],
            )


async def _groups(
    kernel: Any, campaign: dict[str, Any], accepted: list[Accepted]
) -> tuple[dict[int, int], list[Progress], list[GroupFormed]]:
    """Count the joins into their communities' groups (one statement for every community);
    returns how many had joined each group before this batch, the groups' progress and
    the groups this batch formed."""
    added: dict[int, int] = {}
    for item in accepted:
        added[item.request.community_id] = added.get(item.request.community_id, 0) + 1
    communities = sorted(added)
    values: list[Any] = []
    for community in communities:
        values += [campaign["member"], campaign["id"], community, added[community]]
        values += [campaign["min_group_size"], "forming"]
    rows = await run_sql(
        kernel.db,
        "INSERT INTO groupbuy_community_group (member, campaign, community, joined, needed, "
        "state) VALUES "
        + ", ".join("({}, {}, {}, {}, {}, {})" for _ in communities)
        + " ON CONFLICT (campaign, community) DO UPDATE "
        "SET joined = groupbuy_community_group.joined + excluded.joined "
        "RETURNING community, joined, needed, state",
        *values,
    )
    before: dict[int, int] = {}
    progress: list[Progress] = []
    formed: list[GroupFormed] = []
    for row in sorted(rows, key=lambda r: int(r["community"])):
        community, joined = int(row["community"]), int(row["joined"])
        needed, state = int(row["needed"]), str(row["state"])
        before[community] = joined - added[community]
        if state == "forming" and joined >= needed:
            state = "formed"
            formed.append(
                GroupFormed(
                    member_id=int(campaign["member"]),
                    campaign_id=int(campaign["id"]),
                    community_id=community,
                    joined=joined,
                    needed=needed,
                )
            )
        progress.append(Progress(int(campaign["id"]), community, joined, needed, state))
    if formed:
        ids = [event.community_id for event in formed]
        await run_sql(
            kernel.db,
            "UPDATE groupbuy_community_group SET state = 'formed' WHERE campaign = {} "
            f"AND community IN ({placeholders(ids)})",
            campaign["id"],
            *ids,
        )
    return before, progress, formed


async def write_orders(
    kernel: Any,
    campaign: dict[str, Any],
    accepted: list[Accepted],
    now: dt.datetime,
    *,
    hot_last: bool = False,
    memo: dict[str, Any] | None = None,
) -> tuple[list[Placed], list[Progress]]:
    """Write ``accepted`` joins; returns the orders as written (in order) and the groups'
    progress. Row locks in one order: SKUs, groups, the outbox's member lock, the cache tag.
    With ``hot_last`` (a campaign without tier prices or invites, decided on unlocked
    stock) the orders are written first and the hot rows (SKUs, groups) updated at the
    end, the SKUs with guards: :class:`StockMoved` when another batch took the stock.
    ``memo`` holds the seller's enabled plugins (read before the transaction): events no
    plugin of the seller takes are stored without waking the dispatchers."""
    seller = int(campaign["member"])
    before: dict[int, int] = {}
    if not hot_last:
        await _take_stock(kernel, accepted)
        before, progress, formed = await _groups(kernel, campaign, accepted)
    for item in accepted:
        # This order's place in its group (hot_last: no tier prices, so none is needed).
        joined = before.get(item.request.community_id, 0) + item.position
        for line in item.lines:
            line.unit_price_fen = price_for(line.base_fen, line.tiers, joined)
        item.discount_fen = _bps(item.subtotal_fen, item.request.discount_bps)
    await _invites(kernel, campaign, accepted, now)
    rows = [
        {
            "member": seller,
            "order_ref": item.ref,
            "campaign": int(campaign["id"]),
            "community": item.request.community_id,
            "buyer": item.request.buyer,
            "idempotency_key": item.request.idempotency_key,
            "request_hash": item.request.fingerprint,
            "state": "placed",
            "total_fen": item.subtotal_fen - item.discount_fen,
            "discount_fen": item.discount_fen,
            "refunded_fen": 0,
            "stock_source": item.source,
            "pickup_member": item.request.pickup_member,
            "pickup_code": new_pickup_code(PICKUP_CODE_LENGTH),
            "delivery_date": _date(campaign["delivery_date"]),
            "leader_member": item.request.attribution.leader_member_id,
            "ambassador_user": item.request.attribution.ambassador_user_id,
            "attribution_reason": item.request.attribution.reason[:40],
            "referral_code": item.request.referral_code,
            "invite": item.invite_id,
            "created_at": now,
            "picked_up_at": None,
        }
        for item in accepted
    ]
    # One statement per kind of row (insert_rows: no per-row query building).
    inserted = await insert_rows(kernel.db, GroupbuyOrder, rows, returning=["id", "order_ref"])
    ids = {str(r["order_ref"]): int(r["id"]) for r in inserted}
    for item in accepted:
        item.order_id = ids[item.ref]
    await insert_rows(
        kernel.db,
        GroupbuyOrderLine,
        [
            {
                "member": seller,
                "order_id": item.order_id,
                "campaign": int(campaign["id"]),
                "sku": line.sku_id,
                **line.shown(),
            }
            for item in accepted
            for line in item.lines
        ],
    )
    if hot_last:
        await _take_stock(kernel, accepted)
        before, progress, formed = await _groups(kernel, campaign, accepted)
    events: list[Event] = [_placed(campaign, item) for item in accepted]
    await publish_many(kernel, [*events, *formed], memo=memo)
    await catalog_changed(kernel, seller)  # last (see catalog_changed)
    placed = []
    for item, row in zip(accepted, rows, strict=True):
        order = {column: row[column] for column in _ORDER_COLUMNS}
        order["id"] = item.order_id
        placed.append(Placed(item.order_id, order, [line.shown() for line in item.lines]))
    return placed, progress


def _date(value: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _placed(campaign: dict[str, Any], item: Accepted) -> OrderPlaced:
    request = item.request
    delivery = campaign["delivery_date"]
    return OrderPlaced(
        member_id=int(campaign["member"]),
        order_id=item.order_id,
        order_ref=item.ref,
        campaign_id=int(campaign["id"]),
        community_id=request.community_id,
        buyer_user_id=request.buyer,
        total_fen=item.subtotal_fen - item.discount_fen,
        discount_fen=item.discount_fen,
        lines=[
            OrderLine(
                sku=line.code,
                product_name=line.product_name,
                category=line.category,
                quantity=line.quantity,
                unit_price_fen=line.unit_price_fen,
                total_fen=line.total_fen,
            )
            for line in item.lines
        ],
        leader_member_id=request.attribution.leader_member_id,
        ambassador_user_id=request.attribution.ambassador_user_id,
        attribution_reason=request.attribution.reason,
        referral_code=request.referral_code,
        pickup_member_id=request.pickup_member,
        delivery_date=_date(delivery),
    )

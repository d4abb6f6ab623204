"""After the join: cancelling (stock released exactly once), refunds, pickup."""

from __future__ import annotations

import datetime as dt
from typing import Any

from alliance_sdk import (
    BadUserInput,
    Conflict,
    NotFound,
    call_hook,
    placeholders,
    publish,
    run_sql,
)
from plugins.groupbuy.events import (
    OrderCancelled,
    OrderLine,
    OrderPickedUp,
    OrderRefunded,
    RefundLine,
)
from plugins.groupbuy.service.common import catalog_changed, for_update

__all__ = ["cancel_orders", "mark_picked_up", "order_lines", "refund_order"]


async def order_lines(kernel: Any, order_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    if not order_ids:
        return {}
    rows = await run_sql(
        kernel.db,
        "SELECT order_id, sku, sku_code, product_name, category, quantity, unit_price_fen, "
        "total_fen "
        f"FROM groupbuy_order_line WHERE order_id IN ({placeholders(order_ids)}) ORDER BY id",
        *order_ids,
    )
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in order_ids}
    for row in rows:
        found[int(row["order_id"])].append(row)
    return found


async def cancel_orders(
    kernel: Any, member_id: int, order_ids: list[int], reason: str
) -> list[int]:
    """Cancel the orders still placed or confirmed (others are left alone): their stock goes
    back exactly once, whoever calls this and however often. Returns the ids cancelled.

    Must run inside the caller's write transaction or opens one."""
    if not order_ids:
        return []
    now = kernel.clock()
    async with kernel.db.write():
        # The state change is the "exactly once": only the call that flips it releases.
        rows = await run_sql(
            kernel.db,
            "UPDATE groupbuy_order SET state = 'cancelled', cancelled_at = {}, cancel_reason = {} "
            f"WHERE member = {{}} AND id IN ({placeholders(order_ids)}) "
            "AND state IN ('placed', 'confirmed') "
            "RETURNING id, order_ref, campaign, community, buyer, total_fen, stock_source",
            now,
            reason,
            member_id,
            *order_ids,
        )
        rows.sort(key=lambda r: int(r["id"]))
        lines = await order_lines(kernel, [int(r["id"]) for r in rows])
        # Per SKU: (units back to the store's own stock, units no longer sold).
        back: dict[int, list[int]] = {}
        for row in rows:
            if row["stock_source"] == "plugin":
                await call_hook(
                    kernel,
                    "release_stock",
                    member_id=member_id,
                    contained=False,
                    order_ref=row["order_ref"],
                    reason=reason,
                )
            for line in lines[int(row["id"])]:
                entry = back.setdefault(int(line["sku"]), [0, 0])
                entry[0] += int(line["quantity"]) if row["stock_source"] == "store" else 0
                entry[1] += int(line["quantity"])
        # One update per SKU, in id order: the order joins lock SKU rows in, so a cancel
        # and a batch of joins can never wait on each other crosswise.
        for sku in sorted(back):
            await run_sql(
                kernel.db,
                "UPDATE groupbuy_sku SET stock = stock + {}, sold = sold - {} WHERE id = {}",
                back[sku][0],
                back[sku][1],
                sku,
            )
        for row in rows:
            await publish(
                kernel,
                OrderCancelled(
                    member_id=member_id,
                    order_id=int(row["id"]),
                    order_ref=str(row["order_ref"]),
                    campaign_id=int(row["campaign"]),
                    community_id=int(row["community"]),
                    buyer_user_id=int(row["buyer"]),
                    total_fen=int(row["total_fen"]),
                    reason=reason,
                ),
            )
        if rows:
            await catalog_changed(kernel, member_id)  # last: see catalog_changed
    return [int(r["id"]) for r in rows]


async def _order(kernel: Any, where: str, *args: Any) -> dict[str, Any]:
    rows = await run_sql(
        kernel.db, f"SELECT * FROM groupbuy_order WHERE {where}" + for_update(kernel), *args
    )
    if not rows:
        raise NotFound("Order not found")
    return rows[0]


def _facts(order: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    delivery = order["delivery_date"]
    return {
        "member_id": int(order["member"]),
        "order_id": int(order["id"]),
        "order_ref": str(order["order_ref"]),
        "campaign_id": int(order["campaign"]),
        "community_id": int(order["community"]),
        "buyer_user_id": int(order["buyer"]),
        "total_fen": int(order["total_fen"]),
        "discount_fen": int(order["discount_fen"]),
        "lines": [
            OrderLine(
                sku=str(line["sku_code"]),
                product_name=str(line["product_name"]),
                category=str(line["category"]),
                quantity=int(line["quantity"]),
                unit_price_fen=int(line["unit_price_fen"]),
                total_fen=int(line["total_fen"]),
            )
            for line in lines
        ],
        "leader_member_id": order["leader_member"],
        "ambassador_user_id": order["ambassador_user"],
        "attribution_reason": str(order["attribution_reason"]),
        "referral_code": order["referral_code"],
        "pickup_member_id": order["pickup_member"],
        "delivery_date": dt.date.fromisoformat(delivery) if isinstance(delivery, str) else delivery,
    }


async def mark_picked_up(
    kernel: Any, pickup_member_id: int, code: str, sellers: set[int]
) -> dict[str, Any]:
    """The pickup point hands over the order with ``code`` (scanned): one of its orders
    from ``sellers`` (the members whose orders it may see), placed or confirmed."""
    if not sellers:
        raise NotFound("Order not found")
    now = kernel.clock()
    async with kernel.db.write():
        order = await _order(
            kernel,
            "pickup_member = {} AND pickup_code = {} "
            f"AND member IN ({placeholders(sorted(sellers))})",
            pickup_member_id,
            code.strip().upper(),
            *sorted(sellers),
        )
        if order["state"] == "picked_up":
            raise Conflict("this order was already picked up")
        if order["state"] not in ("placed", "confirmed"):
            raise Conflict(f"this order is {order['state']}")
        await run_sql(
            kernel.db,
            "UPDATE groupbuy_order SET state = 'picked_up', picked_up_at = {} WHERE id = {}",
            now,
            order["id"],
        )
        order = {**order, "state": "picked_up", "picked_up_at": now}
        lines = (await order_lines(kernel, [int(order["id"])]))[int(order["id"])]
        await publish(kernel, OrderPickedUp(**_facts(order, lines), picked_up_at=now))
    return order


async def refund_order(
    kernel: Any, member_id: int, order_id: int, amount_fen: int, lines: list[tuple[str, int]]
) -> dict[str, Any]:
    """Refund ``amount_fen`` of an order (partially, any number of times, never more than it
    cost); ``lines`` optionally says which units (SKU code, quantity) are refunded."""
    if amount_fen <= 0:
        raise BadUserInput("refund a positive amount", field_errors={"amountFen": "positive"})
    async with kernel.db.write():
        order = await _order(kernel, "member = {} AND id = {}", member_id, order_id)
        if order["state"] == "cancelled":
            raise Conflict("a cancelled order has nothing to refund")
        refunded = int(order["refunded_fen"]) + amount_fen
        if refunded > int(order["total_fen"]):
            raise BadUserInput(
                "more than the order cost",
                field_errors={
                    "amountFen": f"at most {int(order['total_fen']) - int(order['refunded_fen'])}"
                },
            )
        await run_sql(
            kernel.db,
            "UPDATE groupbuy_order SET refunded_fen = {} WHERE id = {}",
            refunded,
            order_id,
        )
        await publish(
            kernel,
            OrderRefunded(
                member_id=member_id,
                order_id=order_id,
                order_ref=str(order["order_ref"]),
                buyer_user_id=int(order["buyer"]),
                refund_fen=amount_fen,
                refunded_total_fen=refunded,
                total_fen=int(order["total_fen"]),
                leader_member_id=order["leader_member"],
                ambassador_user_id=order["ambassador_user"],
                lines=[RefundLine(sku=code, quantity=q, refund_fen=0) for code, q in lines],
            ),
        )
        await catalog_changed(kernel, member_id)  # last: see catalog_changed
    return {**order, "refunded_fen": refunded}

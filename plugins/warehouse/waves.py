"""Wave picking: a hub's orders for one slot and day become a wave; its pick list (by zone,
owner, SKU and lot) and sort list (by community and pickup point) are aggregates computed in
SQL, so the number of statements does not grow with the number of orders.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from alliance_sdk import BadUserInput, Conflict, NotFound, publish, scoped
from plugins.warehouse.db import as_date, communities, for_update, in_list, rows
from plugins.warehouse.events import WaveDispatched
from plugins.warehouse.reservations import LOCAL_OFFSET
from plugins.warehouse.sites import Access, access
from plugins.warehouse.tables import WarehouseSlot, WarehouseWave

__all__ = ["dispatch", "mark_picked", "pick_list", "plan", "sort_list", "wave_access", "waves_of"]

# The orders of a wave with their live reservations, restricted to the owners shown.
_LINES = (
    "FROM warehouse_order o JOIN warehouse_reservation r "
    "ON r.member = o.member AND r.order_ref = o.order_ref AND r.state <> 'released' "
    "JOIN warehouse_lot l ON l.id = r.lot "
    "WHERE o.wave = {} AND o.state <> 'released' "
)


async def wave_access(kernel: Any, member: int, wave_id: int) -> tuple[Access, dict[str, Any]]:
    """The wave (the operator's) and the operator's access to its hub; NOT_FOUND otherwise."""
    found = await scoped(WarehouseWave, member).select().where(WarehouseWave.id == wave_id)
    if not found:
        raise NotFound("WarehouseWave not found")
    return await access(kernel, member, int(found[0]["warehouse"])), found[0]


async def plan(
    kernel: Any, found: Access, slot_id: int, delivery_date: dt.date, owners: list[int]
) -> dict[str, Any]:
    """A new wave with the hub's orders (of ``owners``) for ``delivery_date`` placed before
    the slot's cut-off and not yet in a wave."""
    if not found.operator:
        raise NotFound("WarehouseSite not found")
    operator = found.site.operator
    slot = (
        await scoped(WarehouseSlot, operator)
        .select()
        .where((WarehouseSlot.id == slot_id) & (WarehouseSlot.warehouse == found.site.id))
    )
    if not slot:
        raise NotFound("WarehouseSlot not found")
    hour, minute = map(int, str(slot[0]["cutoff"]).split(":"))
    order_day = delivery_date - dt.timedelta(days=int(slot[0]["lead_days"]))
    cutoff = dt.datetime.combine(order_day, dt.time(hour, minute), dt.UTC) - LOCAL_OFFSET
    async with kernel.db.write():
        wave = WarehouseWave(
            member=operator,
            warehouse=found.site.id,
            slot=slot_id,
            delivery_date=delivery_date,
            state="planned",
            orders=0,
            units=0,
            created_at=kernel.clock(),
        )
        await scoped(WarehouseWave, operator).insert(wave)
        if owners:
            await rows(
                kernel,
                "UPDATE warehouse_order SET wave = {} WHERE warehouse = {} AND delivery_date = {} "
                f"AND state = 'reserved' AND wave IS NULL AND placed_at < {{}} "
                f"AND member IN ({in_list(owners)})",
                int(wave.id),
                found.site.id,
                delivery_date,
                cutoff,
                *owners,
            )
        totals = await rows(
            kernel,
            "SELECT COUNT(*) AS n, COALESCE(SUM(units), 0) AS units FROM warehouse_order "
            "WHERE wave = {}",
            int(wave.id),
        )
        orders, units = int(totals[0]["n"]), int(totals[0]["units"])
        await (
            scoped(WarehouseWave, operator)
            .update({WarehouseWave.orders: orders, WarehouseWave.units: units})
            .where(WarehouseWave.id == wave.id)
        )
    return {**wave.to_dict(), "orders": orders, "units": units}


async def waves_of(kernel: Any, found: Access) -> list[dict[str, Any]]:
    if not found.operator:
        return []
    found_rows: list[dict[str, Any]] = (
        await scoped(WarehouseWave, found.site.operator)
        .select()
        .where(WarehouseWave.warehouse == found.site.id)
        .order_by(WarehouseWave.id, ascending=False)
    )
    return found_rows


async def pick_list(kernel: Any, wave_id: int, owners: list[int]) -> list[dict[str, Any]]:
    """Units to pick per zone, owner, SKU and lot (first expiry first)."""
    if not owners:
        return []
    found = await rows(
        kernel,
        "SELECT l.zone, r.member AS owner, r.sku, l.lot_code, l.expires_on, "
        "SUM(r.quantity) AS units " + _LINES + f"AND o.member IN ({in_list(owners)}) "
        "GROUP BY l.zone, r.member, r.sku, l.lot_code, l.expires_on "
        "ORDER BY l.zone, r.sku, r.member, l.expires_on, l.lot_code",
        wave_id,
        *owners,
    )
    for line in found:
        line["expires_on"] = as_date(line["expires_on"])
        line["units"] = int(line["units"])
    return found


async def sort_list(kernel: Any, wave_id: int, owners: list[int]) -> list[dict[str, Any]]:
    """Units per community, pickup point, owner and SKU, with the number of orders."""
    if not owners:
        return []
    found = await rows(
        kernel,
        "SELECT o.community, o.pickup_member, r.member AS owner, r.sku, "
        "SUM(r.quantity) AS units, COUNT(DISTINCT o.id) AS orders "
        + _LINES
        + f"AND o.member IN ({in_list(owners)}) "
        "GROUP BY o.community, o.pickup_member, r.member, r.sku "
        "ORDER BY o.community, o.pickup_member, r.member, r.sku",
        wave_id,
        *owners,
    )
    names = await communities(kernel, {int(line["community"]) for line in found})
    for line in found:
        line["community_name"] = names.get(int(line["community"]), {}).get("name", "")
        line["units"], line["orders"] = int(line["units"]), int(line["orders"])
    return found


async def mark_picked(kernel: Any, member: int, wave_id: int) -> dict[str, Any]:
    async with kernel.db.write():
        _found, wave = await wave_access(kernel, member, wave_id)
        changed = await rows(
            kernel,
            "UPDATE warehouse_wave SET state = 'picked', picked_at = {} WHERE id = {} "
            "AND member = {} AND state = 'planned' RETURNING id",
            kernel.clock(),
            wave_id,
            member,
        )
        if not changed:
            raise Conflict(f"wave is {wave['state']}, not planned")
        await rows(
            kernel,
            "UPDATE warehouse_reservation SET state = 'picked' WHERE state = 'reserved' AND "
            "EXISTS (SELECT 1 FROM warehouse_order o WHERE o.wave = {} AND o.state = 'reserved' "
            "AND o.member = warehouse_reservation.member "
            "AND o.order_ref = warehouse_reservation.order_ref)",
            wave_id,
        )
        await rows(
            kernel,
            "UPDATE warehouse_order SET state = 'picked' WHERE wave = {} AND state = 'reserved'",
            wave_id,
        )
    return {**wave, "state": "picked"}


async def dispatch(kernel: Any, member: int, wave_id: int) -> dict[str, Any]:
    """The picked wave leaves: its units leave the lots (on hand and reserved), one
    dispatch movement per lot, orders and reservations dispatched."""
    now = kernel.clock()
    picked = (
        "SELECT r.lot, r.member, r.sku, SUM(r.quantity) AS q FROM warehouse_reservation r "
        "JOIN warehouse_order o ON o.member = r.member AND o.order_ref = r.order_ref "
        "WHERE o.wave = {} AND o.state = 'picked' AND r.state = 'picked' "
        "GROUP BY r.lot, r.member, r.sku"
    )
    async with kernel.db.write():
        found, wave = await wave_access(kernel, member, wave_id)
        changed = await rows(
            kernel,
            "UPDATE warehouse_wave SET state = 'dispatched', dispatched_at = {} WHERE id = {} "
            "AND member = {} AND state = 'picked' RETURNING id",
            now,
            wave_id,
            member,
        )
        if not changed:
            raise Conflict(f"wave is {wave['state']}, not picked")
        # Lock the lots in the order reserve_stock locks them (no deadlock with it).
        await rows(
            kernel,
            f"SELECT id FROM warehouse_lot WHERE id IN (SELECT lot FROM ({picked}) p) ORDER BY "
            "sku, warehouse, CASE WHEN expires_on IS NULL THEN 1 ELSE 0 END, expires_on, id"
            + for_update(kernel),
            wave_id,
        )
        await rows(
            kernel,
            "INSERT INTO warehouse_movement (member, warehouse, lot, sku, category, kind, "
            "quantity, value_fen, reason, origin, at) "
            "SELECT p.member, l.warehouse, p.lot, p.sku, COALESCE(s.category, ''), 'dispatch', "
            f"-p.q, -p.q * l.unit_cost_fen, '', {{}}, {{}} FROM ({picked}) p "
            "JOIN warehouse_lot l ON l.id = p.lot "
            "LEFT JOIN warehouse_sku s ON s.member = p.member AND s.sku = p.sku",
            f"wave:{wave_id}",
            now,
            wave_id,
        )
        await rows(
            kernel,
            "UPDATE warehouse_lot SET on_hand = on_hand - p.q, reserved = reserved - p.q "
            f"FROM ({picked}) p WHERE warehouse_lot.id = p.lot",
            wave_id,
        )
        await rows(
            kernel,
            "UPDATE warehouse_reservation SET state = 'dispatched' WHERE state = 'picked' AND "
            "EXISTS (SELECT 1 FROM warehouse_order o WHERE o.wave = {} AND o.state = 'picked' "
            "AND o.member = warehouse_reservation.member "
            "AND o.order_ref = warehouse_reservation.order_ref)",
            wave_id,
        )
        await rows(
            kernel,
            "UPDATE warehouse_order SET state = 'dispatched' WHERE wave = {} AND state = 'picked'",
            wave_id,
        )
        await publish(
            kernel,
            WaveDispatched(
                member_id=member,
                wave_id=wave_id,
                warehouse_id=found.site.id,
                delivery_date=str(as_date(wave["delivery_date"])),
                orders=int(wave["orders"]),
                units=int(wave["units"]),
            ),
        )
    return {**wave, "state": "dispatched"}


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadUserInput("not a date", field_errors={"deliveryDate": "YYYY-MM-DD"}) from None

"""``reserve_stock`` and ``release_stock`` for group buys: all-or-nothing carts from the
nearest hub covering the buyer's community, first-expiry-first-out, never oversold.

Both run inside the seller's write transaction. A reservation is a handful of indexed
statements: the candidate hubs, one locking read of the cart's lots (in SKU order, so
concurrent carts cannot deadlock), one guarded update per lot taken, one insert of the
reservation rows, the order row and the demand upsert.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Final

from alliance_sdk import StockReservation, StockTake, scoped
from plugins.warehouse.db import as_date, communities, distance_km, for_update, in_list, rows
from plugins.warehouse.sites import client_sites
from plugins.warehouse.tables import WarehouseOrder, WarehouseReservation, WarehouseUnmet

__all__ = ["LOCAL_OFFSET", "local_today", "release", "reserve"]

# Hubs run on China Standard Time (no daylight saving): cut-offs and days are local.
LOCAL_OFFSET: Final = dt.timedelta(hours=8)


def local_today(kernel: Any) -> dt.date:
    now: dt.datetime = kernel.clock()
    return (now + LOCAL_OFFSET).date()


async def _covering(kernel: Any, seller: int, community_id: int) -> list[dict[str, Any]]:
    """The seller's active hubs covering the community, nearest first."""
    sites = await client_sites(kernel, seller)
    if not sites:
        return []
    community = (await communities(kernel, [community_id])).get(community_id)
    if community is None:
        return []
    ids = [int(s["id"]) for s in sites]
    listed = await rows(
        kernel,
        f"SELECT warehouse FROM warehouse_coverage WHERE community = {{}} "
        f"AND warehouse IN ({in_list(ids)})",
        community_id,
        *ids,
    )
    explicit = {int(r["warehouse"]) for r in listed}
    found = []
    for site in sites:
        far: float | None = None
        if community["lat"] is not None and community["lon"] is not None:
            far = distance_km(
                site["latitude"], site["longitude"], community["lat"], community["lon"]
            )
        radius = float(site["radius_km"] or 0)
        if int(site["id"]) in explicit or (far is not None and radius > 0 and far <= radius):
            found.append({**site, "distance": far if far is not None else 0.0})
    return sorted(found, key=lambda s: (s["distance"], int(s["id"])))


async def _delivery_date(kernel: Any, warehouse_id: int) -> dt.date:
    """The default delivery day (groupbuy's ``delivery_date`` replaces it): the earliest
    slot whose cut-off has not passed today, else the next day's first."""
    slots = await rows(
        kernel, "SELECT cutoff, lead_days FROM warehouse_slot WHERE warehouse = {}", warehouse_id
    )
    local = kernel.clock() + LOCAL_OFFSET
    days: list[dt.date] = []
    for slot in slots or [{"cutoff": "21:00", "lead_days": 1}]:
        before = local.strftime("%H:%M") < str(slot["cutoff"])
        days.append(local.date() + dt.timedelta(days=int(slot["lead_days"]) + (0 if before else 1)))
    return min(days)


async def _existing(kernel: Any, seller: int, order_ref: str) -> StockReservation | None:
    found = await rows(
        kernel,
        "SELECT r.warehouse, r.sku, r.quantity, l.lot_code, l.expires_on "
        "FROM warehouse_reservation r JOIN warehouse_lot l ON l.id = r.lot "
        "WHERE r.member = {} AND r.order_ref = {} AND r.state IN ('reserved', 'picked') "
        "ORDER BY r.id",
        seller,
        order_ref,
    )
    if not found:
        return None
    return StockReservation(
        reserved=True,
        takes=tuple(
            StockTake(
                sku=str(r["sku"]),
                quantity=int(r["quantity"]),
                location=f"warehouse:{r['warehouse']}",
                lot=str(r["lot_code"]),
                expires_on=as_date(r["expires_on"]),
            )
            for r in found
        ),
    )


async def reserve(
    kernel: Any, seller: int, community_id: int, order_ref: str, lines: Mapping[str, int]
) -> StockReservation | None:
    """Reserve ``lines`` of ``seller``'s stock for ``order_ref``; None when no hub covering
    the community holds any of these SKUs of the seller."""
    wanted = {str(sku): int(q) for sku, q in lines.items() if int(q) > 0}
    if not wanted:
        return None
    hubs = await _covering(kernel, seller, community_id)
    if not hubs:
        return None
    again = await _existing(kernel, seller, order_ref)
    if again is not None:
        return again
    skus = sorted(wanted)
    hub_ids = [int(h["id"]) for h in hubs]
    lots = await rows(
        kernel,
        "SELECT id, warehouse, sku, lot_code, expires_on, on_hand - reserved AS free "
        f"FROM warehouse_lot WHERE member = {{}} AND warehouse IN ({in_list(hub_ids)}) "
        f"AND sku IN ({in_list(skus)}) AND on_hand > reserved "
        "ORDER BY sku, warehouse, CASE WHEN expires_on IS NULL THEN 1 ELSE 0 END, expires_on, id"
        + for_update(kernel),
        seller,
        *hub_ids,
        *skus,
    )
    free: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for lot in lots:
        free[int(lot["warehouse"])][str(lot["sku"])] += int(lot["free"])
    chosen = next((h for h in hub_ids if all(free[h][s] >= wanted[s] for s in skus)), None)
    if chosen is None:
        return await _refuse(kernel, seller, community_id, hub_ids, wanted, free)
    takes: list[StockTake] = []
    reservations: list[WarehouseReservation] = []
    now = kernel.clock()
    for sku in skus:
        need = wanted[sku]
        for lot in (x for x in lots if int(x["warehouse"]) == chosen and x["sku"] == sku):
            if need == 0:
                break
            take = min(need, int(lot["free"]))
            updated = await rows(
                kernel,
                "UPDATE warehouse_lot SET reserved = reserved + {} WHERE id = {} AND member = {} "
                "AND on_hand - reserved >= {} RETURNING id",
                take,
                int(lot["id"]),
                seller,
                take,
            )
            if not updated:  # cannot happen under the row locks; never oversell if it does
                raise RuntimeError(f"lot {lot['id']} changed under a reservation")
            need -= take
            expires = as_date(lot["expires_on"])
            takes.append(StockTake(sku, take, f"warehouse:{chosen}", str(lot["lot_code"]), expires))
            reservations.append(
                WarehouseReservation(
                    member=seller,
                    order_ref=order_ref,
                    warehouse=chosen,
                    lot=int(lot["id"]),
                    sku=sku,
                    quantity=take,
                    state="reserved",
                    created_at=now,
                )
            )
    await scoped(WarehouseReservation, seller).insert(*reservations)
    await scoped(WarehouseOrder, seller).insert(
        WarehouseOrder(
            member=seller,
            order_ref=order_ref,
            warehouse=chosen,
            community=community_id,
            delivery_date=await _delivery_date(kernel, chosen),
            units=sum(wanted.values()),
            state="reserved",
            placed_at=now,
        )
    )
    await _count_demand(kernel, seller, chosen, wanted)
    return StockReservation(reserved=True, takes=tuple(takes))


async def _count_demand(kernel: Any, owner: int, warehouse: int, wanted: Mapping[str, int]) -> None:
    day = local_today(kernel)
    values = ", ".join("({}, {}, {}, {}, {})" for _ in wanted)
    args: list[Any] = []
    for sku in sorted(wanted):
        args += [owner, warehouse, sku, day, wanted[sku]]
    await rows(
        kernel,
        f"INSERT INTO warehouse_demand (member, warehouse, sku, day, units) VALUES {values} "
        "ON CONFLICT (member, warehouse, sku, day) "
        "DO UPDATE SET units = warehouse_demand.units + excluded.units",
        *args,
    )


async def _refuse(
    kernel: Any,
    seller: int,
    community_id: int,
    hub_ids: list[int],
    wanted: dict[str, int],
    free: dict[int, dict[str, int]],
) -> StockReservation | None:
    """SOLD_OUT: nothing reserved; the shortfall is recorded as unmet demand (kept: the
    caller's transaction commits other orders). None when no covering hub ever held any of
    these SKUs of the seller (it sells from its own stock)."""
    skus = sorted(wanted)
    held = await rows(
        kernel,
        f"SELECT warehouse FROM warehouse_lot WHERE member = {{}} AND warehouse IN "
        f"({in_list(hub_ids)}) AND sku IN ({in_list(skus)}) LIMIT 1",
        seller,
        *hub_ids,
        *skus,
    )
    if not held:
        return None
    # The hub able to fill the most lines (the nearest among equals) speaks for the cart.
    best = max(
        hub_ids, key=lambda h: (sum(free[h][s] >= wanted[s] for s in skus), -hub_ids.index(h))
    )
    short = {s: free[best][s] for s in skus if free[best][s] < wanted[s]}
    now = kernel.clock()
    await scoped(WarehouseUnmet, seller).insert(
        *[
            WarehouseUnmet(
                member=seller,
                sku=s,
                community=community_id,
                warehouse=best,
                kind="sold_out",
                units=wanted[s] - short[s],
                day=local_today(kernel),
                at=now,
            )
            for s in sorted(short)
        ]
    )
    return StockReservation(reserved=False, short=short)


async def release(kernel: Any, seller: int, order_ref: str) -> int | None:
    """Give back what ``order_ref`` holds, exactly once (a conditional update marks the
    reservations released; a second call finds none). None when nothing was held."""
    released = await rows(
        kernel,
        "UPDATE warehouse_reservation SET state = 'released' WHERE member = {} "
        "AND order_ref = {} AND state IN ('reserved', 'picked') RETURNING lot, quantity",
        seller,
        order_ref,
    )
    if not released:
        return None
    per_lot: dict[int, int] = defaultdict(int)
    for r in released:
        per_lot[int(r["lot"])] += int(r["quantity"])
    for lot in sorted(per_lot):
        await rows(
            kernel,
            "UPDATE warehouse_lot SET reserved = reserved - {} WHERE id = {} AND member = {}",
            per_lot[lot],
            lot,
            seller,
        )
    await (
        scoped(WarehouseOrder, seller)
        .update({WarehouseOrder.state: "released"})
        .where(WarehouseOrder.order_ref == order_ref)
    )
    return sum(per_lot.values())

"""Transfers between one operator's hubs (调拨): request, ship (units leave the source lots,
first expiry first), receive (the same lots, codes and expiry, appear at the destination);
and suggestions of which transfers would keep communities from running out."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

from alliance_sdk import BadUserInput, Conflict, NotFound, scoped
from plugins.warehouse.db import for_update, in_list, rows
from plugins.warehouse.sites import Access, access
from plugins.warehouse.stock import _category, _move
from plugins.warehouse.tables import WarehouseLot, WarehouseTransfer

__all__ = ["receive_transfer", "request_transfer", "ship", "suggestions", "transfers_of"]


async def request_transfer(
    kernel: Any, member: int, owner: int, source: int, target: int, sku: str, quantity: int
) -> int:
    """Ask to move ``quantity`` of ``owner``'s ``sku`` from hub ``source`` to ``target``
    (both run by one operator, the owner admitted to both)."""
    if quantity <= 0:
        raise BadUserInput("nothing to move", field_errors={"quantity": "positive"})
    if source == target:
        raise BadUserInput("same hub", field_errors={"toWarehouseId": "another hub"})
    a = await access(kernel, member, source, write=True)
    b = await access(kernel, member, target, write=True)
    if owner not in a.owners or owner not in b.owners or a.site.operator != b.site.operator:
        raise NotFound("Member not found")
    row = WarehouseTransfer(
        member=owner,
        operator=a.site.operator,
        from_warehouse=source,
        to_warehouse=target,
        sku=sku,
        quantity=quantity,
        state="requested",
        created_at=kernel.clock(),
    )
    async with kernel.db.write():
        await scoped(WarehouseTransfer, owner).insert(row)
    return int(row.id)


async def _transfer(kernel: Any, member: int, transfer_id: int) -> tuple[int, dict[str, Any]]:
    """The transfer, for its hubs' operator only (it moves the goods)."""
    found = await rows(
        kernel,
        "SELECT member FROM warehouse_transfer WHERE id = {} AND operator = {}",
        transfer_id,
        member,
    )
    if not found:
        raise NotFound("WarehouseTransfer not found")
    owner = int(found[0]["member"])
    row = await scoped(WarehouseTransfer, owner).select().where(WarehouseTransfer.id == transfer_id)
    return owner, row[0]


async def ship(kernel: Any, member: int, transfer_id: int) -> dict[str, Any]:
    async with kernel.db.write():
        owner, t = await _transfer(kernel, member, transfer_id)
        if t["state"] != "requested":
            raise Conflict(f"transfer is {t['state']}")
        lots = await rows(
            kernel,
            "SELECT id, on_hand - reserved AS free, unit_cost_fen FROM warehouse_lot "
            "WHERE member = {} AND warehouse = {} AND sku = {} AND on_hand > reserved "
            "ORDER BY sku, warehouse, CASE WHEN expires_on IS NULL THEN 1 ELSE 0 END, "
            "expires_on, id" + for_update(kernel),
            owner,
            t["from_warehouse"],
            t["sku"],
        )
        need = int(t["quantity"])
        if sum(int(lot["free"]) for lot in lots) < need:
            raise Conflict(f"only {sum(int(lot['free']) for lot in lots)} free units to ship")
        category = await _category(owner, str(t["sku"]))
        for lot in lots:
            take = min(need, int(lot["free"]))
            if take == 0:
                break
            await rows(
                kernel,
                "UPDATE warehouse_lot SET on_hand = on_hand - {} WHERE id = {} AND member = {} "
                "AND on_hand - reserved >= {}",
                take,
                int(lot["id"]),
                owner,
                take,
            )
            await _move(
                kernel,
                owner,
                int(t["from_warehouse"]),
                int(lot["id"]),
                str(t["sku"]),
                category,
                "transfer_out",
                -take,
                int(lot["unit_cost_fen"]),
                "",
                f"transfer:{transfer_id}",
            )
            need -= take
        await (
            scoped(WarehouseTransfer, owner)
            .update(
                {WarehouseTransfer.state: "shipped", WarehouseTransfer.shipped_at: kernel.clock()}
            )
            .where(WarehouseTransfer.id == transfer_id)
        )
    return {**t, "state": "shipped"}


async def receive_transfer(kernel: Any, member: int, transfer_id: int) -> dict[str, Any]:
    async with kernel.db.write():
        owner, t = await _transfer(kernel, member, transfer_id)
        changed = await rows(
            kernel,
            "UPDATE warehouse_transfer SET state = 'received', received_at = {} WHERE id = {} "
            "AND member = {} AND state = 'shipped' RETURNING id",
            kernel.clock(),
            transfer_id,
            owner,
        )
        if not changed:
            raise Conflict(f"transfer is {t['state']}, not shipped")
        shipped = await rows(
            kernel,
            "SELECT m.quantity, l.sku, l.zone, l.lot_code, l.expires_on, l.unit_cost_fen, "
            "m.category FROM warehouse_movement m JOIN warehouse_lot l ON l.id = m.lot "
            "WHERE m.member = {} AND m.kind = 'transfer_out' AND m.origin = {} ORDER BY m.id",
            owner,
            f"transfer:{transfer_id}",
        )
        target = int(t["to_warehouse"])
        for line in shipped:
            units = -int(line["quantity"])
            lot = WarehouseLot(
                member=owner,
                warehouse=target,
                sku=line["sku"],
                zone=line["zone"],
                lot_code=line["lot_code"],
                expires_on=line["expires_on"],
                unit_cost_fen=int(line["unit_cost_fen"]),
                received=0,
                on_hand=units,
                reserved=0,
                created_at=kernel.clock(),
            )
            await scoped(WarehouseLot, owner).insert(lot)
            await _move(
                kernel,
                owner,
                target,
                int(lot.id),
                str(line["sku"]),
                str(line["category"]),
                "transfer_in",
                units,
                int(line["unit_cost_fen"]),
                "",
                f"transfer:{transfer_id}",
            )
    return {**t, "state": "received"}


async def transfers_of(kernel: Any, found: Access) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for owner in found.owners:
        result += (
            await scoped(WarehouseTransfer, owner)
            .select()
            .where(
                (WarehouseTransfer.from_warehouse == found.site.id)
                | (WarehouseTransfer.to_warehouse == found.site.id)
            )
        )
    return sorted(result, key=lambda t: -int(t["id"]))


async def suggestions(
    kernel: Any, operator: int, hubs: list[Access], today: dt.date, low: float, slow: float
) -> list[dict[str, Any]]:
    """Per owner and SKU: a hub whose free stock covers under ``low`` days of its recent
    demand (last 7 days) while another holds more than ``slow`` days' worth."""
    ids = [h.site.id for h in hubs]
    owners = sorted({o for h in hubs for o in h.owners})
    if not ids or not owners:
        return []
    free = await rows(
        kernel,
        "SELECT member, warehouse, sku, SUM(on_hand - reserved) AS free FROM warehouse_lot "
        f"WHERE member IN ({in_list(owners)}) AND warehouse IN ({in_list(ids)}) "
        "GROUP BY member, warehouse, sku",
        *owners,
        *ids,
    )
    demand = await rows(
        kernel,
        "SELECT member, warehouse, sku, SUM(units) AS units FROM warehouse_demand "
        f"WHERE member IN ({in_list(owners)}) AND warehouse IN ({in_list(ids)}) AND day > {{}} "
        "GROUP BY member, warehouse, sku",
        *owners,
        *ids,
        today - dt.timedelta(days=7),
    )
    state: dict[tuple[int, str], dict[int, list[float]]] = defaultdict(dict)
    for r in free:
        state[(int(r["member"]), str(r["sku"]))][int(r["warehouse"])] = [float(r["free"]), 0.0]
    for r in demand:
        hub = state[(int(r["member"]), str(r["sku"]))].setdefault(int(r["warehouse"]), [0.0, 0.0])
        hub[1] = float(r["units"]) / 7
    found: list[dict[str, Any]] = []
    for (owner, sku), per_hub in sorted(state.items()):
        for short_hub, (stock, rate) in sorted(per_hub.items()):
            if rate <= 0 or stock >= low * rate:
                continue
            for long_hub, (other, other_rate) in sorted(per_hub.items()):
                spare = other - slow * other_rate
                if (
                    long_hub == short_hub
                    or spare < 1
                    or (other_rate and other / other_rate <= slow)
                ):
                    continue
                need = math.ceil((low + slow) / 2 * rate - stock)
                units = int(min(need, math.floor(spare)))
                if units > 0:
                    found.append(
                        {
                            "owner": owner,
                            "sku": sku,
                            "from_warehouse": long_hub,
                            "to_warehouse": short_hub,
                            "quantity": units,
                            "cover_days": stock / rate,
                            "source_cover_days": other / other_rate if other_rate else None,
                        }
                    )
                    break
    return found

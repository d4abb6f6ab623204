"""Stock in lots: receipts, adjustments, write-offs, what is on hand, near-expiry and loss.

Every change of a lot's ``on_hand`` writes a movement in the same transaction, so that
``on_hand = receipts + adjustments - write-offs - dispatches - transfers out + transfers in``
holds per lot (the property test checks it). A lot never has ``reserved > on_hand``:
adjustments and write-offs may only take free units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from alliance_sdk import BadUserInput, Conflict, NotFound, scoped
from plugins.warehouse.db import rows
from plugins.warehouse.sites import ZONES, Access, access
from plugins.warehouse.tables import WarehouseLot, WarehouseMovement, WarehouseSku

__all__ = [
    "LOSS_REASONS",
    "adjust",
    "lot_access",
    "lots_of",
    "receive",
    "write_off",
]

LOSS_REASONS: Final = ("spoiled", "damaged", "expired")


async def _sku(
    kernel: Any,
    owner: int,
    sku: str,
    name: str | None,
    category: str | None,
    zone: str | None,
    unit_cost_fen: int | None,
) -> dict[str, Any]:
    """The owner's SKU, created (or updated) from what the receipt says about it."""
    found = await scoped(WarehouseSku, owner).select().where(WarehouseSku.sku == sku)
    errors: dict[str, str] = {}
    if not found and (not name or not category or not zone):
        errors["sku"] = "a new SKU needs name, category and zone"
    if zone is not None and zone not in ZONES:
        errors["zone"] = f"one of {', '.join(ZONES)}"
    if unit_cost_fen is not None and unit_cost_fen < 0:
        errors["unitCostFen"] = "not negative"
    if not 1 <= len(sku) <= 64:
        errors["sku"] = "1 to 64 characters"
    if errors:
        raise BadUserInput("invalid SKU", field_errors=errors)
    if not found:
        row = WarehouseSku(
            member=owner,
            sku=sku,
            name=name,
            category=category,
            zone=zone,
            unit_cost_fen=unit_cost_fen or 0,
        )
        await scoped(WarehouseSku, owner).insert(row)
        return {
            "sku": sku,
            "name": name,
            "category": category,
            "zone": zone,
            "unit_cost_fen": unit_cost_fen or 0,
        }
    changes = {
        column: value
        for column, value in (
            (WarehouseSku.name, name),
            (WarehouseSku.category, category),
            (WarehouseSku.zone, zone),
            (WarehouseSku.unit_cost_fen, unit_cost_fen),
        )
        if value is not None
    }
    if changes:
        await scoped(WarehouseSku, owner).update(changes).where(WarehouseSku.sku == sku)
    merged = dict(found[0])
    merged.update({c._meta.name: v for c, v in changes.items()})
    return merged


async def _zone_room(kernel: Any, found: Access, zone: str) -> int | None:
    """Units the zone still has room for (None: no capacity declared)."""
    capacity = await rows(
        kernel,
        "SELECT capacity_units FROM warehouse_zone WHERE warehouse = {} AND member = {} "
        "AND zone = {}",
        found.site.id,
        found.site.operator,
        zone,
    )
    if not capacity:
        return None
    used = await rows(
        kernel,
        "SELECT COALESCE(SUM(on_hand), 0) AS used FROM warehouse_lot WHERE warehouse = {} "
        "AND zone = {}",
        found.site.id,
        zone,
    )
    return int(capacity[0]["capacity_units"]) - int(used[0]["used"])


async def receive(
    kernel: Any,
    member: int,
    warehouse_id: int,
    owner: int,
    *,
    sku: str,
    quantity: int,
    lot_code: str,
    expires_on: dt.date | None,
    name: str | None = None,
    category: str | None = None,
    zone: str | None = None,
    unit_cost_fen: int | None = None,
) -> int:
    """Record inbound goods of ``owner`` (by the operator or the owner itself): a new lot.
    Returns the lot's id."""
    if quantity <= 0:
        raise BadUserInput("nothing received", field_errors={"quantity": "positive"})
    if not 1 <= len(lot_code) <= 64:
        raise BadUserInput("invalid lot", field_errors={"lotCode": "1 to 64 characters"})
    async with kernel.db.write():
        found = await access(kernel, member, warehouse_id, write=True)
        if owner not in found.owners or not found.active:
            raise NotFound("Member not found")
        article = await _sku(kernel, owner, sku, name, category, zone, unit_cost_fen)
        room = await _zone_room(kernel, found, str(article["zone"]))
        if room is not None and quantity > room:
            raise Conflict(f"zone {article['zone']} has room for {max(room, 0)} more units")
        now = kernel.clock()
        lot = WarehouseLot(
            member=owner,
            warehouse=warehouse_id,
            sku=sku,
            zone=article["zone"],
            lot_code=lot_code,
            expires_on=expires_on,
            unit_cost_fen=int(article["unit_cost_fen"]),
            received=quantity,
            on_hand=quantity,
            reserved=0,
            created_at=now,
        )
        await scoped(WarehouseLot, owner).insert(lot)
        await _move(
            kernel,
            owner,
            warehouse_id,
            int(lot.id),
            sku,
            str(article["category"]),
            "receipt",
            quantity,
            int(article["unit_cost_fen"]),
            "",
            "",
        )
    return int(lot.id)


async def _move(
    kernel: Any,
    owner: int,
    warehouse: int,
    lot: int,
    sku: str,
    category: str,
    kind: str,
    quantity: int,
    unit_cost_fen: int,
    reason: str,
    ref: str,
) -> None:
    await scoped(WarehouseMovement, owner).insert(
        WarehouseMovement(
            member=owner,
            warehouse=warehouse,
            lot=lot,
            sku=sku,
            category=category,
            kind=kind,
            quantity=quantity,
            value_fen=quantity * unit_cost_fen,
            reason=reason,
            origin=ref,
            at=kernel.clock(),
        )
    )


async def lot_access(
    kernel: Any, member: int, lot_id: int, *, write: bool = False
) -> tuple[Access, dict[str, Any]]:
    """The lot and the caller's access to its hub; NOT_FOUND unless the caller owns it or
    operates its hub."""
    # The lot's owner and hub, then the ordinary access rule on that hub.
    where = await rows(kernel, "SELECT member, warehouse FROM warehouse_lot WHERE id = {}", lot_id)
    if not where:
        raise NotFound("WarehouseLot not found")
    owner = int(where[0]["member"])
    try:
        found = await access(kernel, member, int(where[0]["warehouse"]), write=write)
    except NotFound:
        raise NotFound("WarehouseLot not found") from None
    if owner not in found.owners:
        raise NotFound("WarehouseLot not found")
    lot = await scoped(WarehouseLot, owner).select().where(WarehouseLot.id == lot_id)
    return found, lot[0]


async def _category(owner: int, sku: str) -> str:
    found = (
        await scoped(WarehouseSku, owner)
        .select(WarehouseSku.category)
        .where(WarehouseSku.sku == sku)
    )
    return str(found[0]["category"]) if found else ""


async def _change(
    kernel: Any, member: int, lot_id: int, delta: int, kind: str, reason: str
) -> dict[str, Any]:
    async with kernel.db.write():
        _, lot = await lot_access(kernel, member, lot_id, write=True)
        owner = int(lot["member"])
        # The guard keeps reserved <= on_hand and on_hand >= 0, whatever ran meanwhile.
        updated = await rows(
            kernel,
            "UPDATE warehouse_lot SET on_hand = on_hand + {} WHERE id = {} AND member = {} "
            "AND on_hand + {} >= reserved AND on_hand + {} >= 0 RETURNING on_hand, reserved",
            delta,
            lot_id,
            owner,
            delta,
            delta,
        )
        if not updated:
            raise Conflict(
                f"only {int(lot['on_hand']) - int(lot['reserved'])} free units in this lot",
                field_errors={"quantity": "more than the lot's free units"},
            )
        await _move(
            kernel,
            owner,
            int(lot["warehouse"]),
            lot_id,
            str(lot["sku"]),
            await _category(owner, str(lot["sku"])),
            kind,
            delta,
            int(lot["unit_cost_fen"]),
            reason,
            "",
        )
    return {**lot, **updated[0]}


async def adjust(kernel: Any, member: int, lot_id: int, delta: int, reason: str) -> dict[str, Any]:
    """Correct a lot's count by ``delta`` (a stock take found more or fewer units)."""
    if delta == 0:
        raise BadUserInput("no change", field_errors={"delta": "not zero"})
    if not reason.strip() or len(reason) > 200:
        raise BadUserInput("say why", field_errors={"reason": "1 to 200 characters"})
    return await _change(kernel, member, lot_id, delta, "adjustment", reason.strip())


async def write_off(
    kernel: Any, member: int, lot_id: int, quantity: int, reason: str
) -> dict[str, Any]:
    """Record a loss (spoiled, damaged, expired) of free units of a lot."""
    errors: dict[str, str] = {}
    if quantity <= 0:
        errors["quantity"] = "positive"
    if reason not in LOSS_REASONS:
        errors["reason"] = f"one of {', '.join(LOSS_REASONS)}"
    if errors:
        raise BadUserInput("invalid write-off", field_errors=errors)
    return await _change(kernel, member, lot_id, -quantity, "write_off", reason)


async def lots_of(
    kernel: Any,
    found: Access,
    *,
    owner: int | None = None,
    sku: str | None = None,
    include_empty: bool = False,
) -> list[dict[str, Any]]:
    """The lots the caller may see in the hub (one owner's, or every visible owner's)."""
    owners: Sequence[int] = (
        found.owners if owner is None else ([owner] if owner in found.owners else [])
    )
    result: list[dict[str, Any]] = []
    for who in owners:  # scoped per owner: an owner's rows never reach another
        query = scoped(WarehouseLot, who).select().where(WarehouseLot.warehouse == found.site.id)
        if sku is not None:
            query = query.where(WarehouseLot.sku == sku)
        if not include_empty:
            query = query.where(WarehouseLot.on_hand > 0)
        result += await query.order_by(WarehouseLot.sku).order_by(WarehouseLot.expires_on)
    return result

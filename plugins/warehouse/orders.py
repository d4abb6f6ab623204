"""The orders a hub fulfils: what groupbuy's events add to them, and who may see them.

The operator sees a client's orders only under a live ``orders:read`` grant for purpose
``fulfilment`` from that client (checked on every request; each read is audited with
``record_read``). A client sees its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from alliance_sdk import Event, live_grants, once, record_read, scoped
from plugins.warehouse.reservations import release
from plugins.warehouse.sites import Access
from plugins.warehouse.tables import WarehouseOrder

__all__ = ["PURPOSE", "SCOPE", "on_order_cancelled", "on_order_placed", "readable_owners"]

SCOPE: Final = "orders:read"
PURPOSE: Final = "fulfilment"


async def on_order_placed(kernel: Any, event: Event) -> None:
    """Record the pickup point and delivery day of an order the hub holds stock for."""
    data = event.model_dump()
    async with once(kernel, "warehouse.order_placed", event.event_id) as first:
        if not first:
            return
        changes: dict[Any, Any] = {WarehouseOrder.pickup_member: data.get("pickup_member_id")}
        if data.get("delivery_date"):
            changes[WarehouseOrder.delivery_date] = dt.date.fromisoformat(
                str(data["delivery_date"])[:10]
            )
        # Orders already in a wave keep the day they are being picked for.
        await (
            scoped(WarehouseOrder, event.member_id)
            .update(changes)
            .where(
                (WarehouseOrder.order_ref == str(data["order_ref"])) & WarehouseOrder.wave.is_null()
            )
        )


async def on_order_cancelled(kernel: Any, event: Event) -> None:
    """Release the order's stock (groupbuy calls ``release_stock`` itself; releasing is
    exactly-once, so this second path only matters if that call never happened)."""
    data = event.model_dump()
    async with kernel.db.write():
        await release(kernel, event.member_id, str(data["order_ref"]))


async def readable_owners(
    kernel: Any, found: Access, *, actor: Any, memo: dict[str, Any] | None, subject: str
) -> list[int]:
    """The owners whose orders the caller may see at this hub now; for the operator, the
    clients with a live fulfilment grant (each read is audited)."""
    if not found.operator:
        return list(found.owners)
    grants = await live_grants(
        kernel, grantee_member_id=found.member, scope=SCOPE, purpose=PURPOSE, memo=memo
    )
    owners = [o for o in found.owners if o in grants]
    for owner in owners:
        await record_read(
            kernel,
            actor=actor,
            grant_id=grants[owner],
            grantor_member_id=owner,
            grantee_member_id=found.member,
            scope=SCOPE,
            purpose=PURPOSE,
            subject=subject,
        )
    return owners


async def orders_of(
    kernel: Any, found: Access, owners: list[int], delivery_date: dt.date
) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for owner in owners:
        result += (
            await scoped(WarehouseOrder, owner)
            .select()
            .where(
                (WarehouseOrder.warehouse == found.site.id)
                & (WarehouseOrder.delivery_date == delivery_date)
            )
            .order_by(WarehouseOrder.id)
        )
    return result

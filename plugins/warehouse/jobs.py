"""Periodic work: expired free units become loss; near-expiry lots are announced once a day
to their owner for a clearance campaign (临期)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from alliance_sdk import Job, once, publish
from plugins.warehouse.db import as_date, rows
from plugins.warehouse.events import NearExpiry
from plugins.warehouse.reservations import local_today
from plugins.warehouse.stock import write_off

__all__ = ["JOBS"]

NEAR_DAYS = 2


async def write_off_expired(kernel: Any) -> int:
    """Write off the free units of lots past their expiry (reserved units stay: their
    orders decide). Conditional updates: safe to run in several processes at once."""
    due = await rows(
        kernel,
        "SELECT id, member, on_hand - reserved AS free FROM warehouse_lot "
        "WHERE expires_on < {} AND on_hand > reserved ORDER BY id",
        local_today(kernel),
    )
    done = 0
    for lot in due:
        try:
            await write_off(kernel, int(lot["member"]), int(lot["id"]), int(lot["free"]), "expired")
            done += 1
        except Exception:  # taken meanwhile by another process: the next run sees it
            continue
    return done


async def announce_near_expiry(kernel: Any) -> int:
    today = local_today(kernel)
    due = await rows(
        kernel,
        "SELECT id, member, warehouse, sku, lot_code, expires_on, on_hand - reserved AS free "
        "FROM warehouse_lot WHERE expires_on >= {} AND expires_on <= {} AND on_hand > reserved "
        "ORDER BY member, warehouse, expires_on, id",
        today,
        today + dt.timedelta(days=NEAR_DAYS),
    )
    groups: dict[tuple[int, int], list[dict[str, object]]] = defaultdict(list)
    for lot in due:
        groups[(int(lot["member"]), int(lot["warehouse"]))].append(
            {
                "lot_id": int(lot["id"]),
                "sku": str(lot["sku"]),
                "lot_code": str(lot["lot_code"]),
                "expires_on": str(as_date(lot["expires_on"])),
                "free": int(lot["free"]),
            }
        )
    sent = 0
    for (owner, warehouse), lots in sorted(groups.items()):
        # One announcement per owner, hub and day, however many processes run the job.
        async with once(kernel, "warehouse.near_expiry", f"{owner}:{warehouse}:{today}") as first:
            if first:
                await publish(
                    kernel, NearExpiry(member_id=owner, warehouse_id=warehouse, lots=lots)
                )
                sent += 1
    return sent


JOBS = [
    Job(
        "write_off_expired",
        3600.0,
        write_off_expired,
        "Write off free units of lots past their expiry date (loss reason 'expired').",
    ),
    Job(
        "near_expiry",
        3600.0,
        announce_near_expiry,
        "Announce lots expiring within two days to their owner (warehouse.near_expiry).",
    ),
]

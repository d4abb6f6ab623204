"""What the floor reads from stock: near-expiry lots (临期) and the loss rate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from plugins.warehouse.db import in_list, rows
from plugins.warehouse.sites import Access
from plugins.warehouse.stock import lots_of

__all__ = ["loss_report", "near_expiry"]


async def near_expiry(
    kernel: Any, found: Access, today: dt.date, days: int
) -> list[dict[str, Any]]:
    """Lots with free units expiring within ``days`` (oldest first): clearance candidates."""
    limit = today + dt.timedelta(days=days)
    lots = [
        lot
        for lot in await lots_of(kernel, found)
        if lot["expires_on"] is not None
        and lot["expires_on"] <= limit
        and lot["on_hand"] > lot["reserved"]
    ]
    return sorted(lots, key=lambda lot: (lot["expires_on"], lot["id"]))


async def loss_report(
    kernel: Any, found: Access, since: dt.datetime, until: dt.datetime
) -> list[dict[str, Any]]:
    """Per category: units and value received and written off, and the loss rate in basis
    points of the value received (units when nothing has a cost)."""
    if not found.owners:
        return []
    owners = list(found.owners)
    data = await rows(
        kernel,
        "SELECT category, kind, reason, SUM(quantity) AS units, SUM(value_fen) AS fen "
        f"FROM warehouse_movement WHERE member IN ({in_list(owners)}) AND warehouse = {{}} "
        "AND kind IN ('receipt', 'write_off') AND at >= {} AND at < {} "
        "GROUP BY category, kind, reason ORDER BY category",
        *owners,
        found.site.id,
        since,
        until,
    )
    report: dict[str, dict[str, Any]] = {}
    for r in data:
        entry = report.setdefault(
            str(r["category"]),
            {
                "category": str(r["category"]),
                "received_units": 0,
                "received_fen": 0,
                "lost_units": 0,
                "lost_fen": 0,
                "by_reason": {},
            },
        )
        units, fen = int(r["units"] or 0), int(r["fen"] or 0)
        if r["kind"] == "receipt":
            entry["received_units"] += units
            entry["received_fen"] += fen
        else:
            entry["lost_units"] -= units
            entry["lost_fen"] -= fen
            entry["by_reason"][str(r["reason"])] = (
                entry["by_reason"].get(str(r["reason"]), 0) - units
            )
    for entry in report.values():
        base, lost = entry["received_fen"], entry["lost_fen"]
        if base <= 0:
            base, lost = entry["received_units"], entry["lost_units"]
        entry["loss_rate_bp"] = (lost * 10_000 + base // 2) // base if base > 0 else 0
    return sorted(report.values(), key=lambda e: e["category"])

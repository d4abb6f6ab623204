"""Demand: daily history per SKU and hub, forecasts, unmet demand (SOLD_OUT refusals and
searches that found no stock) and replenishment suggestions."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

from alliance_sdk import BadUserInput, scoped
from plugins.warehouse.db import as_date, in_list, rows
from plugins.warehouse.forecast import holt_winters
from plugins.warehouse.reservations import _covering, local_today
from plugins.warehouse.sites import Access
from plugins.warehouse.tables import WarehouseUnmet

__all__ = ["forecast", "record_search", "replenishment", "unmet_signals"]

HISTORY_DAYS = 28


async def record_search(
    kernel: Any,
    owner: int,
    *,
    sku: str,
    community_id: int | None,
    query: str = "",
    units: int = 1,
) -> None:
    """Record that a resident looked for ``owner``'s ``sku`` and found no stock (the store's
    search box, a chat request). Needs no GraphQL: callable from any plugin or job."""
    if not 1 <= len(sku) <= 64 or len(query) > 200 or units <= 0:
        raise BadUserInput("invalid search", field_errors={"sku": "1 to 64 characters"})
    hub = None
    if community_id is not None:
        covering = await _covering(kernel, owner, community_id)
        hub = int(covering[0]["id"]) if covering else None
    async with kernel.db.write():
        await scoped(WarehouseUnmet, owner).insert(
            WarehouseUnmet(
                member=owner,
                sku=sku,
                community=community_id,
                warehouse=hub,
                kind="search",
                units=units,
                search_text=query,
                day=local_today(kernel),
                at=kernel.clock(),
            )
        )


async def unmet_signals(
    kernel: Any, owners: list[int], warehouse: int | None, today: dt.date, min_days: int
) -> list[dict[str, Any]]:
    """Per owner, SKU and community: unmet demand on at least ``min_days`` distinct days of
    the last week ("three days of searches for lactose-free milk")."""
    if not owners:
        return []
    hub = "" if warehouse is None else " AND warehouse = {}"
    found = await rows(
        kernel,
        "SELECT member, sku, community, COUNT(DISTINCT day) AS days, SUM(units) AS units, "
        "SUM(CASE WHEN kind = 'search' THEN 1 ELSE 0 END) AS searches "
        f"FROM warehouse_unmet WHERE member IN ({in_list(owners)}) AND day > {{}}{hub} "
        "GROUP BY member, sku, community HAVING COUNT(DISTINCT day) >= {} "
        "ORDER BY member, sku, community",
        *owners,
        today - dt.timedelta(days=7),
        *([warehouse] if warehouse is not None else []),
        min_days,
    )
    return [
        {**r, "days": int(r["days"]), "units": int(r["units"]), "searches": int(r["searches"])}
        for r in found
    ]


async def _history(
    kernel: Any, owners: list[int], warehouse: int, today: dt.date, sku: str | None
) -> dict[tuple[int, str], list[float]]:
    start = today - dt.timedelta(days=HISTORY_DAYS)
    extra = "" if sku is None else " AND sku = {}"
    found = await rows(
        kernel,
        "SELECT member, sku, day, units FROM warehouse_demand "
        f"WHERE member IN ({in_list(owners)}) AND warehouse = {{}} AND day >= {{}} "
        f"AND day < {{}}{extra}",
        *owners,
        warehouse,
        start,
        today,
        *([sku] if sku is not None else []),
    )
    series: dict[tuple[int, str], list[float]] = {}
    first: dict[tuple[int, str], int] = {}
    for r in found:
        key = (int(r["member"]), str(r["sku"]))
        index = ((as_date(r["day"]) or start) - start).days
        series.setdefault(key, [0.0] * HISTORY_DAYS)[index] += float(r["units"])
        first[key] = min(first.get(key, index), index)
    # A SKU's history starts at its first sale, not four weeks ago.
    return {key: values[first[key] :] for key, values in series.items()}


async def forecast(
    kernel: Any, found: Access, today: dt.date, horizon: int, sku: str | None = None
) -> list[dict[str, Any]]:
    """Per owner and SKU: the next ``horizon`` days of demand (Holt-Winters additive,
    weekly season)."""
    if not found.owners or not 1 <= horizon <= 28:
        return []
    history = await _history(kernel, list(found.owners), found.site.id, today, sku)
    return [
        {"owner": owner, "sku": code, "history": values, "forecast": holt_winters(values, horizon)}
        for (owner, code), values in sorted(history.items())
    ]


async def replenishment(
    kernel: Any,
    found: Access,
    today: dt.date,
    lead_days: int,
    safety_days: int,
    signal_days: int,
) -> list[dict[str, Any]]:
    """Per owner and SKU: units to order so that free stock covers the forecast over the
    lead time and safety days, plus demand that went unmet on ``signal_days`` days."""
    if not found.owners:
        return []
    owners, days = list(found.owners), lead_days + safety_days
    plans = await forecast(kernel, found, today, max(days, 1))
    free = await rows(
        kernel,
        "SELECT member, sku, SUM(on_hand - reserved) AS free FROM warehouse_lot "
        f"WHERE member IN ({in_list(owners)}) AND warehouse = {{}} GROUP BY member, sku",
        *owners,
        found.site.id,
    )
    stock = {(int(r["member"]), str(r["sku"])): int(r["free"]) for r in free}
    signals: dict[tuple[int, str], int] = defaultdict(int)
    for s in await unmet_signals(kernel, owners, found.site.id, today, signal_days):
        signals[(int(s["member"]), str(s["sku"]))] += int(s["units"])
    result = []
    keys = sorted({(p["owner"], p["sku"]) for p in plans} | set(signals))
    wanted = {(p["owner"], p["sku"]): sum(p["forecast"][: max(days, 1)]) for p in plans}
    for key in keys:
        need = math.ceil(wanted.get(key, 0.0)) + signals.get(key, 0) - stock.get(key, 0)
        if need > 0:
            result.append(
                {
                    "owner": key[0],
                    "sku": key[1],
                    "free": stock.get(key, 0),
                    "forecast": wanted.get(key, 0.0),
                    "unmet": signals.get(key, 0),
                    "quantity": need,
                }
            )
    return result

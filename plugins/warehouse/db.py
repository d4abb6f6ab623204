"""Set-based SQL on the kernel's engine, and the kernel tables the SDK does not expose.

Raw statements are for what the ORM cannot say in one statement (aggregates over several
owners' rows, ``FOR UPDATE`` in a fixed order); every one names the member column it
filters on. They run in the caller's transaction when there is one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Any

from piccolo.querystring import QueryString

__all__ = [
    "as_date",
    "communities",
    "distance_km",
    "for_update",
    "in_list",
    "member_alliance",
    "rows",
]


async def rows(kernel: Any, template: str, *args: Any) -> list[dict[str, Any]]:
    """Run ``template`` (``{}`` placeholders) with ``args``; rows as dicts."""
    found = await kernel.db.engine.run_querystring(QueryString(template, *args))
    return [dict(row) for row in found or []]


def for_update(kernel: Any) -> str:
    """`` FOR UPDATE`` on PostgreSQL; nothing on SQLite, whose IMMEDIATE write transaction
    already holds the single write lock."""
    return " FOR UPDATE" if kernel.db.kind == "postgres" else ""


def in_list(values: Sequence[Any]) -> str:
    """``{}, {}, ...`` for an ``IN (...)`` list (never empty)."""
    if not values:
        raise ValueError("an IN list needs at least one value")
    return ", ".join("{}" for _ in values)


def as_date(value: Any) -> dt.date | None:
    """A date from a column read raw (SQLite gives text for computed columns)."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


# SDK-GAP: the SDK offers no read of the tenancy tables (a community's alliance and
# coordinates, a member's alliance and kind). These two reads stand in for an
# ``alliance_sdk.community(kernel, id)`` / ``member_info(kernel, id)`` until it exists.
async def communities(
    kernel: Any, ids: Iterable[int] | None = None, *, alliance: int = 0
) -> dict[int, dict[str, Any]]:
    """Communities by id (``ids``) or of ``alliance``: ``{id: {alliance, name, lat, lon}}``."""
    if ids is not None:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        where, args = f"id IN ({in_list(wanted)})", list(wanted)
    else:
        where, args = "alliance = {}", [alliance]
    found = await rows(
        kernel,
        "SELECT id, alliance, name, latitude, longitude FROM kernel_community WHERE " + where,
        *args,
    )
    return {
        int(r["id"]): {
            "alliance": int(r["alliance"]),
            "name": str(r["name"]),
            "lat": r["latitude"],
            "lon": r["longitude"],
        }
        for r in found
    }


async def member_alliance(kernel: Any, member_id: int) -> tuple[int, str] | None:
    """``(alliance id, kind)`` of a member, or None."""
    found = await rows(kernel, "SELECT alliance, kind FROM kernel_member WHERE id = {}", member_id)
    return (int(found[0]["alliance"]), str(found[0]["kind"])) if found else None

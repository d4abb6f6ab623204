"""Running the events part's SQL on one kernel's own engine.

piccolo runs a table's queries on the engine bound last in the process; the events part
instead sends every statement to ``kernel.db.engine`` (through its current transaction, if
any), so two kernels in one process (tests, tools) never mix their transactions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from piccolo.querystring import QueryString

if TYPE_CHECKING:
    from kernel.db import Database

__all__ = ["placeholders", "query"]


async def query(db: Database, template: str, *args: Any) -> list[dict[str, Any]]:
    """Run ``template`` (``{}`` placeholders) with ``args`` on ``db``; rows as dicts."""
    rows = await db.engine.run_querystring(QueryString(template, *args))
    if not rows:
        return []
    if isinstance(rows[0], dict):  # SQLite: piccolo built a new dict per row already
        return list(rows)
    keys = tuple(rows[0].keys())  # asyncpg's records: one result, one set of columns
    return [dict(zip(keys, row, strict=True)) for row in rows]


def placeholders(values: Sequence[Any]) -> str:
    """``{}, {}, ...`` for an ``IN (...)`` list of ``values`` (never empty)."""
    if not values:
        raise ValueError("an IN list needs at least one value")
    return ", ".join("{}" for _ in values)

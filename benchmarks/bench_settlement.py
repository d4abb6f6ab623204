"""revenue_share's monthly settlement: 500 leaders, 200,000 picked-up orders, both engines
(target <= 10 s on PostgreSQL, a constant number of queries). The benchmark lives with the
plugin (``plugins/revenue_share/bench_settlement.py``); this runs it for ``make bench``."""

from __future__ import annotations

from typing import Any

from plugins.revenue_share.bench_settlement import run as _run

__all__ = ["run"]


async def run() -> dict[str, Any]:
    return await _run(orders=200_000, leaders=500)

"""warehouse's wave planning: pick and sort lists for 2,000 and 20,000 orders over 80
communities and 1,000 SKUs, both engines (target <= 2 s; the query count must not grow with
the orders). The benchmark lives with the plugin (``plugins/warehouse/bench_waves.py``)."""

from __future__ import annotations

import asyncio
from typing import Any

from plugins.warehouse.bench_waves import main as _main

__all__ = ["run"]


async def run() -> dict[str, Any]:
    # The plugin's benchmark runs its own event loop (asyncio.run): give it a thread.
    rows = await asyncio.to_thread(_main)
    return {"benchmark": "warehouse_waves", "results": rows}

"""Live topics for plugins: push a small payload to every subscriber of a topic, in every
process (the kernel's :class:`~kernel.live.broadcast.Broadcaster`), and listen to one.

A plugin names its topics after itself (``groupbuy:campaign:12:progress``). Publishing is
best effort and after commit: a failure is logged, never raised, since the committed change
stands and subscribers can always re-read it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from kernel.live.broadcast import Stream

__all__ = ["broadcast", "listen"]

logger = logging.getLogger("kernel.live")


async def broadcast(kernel: Any, topic: str, payload: dict[str, Any]) -> int:
    """Send ``payload`` (a small JSON object: ids and counters, under 8 KB) to the
    subscribers of ``topic`` in every process; returns how many local subscribers got it
    (0 when publishing failed, which is logged)."""
    try:
        delivered: int = await kernel.broadcaster.publish(topic, payload)
    except Exception:
        logger.exception("live: publishing on %s failed", topic)
        return 0
    return delivered


@asynccontextmanager
async def listen(kernel: Any, topic: str) -> AsyncIterator[Stream]:
    """Receive what is broadcast on ``topic`` from now on, while the block lasts::

        async with listen(kernel, topic) as stream:
            async for payload in stream:
                yield Progress.from_payload(payload)

    A slow listener skips stale payloads (the newest wins), never slows the publisher."""
    async with kernel.broadcaster.subscribe(topic) as stream:
        yield stream

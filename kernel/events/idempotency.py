"""Idempotent consumers: apply an event's effect once, however often it is delivered."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from kernel.events.sql import query

if TYPE_CHECKING:
    from kernel.runtime import Kernel

__all__ = ["once"]


@asynccontextmanager
async def once(kernel: Kernel, consumer: str, event_id: uuid.UUID | str) -> AsyncIterator[bool]:
    """A write transaction that records ``(consumer, event_id)`` as processed.

    Yields True the first time, False when the event was already processed. The marker and
    the block's own writes (``kernel.db.write()`` inside joins this transaction) commit
    together, or roll back together when the block raises::

        async with once(kernel, "loyalty.points", event.event_id) as first:
            if first:
                await add_points(kernel, event.member_id, event.total)

    Effects outside the database (e-mail, HTTP) are not covered: make those idempotent by
    passing ``event_id`` as the idempotency key to the other side.
    """
    async with kernel.db.write():
        rows = await query(
            kernel.db,
            "INSERT INTO events_processed (consumer, event_id, processed_at) VALUES ({}, {}, {}) "
            "ON CONFLICT (consumer, event_id) DO NOTHING RETURNING id",
            consumer,
            str(event_id),
            kernel.clock(),
        )
        yield bool(rows)

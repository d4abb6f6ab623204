"""Dead letters: deliveries that failed too often, listed and requeued by operators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kernel.events.sql import placeholders, query

if TYPE_CHECKING:
    from kernel.db import Database

__all__ = ["DeadLetter", "dead_letters", "retry_dead"]


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A dead delivery; ``id`` is what ``alliance events retry`` takes."""

    id: int
    consumer: str
    event_type: str
    event_id: str
    member_id: int
    attempts: int
    last_error: str
    updated_at: dt.datetime


async def dead_letters(
    db: Database, *, consumer: str | None = None, limit: int = 100
) -> list[DeadLetter]:
    """Dead deliveries, oldest event first."""
    where, args = "d.status = 'dead'", list[object]()
    if consumer is not None:
        where += " AND d.consumer = {}"
        args.append(consumer)
    rows = await query(
        db,
        "SELECT d.id, d.consumer, o.type, o.event_id, d.member_id, d.attempts, d.last_error, "
        "d.updated_at FROM events_delivery d JOIN events_outbox o ON o.id = d.outbox_id "
        f"WHERE {where} ORDER BY d.outbox_id, d.consumer LIMIT {{}}",
        *args,
        limit,
    )
    return [
        DeadLetter(
            id=row["id"],
            consumer=row["consumer"],
            event_type=row["type"],
            event_id=str(row["event_id"]),
            member_id=row["member_id"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            updated_at=row["updated_at"],
        )
        for row in rows
    ]


async def retry_dead(
    db: Database,
    now: dt.datetime,
    *,
    consumer: str | None = None,
    ids: Sequence[int] = (),
) -> int:
    """Requeue dead deliveries (all, or those of ``consumer`` and/or with ``ids``) with a fresh
    attempt budget; returns how many were requeued.

    A requeued delivery is again the oldest pending one of its (consumer, member): it is
    delivered before that member's later pending events, but after those already delivered
    while it was dead.
    """
    where, args = "status = 'dead'", list[object]()
    if consumer is not None:
        where += " AND consumer = {}"
        args.append(consumer)
    if ids:
        where += f" AND id IN ({placeholders(ids)})"
        args.extend(ids)
    async with db.write():
        rows = await query(
            db,
            "UPDATE events_delivery SET status = 'pending', attempts = 0, locked_until = NULL, "
            f"locked_by = '', next_attempt_at = {{}}, updated_at = {{}} WHERE {where} "
            "RETURNING id",
            now,
            now,
            *args,
        )
    return len(rows)

"""Delivery state in the database: fan-out, claims, and the outcome of each delivery.

A claim is one write transaction: first new outbox rows are fanned out into one delivery row
per subscribed consumer, then due deliveries are leased to this dispatcher. A delivery is due
when it is pending, its retry time has come, nobody holds an unexpired lease on it, and it is
the oldest pending delivery of its (consumer, member): that last rule orders each member's
events per consumer without holding up other members or other consumers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from kernel.events.bus import EventBus
from kernel.events.sql import placeholders, query

if TYPE_CHECKING:
    from kernel.db import Database

__all__ = ["Claim", "claim", "fan_out", "mark_done", "mark_failed", "mark_skipped"]

FAN_OUT_LOCK: Final = (0x0E7E, -1)  # advisory key: one fan-out at a time on PostgreSQL
MAX_ERROR_CHARS: Final = 2000


@dataclass(frozen=True, slots=True)
class Claim:
    """A leased delivery: one consumer, one event."""

    delivery_id: int
    outbox_id: int
    consumer: str
    plugin: str | None
    member_id: int
    attempts: int
    event_type: str
    payload: str


async def fan_out(db: Database, bus: EventBus, now: dt.datetime, *, limit: int = 500) -> int:
    """Create delivery rows for unfanned outbox rows (in id order); returns rows fanned."""
    if db.kind == "postgres":
        # Two concurrent fan-outs could commit a member's later event first: take turns.
        got = await query(db, "SELECT pg_try_advisory_xact_lock({}, {}) AS got", *FAN_OUT_LOCK)
        if not got[0]["got"]:
            return 0
    rows = await query(
        db,
        "SELECT id, type, member_id FROM events_outbox WHERE fanned_out = {} ORDER BY id LIMIT {}",
        False,
        limit,
    )
    if not rows:
        return 0
    values: list[str] = []
    args: list[object] = []
    for row in rows:
        for sub in bus.subscriptions(row["type"]):
            values.append("({}, {}, {}, {}, 'pending', 0, {}, '', '', {})")
            args += [row["id"], sub.consumer, sub.plugin, row["member_id"], now, now]
    # 6 bind parameters a row: chunk far below PostgreSQL's 32,767 limit.
    for start in range(0, len(values), 1000):
        chunk = values[start : start + 1000]
        await query(
            db,
            "INSERT INTO events_delivery (outbox_id, consumer, plugin, member_id, status, "
            "attempts, next_attempt_at, locked_by, last_error, updated_at) VALUES "
            + ", ".join(chunk)
            + " ON CONFLICT (consumer, outbox_id) DO NOTHING",
            *args[start * 6 : (start + len(chunk)) * 6],
        )
    ids = [row["id"] for row in rows]
    await query(
        db,
        f"UPDATE events_outbox SET fanned_out = {{}} WHERE id IN ({placeholders(ids)})",
        True,
        *ids,
    )
    return len(rows)


async def claim(
    db: Database,
    consumers: Sequence[str],
    *,
    now: dt.datetime,
    lease_until: dt.datetime,
    owner: str,
    limit: int,
) -> list[Claim]:
    """Lease up to ``limit`` due deliveries of ``consumers`` (call inside ``db.write()``)."""
    if not consumers:
        return []
    lock = " FOR UPDATE OF d SKIP LOCKED" if db.kind == "postgres" else ""
    rows = await query(
        db,
        "SELECT d.id, d.outbox_id, d.consumer, d.plugin, d.member_id, d.attempts, "
        "o.type, o.payload FROM events_delivery d JOIN events_outbox o ON o.id = d.outbox_id "
        f"WHERE d.status = 'pending' AND d.consumer IN ({placeholders(consumers)}) "
        "AND d.next_attempt_at <= {} AND (d.locked_until IS NULL OR d.locked_until <= {}) "
        "AND NOT EXISTS (SELECT 1 FROM events_delivery e WHERE e.consumer = d.consumer "
        "AND e.member_id = d.member_id AND e.status = 'pending' AND e.outbox_id < d.outbox_id) "
        "ORDER BY d.outbox_id LIMIT {}" + lock,
        *consumers,
        now,
        now,
        limit,
    )
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    await query(
        db,
        "UPDATE events_delivery SET locked_until = {}, locked_by = {}, attempts = attempts + 1, "
        f"updated_at = {{}} WHERE id IN ({placeholders(ids)})",
        lease_until,
        owner,
        now,
        *ids,
    )
    return [
        Claim(
            delivery_id=row["id"],
            outbox_id=row["outbox_id"],
            consumer=row["consumer"],
            plugin=row["plugin"],
            member_id=row["member_id"],
            attempts=row["attempts"] + 1,
            event_type=row["type"],
            payload=str(row["payload"]),
        )
        for row in rows
    ]


async def _finish(
    db: Database,
    item: Claim,
    owner: str,
    *,
    status: str,
    now: dt.datetime,
    next_attempt_at: dt.datetime | None = None,
    error: str = "",
) -> None:
    # Only the lease holder records an outcome: after a lease expired, the new holder decides.
    async with db.write():
        await query(
            db,
            "UPDATE events_delivery SET status = {}, locked_until = NULL, last_error = {}, "
            "next_attempt_at = {}, updated_at = {} WHERE id = {} AND locked_by = {} "
            "AND status = 'pending'",
            status,
            error[:MAX_ERROR_CHARS],
            next_attempt_at or now,
            now,
            item.delivery_id,
            owner,
        )


async def mark_done(db: Database, item: Claim, owner: str, now: dt.datetime) -> None:
    await _finish(db, item, owner, status="done", now=now)


async def mark_skipped(db: Database, item: Claim, owner: str, now: dt.datetime) -> None:
    await _finish(db, item, owner, status="skipped", now=now)


async def mark_failed(
    db: Database,
    item: Claim,
    owner: str,
    now: dt.datetime,
    *,
    error: str,
    retry_at: dt.datetime | None,
) -> None:
    """Schedule a retry at ``retry_at``, or dead-letter the delivery when it is None."""
    status = "pending" if retry_at is not None else "dead"
    await _finish(db, item, owner, status=status, now=now, next_attempt_at=retry_at, error=error)

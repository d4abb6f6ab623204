"""The transactional outbox: ``publish`` stores an event in the caller's transaction.

CONTRACT: ``publish`` is called INSIDE the caller's ``kernel.db.write()`` transaction; the
event is delivered to subscribers only after that transaction commits, never after a rollback.

Waking the dispatcher: on SQLite the local dispatchers are signalled at once; their next claim
needs the write lock the publisher holds, so it runs after the commit and sees the event. On
PostgreSQL ``pg_notify`` inside the transaction is delivered by the server only at commit (and
to every process), which is exactly an after-commit signal. Elsewhere, dispatchers poll.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from kernel.db.bulk import insert_rows
from kernel.events.base import Event
from kernel.events.sql import query
from kernel.events.tables import Outbox

if TYPE_CHECKING:
    from kernel.db import Database
    from kernel.runtime import Kernel

__all__ = ["NOTIFY_CHANNEL", "add_wakeup", "publish", "publish_many", "remove_wakeup"]

NOTIFY_CHANNEL: Final = "alliance_events"
# Namespace of the per-member advisory lock (the two-key form: namespace, member).
MEMBER_LOCK_NAMESPACE: Final = 0x0E7E
_INT4: Final = 2**31

_wakeups: weakref.WeakKeyDictionary[Database, set[asyncio.Event]] = weakref.WeakKeyDictionary()


def add_wakeup(db: Database, signal: asyncio.Event) -> None:
    """Set ``signal`` whenever an event is published through ``db`` in this process."""
    _wakeups.setdefault(db, set()).add(signal)


def remove_wakeup(db: Database, signal: asyncio.Event) -> None:
    _wakeups.get(db, set()).discard(signal)


async def publish(kernel: Kernel, event: Event) -> None:
    """Store ``event`` in the outbox within the current transaction.

    On PostgreSQL this also takes a per-member advisory lock until the transaction ends, so
    that a member's outbox ids are taken in commit order (delivery is ordered by them).
    """
    db = kernel.db
    async with db.write():
        if db.kind == "postgres":
            await query(
                db,
                "SELECT pg_advisory_xact_lock({}, {})::text AS locked, pg_notify({}, '')::text",
                MEMBER_LOCK_NAMESPACE,
                event.member_id % _INT4,
                NOTIFY_CHANNEL,
            )
        await query(
            db,
            "INSERT INTO events_outbox (event_id, type, member_id, payload, occurred_at, "
            "published_at, fanned_out) VALUES ({}, {}, {}, {}, {}, {}, {})",
            str(event.event_id),
            event.type,
            event.member_id,
            event.model_dump_json(),
            event.occurred_at,
            kernel.clock(),
            False,
        )
    if db.kind == "sqlite":
        for signal in _wakeups.get(db, ()):
            signal.set()


async def publish_many(kernel: Kernel, events: Sequence[Event]) -> None:
    """:func:`publish` for many events at once (a batch of orders): the same contract, one
    lock per member and one ``INSERT`` (:func:`~kernel.db.bulk.insert_rows`) instead of two
    statements per event. Events keep their order (per member, delivery follows it)."""
    if not events:
        return
    db = kernel.db
    now = kernel.clock()
    async with db.write():
        if db.kind == "postgres":
            # Ascending member order: two batches never wait on each other crosswise.
            for member in sorted({event.member_id % _INT4 for event in events}):
                await query(
                    db,
                    "SELECT pg_advisory_xact_lock({}, {})::text AS locked, pg_notify({}, '')::text",
                    MEMBER_LOCK_NAMESPACE,
                    member,
                    NOTIFY_CHANNEL,
                )
        await insert_rows(
            db,
            Outbox,
            [
                {
                    "event_id": str(event.event_id),
                    "type": event.type,
                    "member_id": event.member_id,
                    "payload": event.model_dump_json(),
                    "occurred_at": event.occurred_at,
                    "published_at": now,
                    "fanned_out": False,
                }
                for event in events
            ],
        )
    if db.kind == "sqlite":
        for signal in _wakeups.get(db, ()):
            signal.set()

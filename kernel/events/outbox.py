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
import datetime as dt
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from kernel.db.bulk import insert_rows
from kernel.events.base import Event
from kernel.events.sql import query
from kernel.events.tables import Outbox

if TYPE_CHECKING:
    from kernel.db import Database
    from kernel.runtime import Kernel

__all__ = [
    "NOTIFY_CHANNEL",
    "add_wakeup",
    "publish",
    "publish_many",
    "remove_wakeup",
    "unheard",
]

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


async def publish_many(
    kernel: Kernel, events: Sequence[Event], *, memo: dict[str, Any] | None = None
) -> None:
    """:func:`publish` for many events at once (a batch of orders): the same contract, one
    lock per member and one ``INSERT`` (:func:`~kernel.db.bulk.insert_rows`) instead of two
    statements per event. Events keep their order (per member, delivery follows it).

    :param memo: the request's memo, when it has read the members' enabled plugins: events
        that no consumer will take (each subscriber is a plugin the member has not enabled)
        are then stored as already fanned out, with no lock and no wake-up (:func:`unheard`).
    """
    if not events:
        return
    quiet = unheard(kernel, events, memo)
    db = kernel.db
    now = kernel.clock()
    async with db.write():
        if db.kind == "postgres" and not quiet:
            # Ascending member order: two batches never wait on each other crosswise.
            for member in sorted({event.member_id % _INT4 for event in events}):
                await query(
                    db,
                    "SELECT pg_advisory_xact_lock({}, {})::text AS locked, pg_notify({}, '')::text",
                    MEMBER_LOCK_NAMESPACE,
                    member,
                    NOTIFY_CHANNEL,
                )
        await insert_rows(db, Outbox, _rows(events, now, fanned_out=quiet))
    if db.kind == "sqlite" and not quiet:
        for signal in _wakeups.get(db, ()):
            signal.set()


def unheard(kernel: Kernel, events: Sequence[Event], memo: dict[str, Any] | None) -> bool:
    """Whether no consumer will take any of ``events``: every subscriber of each is a
    plugin that the event's member has not enabled, as the publisher's request read the
    member's plugins (``memo``; without it, or if it holds no answer for a member: False).

    Such events need no delivery rows, so nothing orders them: they are stored already
    fanned out, without the member lock, and no dispatcher is woken (a flash sale of a
    seller using no subscribing plugin costs the dispatchers nothing). The answer is the
    plugin set the request started with, as the gate at fan-out would have given it a few
    milliseconds later; a plugin enabled in between starts with the next event.
    """
    if memo is None:
        return False
    from kernel.plugins.gate import remembered_enabled  # plugins build on events

    for event in events:
        enabled = None
        for subscription in kernel.events.subscriptions(event.type):
            if subscription.plugin is None:
                return False
            if enabled is None:
                enabled = remembered_enabled(memo, event.member_id)
                if enabled is None:
                    return False
            if subscription.plugin in enabled:
                return False
    return True


def _rows(events: Sequence[Event], now: dt.datetime, *, fanned_out: bool) -> list[dict[str, Any]]:
    return [
        {
            "event_id": str(event.event_id),
            "type": event.type,
            "member_id": event.member_id,
            "payload": event.model_dump_json(),
            "occurred_at": event.occurred_at,
            "published_at": now,
            "fanned_out": fanned_out,
        }
        for event in events
    ]

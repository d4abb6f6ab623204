"""The events part's tables: the outbox, each consumer's delivery state, processed markers.

The outbox is written in the publisher's transaction; deliveries are created from it by the
dispatcher (one row per subscribed consumer) and carry the retry state. All queries on these
tables live in :mod:`kernel.events.store` and :mod:`kernel.events.letters`.
"""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["Delivery", "Outbox", "Processed"]


class Outbox(Table, tablename="events_outbox"):
    """One published event. ``id`` orders a member's events (ids are taken in commit order
    per member: see :func:`kernel.events.outbox.publish`)."""

    id = Serial(primary_key=True)
    event_id = Varchar(length=36, unique=True)
    type = Varchar(length=200, index=True)
    member_id = BigInt(index=True)
    payload = JSON()
    occurred_at = Timestamptz()
    published_at = Timestamptz()
    # False until the dispatcher has created this event's delivery rows.
    fanned_out = Boolean(default=False, index=True)


class Delivery(Table, tablename="events_delivery"):
    """One consumer's delivery of one outbox event: pending, done, skipped or dead."""

    id = Serial(primary_key=True)
    outbox_id = BigInt(index=True)
    consumer = Varchar(length=200)
    plugin = Varchar(length=100, null=True, default=None)
    member_id = BigInt()
    status = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    # A claim is a lease: a dispatcher that dies mid-delivery loses it when it expires.
    locked_until = Timestamptz(null=True, default=None)
    locked_by = Varchar(length=100, default="")
    last_error = Text(default="")
    updated_at = Timestamptz()

    unique_together = (("consumer", "outbox_id"),)


class Processed(Table, tablename="events_processed"):
    """Which consumer has applied which event (see :func:`kernel.events.once`)."""

    id = Serial(primary_key=True)
    consumer = Varchar(length=200)
    event_id = Varchar(length=36)
    processed_at = Timestamptz()

    unique_together = (("consumer", "event_id"),)

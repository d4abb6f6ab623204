"""Delivery state in the database: fan-out, claims, and the outcome of each delivery.

A claim is one write transaction: first new outbox rows are fanned out into one delivery row
per subscribed consumer, then due deliveries are leased to this dispatcher. A delivery is due
when it is pending, its retry time has come, nobody holds an unexpired lease on it, and it is
the oldest pending delivery of its (consumer, member): that last rule orders each member's
events per consumer without holding up other members or other consumers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from kernel.events.bus import EventBus
from kernel.events.sql import placeholders, query

if TYPE_CHECKING:
    from kernel.db import Database

__all__ = ["Claim", "Gate", "GateAnswers", "Outcome", "claim", "fan_out", "record"]

FAN_OUT_LOCK: Final = (0x0E7E, -1)  # advisory key: one fan-out at a time on PostgreSQL
MAX_ERROR_CHARS: Final = 2000


Gate = Callable[[str, int], Awaitable[bool]]
"""``async gate(plugin, member_id) -> bool``: whether ``plugin`` is enabled for the member."""


class GateAnswers:
    """A gate asked once per (plugin, member): for one fan-out, or one round's deliveries."""

    def __init__(self, gate: Gate) -> None:
        self._gate = gate
        self._known: dict[tuple[str, int], bool] = {}

    async def __call__(self, plugin: str, member_id: int) -> bool:
        key = (plugin, member_id)
        if key not in self._known:
            self._known[key] = await self._gate(plugin, member_id)
        return self._known[key]


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


async def fan_out(
    db: Database,
    bus: EventBus,
    now: dt.datetime,
    *,
    gate: Gate | None = None,
    limit: int = 500,
) -> int:
    """Create delivery rows for unfanned outbox rows (in id order); returns rows fanned.

    With ``gate``, a delivery to a plugin's consumer for a member that has not enabled the
    plugin is written ``skipped`` at once: nothing to claim, lease or record for it (a
    flash sale's orders, say, reach only the plugins the seller uses)."""
    if db.kind == "postgres":
        # Two concurrent fan-outs could commit a member's later event first: take turns.
        got = await query(db, "SELECT pg_try_advisory_xact_lock({}, {}) AS got", *FAN_OUT_LOCK)
        if not got[0]["got"]:
            return 0
    rows = await query(
        db,
        # A literal FALSE, so the partial index of unfanned rows applies to every plan.
        "SELECT id, type, member_id FROM events_outbox WHERE fanned_out = FALSE "
        "ORDER BY id LIMIT {}",
        limit,
    )
    if not rows:
        return 0
    values: list[str] = []
    args: list[object] = []
    enabled = GateAnswers(gate) if gate is not None else None
    for row in rows:
        for sub in bus.subscriptions(row["type"]):
            status = "pending"
            if sub.plugin is not None and enabled is not None:
                status = "pending" if await enabled(sub.plugin, row["member_id"]) else "skipped"
            values.append("({}, {}, {}, {}, {}, 0, {}, '', '', {})")
            args += [row["id"], sub.consumer, sub.plugin, row["member_id"], status, now, now]
    # 7 bind parameters a row: chunk far below PostgreSQL's 32,767 limit.
    for start in range(0, len(values), 1000):
        chunk = values[start : start + 1000]
        await query(
            db,
            "INSERT INTO events_delivery (outbox_id, consumer, plugin, member_id, status, "
            "attempts, next_attempt_at, locked_by, last_error, updated_at) VALUES "
            + ", ".join(chunk)
            + " ON CONFLICT (consumer, outbox_id) DO NOTHING",
            *args[start * 7 : (start + len(chunk)) * 7],
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
    run: int = 1,
) -> list[Claim]:
    """Lease due deliveries of ``consumers`` (call inside ``db.write()``): up to ``limit``
    heads (a head is its (consumer, member)'s oldest pending delivery), each with up to
    ``run - 1`` of the deliveries queued behind it, in outbox order. A busy member's backlog
    then drains ``run`` events a round instead of one; order per (consumer, member) holds
    because a run is delivered in order and nobody else can claim behind a leased head."""
    if not consumers:
        return []
    lock = " FOR UPDATE OF d SKIP LOCKED" if db.kind == "postgres" else ""
    # The head of each queue: its least pending outbox id (read off the partial index of
    # pending deliveries, so the cost follows the pending backlog, not the history).
    # ``d.status = 'pending'`` again outside: a row locked after another dispatcher finished
    # it is re-checked against it and skipped.
    heads = await query(
        db,
        f"SELECT {_CLAIM_COLUMNS} FROM (SELECT consumer, member_id, MIN(outbox_id) AS head "
        "FROM events_delivery WHERE status = 'pending' "
        f"AND consumer IN ({placeholders(consumers)}) GROUP BY consumer, member_id) h "
        "JOIN events_delivery d ON d.consumer = h.consumer AND d.outbox_id = h.head "
        "JOIN events_outbox o ON o.id = d.outbox_id WHERE d.status = 'pending' "
        "AND d.next_attempt_at <= {} AND (d.locked_until IS NULL OR d.locked_until <= {}) "
        "ORDER BY d.outbox_id LIMIT {}" + lock,
        *consumers,
        now,
        now,
        limit,
    )
    if not heads:
        return []
    rows = heads + (await _followers(db, heads, now, run) if run > 1 else [])
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
    claims = [
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
    claims.sort(key=lambda c: c.outbox_id)
    return claims


_CLAIM_COLUMNS: Final = (
    "d.id, d.outbox_id, d.consumer, d.plugin, d.member_id, d.attempts, d.next_attempt_at, "
    "d.locked_until, o.type, o.payload"
)


async def _followers(
    db: Database, heads: list[dict[str, Any]], now: dt.datetime, run: int
) -> list[dict[str, Any]]:
    """The deliveries queued behind each head, up to the first one not claimable now (due
    later after a failure, or leased)."""
    parts, args = [], []
    for head in heads:
        parts.append(
            f"SELECT * FROM (SELECT {_CLAIM_COLUMNS} FROM events_delivery d "
            "JOIN events_outbox o ON o.id = d.outbox_id WHERE d.consumer = {} "
            "AND d.member_id = {} AND d.status = 'pending' AND d.outbox_id > {} "
            "ORDER BY d.outbox_id LIMIT {}) AS f"
        )
        args += [head["consumer"], head["member_id"], head["outbox_id"], run - 1]
    found = await query(db, " UNION ALL ".join(parts), *args)
    followers: list[dict[str, Any]] = []
    blocked: set[tuple[str, int]] = set()
    for row in sorted(found, key=lambda r: r["outbox_id"]):
        key = (row["consumer"], row["member_id"])
        if key in blocked:
            continue
        due = _aware(row["next_attempt_at"]) <= now
        free = row["locked_until"] is None or _aware(row["locked_until"]) <= now
        if due and free:
            followers.append(row)
        else:
            blocked.add(key)
    return followers


def _aware(value: dt.datetime | str) -> dt.datetime:
    """A timestamp as read back: SQLite returns text (or a naive value) in UTC."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one claimed delivery ended: ``done``, ``skipped``, ``pending`` (retry at
    ``retry_at``), ``dead``, or ``released`` (never attempted: the run stopped before it)."""

    claim: Claim
    status: str
    error: str = ""
    retry_at: dt.datetime | None = None


async def record(db: Database, owner: str, now: dt.datetime, outcomes: Sequence[Outcome]) -> None:
    """Record a round's outcomes in one transaction. Only the lease holder records: after a
    lease expired, the new holder decides (the ``locked_by`` condition)."""
    plain: dict[str, list[int]] = {}
    async with db.write():
        for outcome in outcomes:
            if outcome.status in ("done", "skipped", "released"):
                plain.setdefault(outcome.status, []).append(outcome.claim.delivery_id)
                continue
            await query(
                db,
                "UPDATE events_delivery SET status = {}, locked_until = NULL, last_error = {}, "
                "next_attempt_at = {}, updated_at = {} WHERE id = {} AND locked_by = {} "
                "AND status = 'pending'",
                outcome.status,
                outcome.error[:MAX_ERROR_CHARS],
                outcome.retry_at or now,
                now,
                outcome.claim.delivery_id,
                owner,
            )
        for status, ids in plain.items():
            if status == "released":  # back in the queue as it was: no attempt was made
                change = "attempts = attempts - 1"
                args: list[object] = []
            else:
                change = "status = {}, last_error = '', next_attempt_at = {}"
                args = [status, now]
            await query(
                db,
                f"UPDATE events_delivery SET {change}, locked_until = NULL, updated_at = {{}} "
                f"WHERE id IN ({placeholders(ids)}) AND locked_by = {{}} AND status = 'pending'",
                *args,
                now,
                *ids,
                owner,
            )

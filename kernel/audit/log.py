"""The audit log: append-only and hash-chained (see docs/audit.md).

CONTRACT (callers rely on it): ``append`` is called INSIDE the caller's ``kernel.db.write()``
transaction, so the entry commits or rolls back with the change it records.

There is deliberately no function that changes or removes an entry: the log is append-only
through every API, and triggers refuse UPDATE and DELETE at the database as well.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, Final, NamedTuple

from piccolo.engine.sqlite import TransactionType

from kernel.audit.chain import GENESIS_HASH, canonical_json, entry_hash
from kernel.audit.tables import AuditEntry
from kernel.identity.principal import Principal

__all__ = ["Entry", "Head", "append", "entries", "head", "recent"]

# The actor of entries made by the kernel itself (CLI commands, migrations, jobs).
SYSTEM_ACTOR: Final = "system"
# pg_advisory_xact_lock key serialising appenders: the first 8 bytes of sha256(b"kernel.audit").
_APPEND_LOCK_KEY: Final = 5721725843985113713


class Head(NamedTuple):
    """The last entry's position and hash: record it outside the database to anchor the log
    (a chain alone cannot show that its newest entries were cut off)."""

    position: int
    hash: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored entry, as read back."""

    position: int
    occurred_at: dt.datetime
    actor: str
    action: str
    member_id: int | None
    subject: str
    details: str
    grant_id: int | None
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Entry:
        return cls(**{field.name: row[field.name] for field in fields(cls)})

    def computed_hash(self) -> str:
        """The hash this entry's stored fields call for (equal to ``hash`` unless tampered)."""
        return entry_hash(
            occurred_at=self.occurred_at,
            actor=self.actor,
            action=self.action,
            member_id=self.member_id,
            subject=self.subject,
            details=self.details,
            grant_id=self.grant_id,
            prev_hash=self.prev_hash,
        )


async def _lock_tail(db: Any) -> None:
    """Hold the right to append until the transaction ends, so the chain never forks.

    PostgreSQL: an advisory lock, not ``SELECT ... FOR UPDATE`` on the last row. FOR UPDATE
    locks nothing on an empty table, and a waiter re-checks only the row it waited for, so
    it would read the old tail after the holder commits and both would append the same
    position. After the advisory lock, the next statement's snapshot sees the new tail.
    SQLite: an IMMEDIATE transaction already holds the database's one write lock.
    """
    if db.kind == "postgres":
        await AuditEntry.raw("SELECT pg_advisory_xact_lock({})", _APPEND_LOCK_KEY)
        return
    current = db.engine.current_transaction.get()
    if current is not None and current.transaction_type is not TransactionType.immediate:
        # A deferred transaction reads without the write lock: two appenders could both
        # read the same tail. Refuse rather than fail later on the unique position.
        raise RuntimeError("audit.append needs a write transaction: use kernel.db.write()")


async def append(
    kernel: Any,
    *,
    actor: Principal | None,
    action: str,
    member_id: int | None = None,
    subject: str = "",
    details: Mapping[str, Any] | None = None,
    grant_id: int | None = None,
) -> None:
    """Append one entry. ``action`` is namespaced (``consent.read``, ``kernel.members.create``);
    ``grant_id`` names the consent grant a cross-member read relied on.

    :param actor: who acted; None for the kernel itself (recorded as ``system``).
    :param details: JSON-able data (Decimal, UUID, date and datetime are stored as strings),
        stored as canonical JSON.

    Joins the caller's ``kernel.db.write()`` transaction (or opens one when called outside
    any). It serialises appenders until that transaction ends: append late in it.
    """
    if not action:
        raise ValueError("an audit entry needs an action")
    details_text = canonical_json(dict(details or {}))
    db = kernel.db
    async with db.write():
        await _lock_tail(db)
        last = await (
            AuditEntry.select(AuditEntry.position, AuditEntry.hash)
            .order_by(AuditEntry.position, ascending=False)
            .first()
        )
        position = 1 if last is None else int(last["position"]) + 1
        prev_hash = GENESIS_HASH if last is None else str(last["hash"])
        values: dict[str, Any] = {
            "occurred_at": kernel.clock().astimezone(dt.UTC),
            "actor": SYSTEM_ACTOR if actor is None else actor.subject,
            "action": action,
            "member_id": member_id,
            "subject": subject,
            "details": details_text,
            "grant_id": grant_id,
            "prev_hash": prev_hash,
        }
        entry = AuditEntry(position=position, **values, hash=entry_hash(**values))
        await AuditEntry.insert(entry)


async def head(kernel: Any) -> Head:
    """The newest entry's (position, hash); ``(0, GENESIS_HASH)`` while the log is empty."""
    last = await (
        AuditEntry.select(AuditEntry.position, AuditEntry.hash)
        .order_by(AuditEntry.position, ascending=False)
        .first()
    )
    if last is None:
        return Head(0, GENESIS_HASH)
    return Head(int(last["position"]), str(last["hash"]))


async def entries(kernel: Any, *, after: int = 0, batch_size: int = 1000) -> AsyncIterator[Entry]:
    """Every entry after position ``after``, in order, read ``batch_size`` rows at a time
    (keyset pagination: memory stays flat however long the log is)."""
    while True:
        rows = await (
            AuditEntry.select()
            .where(AuditEntry.position > after)
            .order_by(AuditEntry.position)
            .limit(batch_size)
        )
        for row in rows:
            yield Entry.from_row(row)
        if len(rows) < batch_size:
            return
        after = int(rows[-1]["position"])


async def recent(kernel: Any, limit: int = 20) -> list[Entry]:
    """The newest ``limit`` entries, oldest first."""
    rows = await AuditEntry.select().order_by(AuditEntry.position, ascending=False).limit(limit)
    return [Entry.from_row(row) for row in reversed(rows)]

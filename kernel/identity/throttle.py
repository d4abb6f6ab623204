"""Login throttling per account: 10 consecutive failures in 15 minutes lock further attempts.

Every login attempt is *reserved* before the password is verified: in one write transaction
the recent attempts of the account are read and a row for this attempt is inserted as a
failure. The verification (argon2, ~100 ms) happens afterwards, outside any transaction, and a
success flips the row. Reserving first is what makes the limit hold under concurrency: two
attempts racing for the account's last free slot are serialised (SQLite: the IMMEDIATE
transaction holds the database's write lock; PostgreSQL: a transaction-scoped advisory lock on
the account), so at most :data:`MAX_FAILURES` passwords are ever checked per window, however
the attempts arrive (one request each, 15 aliases in one document, or in parallel).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from kernel.identity.tables import LoginAttempt

__all__ = [
    "MAX_FAILURES",
    "THROTTLE_WINDOW",
    "Reservation",
    "mark_succeeded",
    "reserve_attempt",
]

MAX_FAILURES: Final = 10
THROTTLE_WINDOW: Final = dt.timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Reservation:
    """One recorded attempt: its row id and whether the account was already locked."""

    attempt_id: int
    locked: bool


async def _lock_account(kernel: Any, account: str) -> None:
    # SQLite needs nothing: the IMMEDIATE write transaction is already exclusive.
    if kernel.db.kind == "postgres":
        await LoginAttempt.raw("SELECT pg_advisory_xact_lock(hashtext({}))", account)


async def reserve_attempt(kernel: Any, account: str, *, now: dt.datetime) -> Reservation:
    """Record an attempt on ``account`` (as a failure until :func:`mark_succeeded`) and say
    whether the account is locked, in one write transaction.

    Locked means: the last :data:`MAX_FAILURES` attempts within :data:`THROTTLE_WINDOW` all
    failed. A success therefore resets the count, and a refused attempt is itself recorded as a
    failure, so an account under continuous attack stays locked until the attack pauses for a
    whole window.
    """
    async with kernel.db.write():
        await _lock_account(kernel, account)
        recent = (
            await LoginAttempt.select(LoginAttempt.succeeded)
            .where(
                (LoginAttempt.account == account)
                & (LoginAttempt.attempted_at > now - THROTTLE_WINDOW)
            )
            .order_by(LoginAttempt.id, ascending=False)
            .limit(MAX_FAILURES)
        )
        locked = len(recent) >= MAX_FAILURES and not any(row["succeeded"] for row in recent)
        rows = await LoginAttempt.insert(
            LoginAttempt(account=account, succeeded=False, attempted_at=now)
        ).returning(LoginAttempt.id)
    return Reservation(attempt_id=int(rows[0]["id"]), locked=locked)


async def mark_succeeded(attempt_id: int) -> None:
    """Flip a reserved attempt to a success (call inside the login's write transaction)."""
    await LoginAttempt.update({LoginAttempt.succeeded: True}).where(LoginAttempt.id == attempt_id)

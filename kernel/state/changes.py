"""Recording a change: the writing side of the kernel state version.

One statement increments the version and returns it (``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING``, both engines); then one row per changed domain goes to the log. The version
row stays locked (PostgreSQL) or the database write-locked (SQLite) until the transaction
ends, so versions commit in the order they are taken: a reader that sees version ``v``
sees every change numbered ``v`` or less.
"""

from __future__ import annotations

from kernel.state.tables import KernelState, StateChange

__all__ = ["EVERYTHING", "KEEP", "changed", "hold"]

# A change to anything processes cache (the default role definitions): they drop it all.
EVERYTHING = "*"
# Log rows kept. A process further behind drops all its caches (see tracker.MAX_GAP).
KEEP = 2000

_BUMP = (
    "INSERT INTO kernel_state (id, version) VALUES (1, {}) "
    "ON CONFLICT (id) DO UPDATE SET version = kernel_state.version + excluded.version "
    "RETURNING version"
)
# The same row lock, no increment: serialises a read-then-write that may end in a change.
_HOLD = (
    "INSERT INTO kernel_state (id, version) VALUES (1, 0) "
    "ON CONFLICT (id) DO UPDATE SET version = kernel_state.version"
)
_LOG = "INSERT INTO kernel_state_change (version, domain) VALUES "
_PRUNE = "DELETE FROM kernel_state_change WHERE version <= {}"


def _in_transaction() -> bool:
    return KernelState._meta.db.current_transaction.get() is not None


async def changed(*domains: str) -> int:
    """Record that ``domains`` changed, inside the write transaction making the change;
    returns the new version. Every process drops what it cached for them on its next request.

    Call it last in the transaction: the version row stays locked until commit, and
    concurrent changers queue on it. Changes are rare (roles, plugins, consent), never a hot
    path such as placing an order.
    """
    if not domains:
        raise ValueError("name at least one changed domain")
    if not _in_transaction():
        raise RuntimeError("record a change inside the transaction that makes it")
    wanted = sorted(set(domains))
    rows = await KernelState.raw(_BUMP, len(wanted))
    last = int(rows[0]["version"])
    first = last - len(wanted) + 1
    values = ", ".join("({}, {})" for _ in wanted)
    args = [value for i, domain in enumerate(wanted) for value in (first + i, domain)]
    await StateChange.raw(_LOG + values, *args)
    if last > KEEP:
        await StateChange.raw(_PRUNE, last - KEEP)
    return last


async def hold() -> None:
    """Take the version row's lock until the transaction ends, without a change: concurrent
    holders (and changers) queue behind it."""
    if not _in_transaction():
        raise RuntimeError("hold the state inside a write transaction")
    await KernelState.raw(_HOLD)

"""The kernel state version: one counter, and the log of what each increment changed.

Bumped (with :func:`kernel.state.changed`) by every transaction that changes what processes
cache across requests; read once per request by :class:`kernel.state.StateTracker`.
"""

from __future__ import annotations

from piccolo.columns import BigInt, Integer, Varchar
from piccolo.table import Table

__all__ = ["KernelState", "StateChange"]


class KernelState(Table, tablename="kernel_state"):
    """One row, ``id`` 1 (created by the first change): the committed state version."""

    id = Integer(primary_key=True)
    version = BigInt(default=0)


class StateChange(Table, tablename="kernel_state_change"):
    """Increment ``version`` changed ``domain`` (``member:<id>``, ``alliance:<id>``, or ``*``:
    anything). One row per increment, so versions in the log have no gaps; old rows are
    pruned."""

    version = BigInt(primary_key=True)
    domain = Varchar(length=64)

"""The kernel state version: what lets every process cache across requests and still see a
change made by any process on its very next request.

- **Write side** (:mod:`kernel.state.changes`): every transaction that changes something
  processes cache (roles and role assignments, a member's enabled plugins or their
  configuration, consent grants) calls :func:`changed` with the domains it changed
  (``member:<id>``, ``alliance:<id>``, ``*``), in that transaction, last.
- **Read side** (:mod:`kernel.state.tracker`): each request reads the version once
  (:meth:`StateTracker.current`, kept in the request's memo). Unchanged: the process's
  caches answer without a query. Moved: the changed domains are dropped first.

The caches are the authorizer's per-domain policies, each member's enabled plugins and the
consent grants between two members (see docs/performance.md).
"""

from __future__ import annotations

from kernel.state.changes import EVERYTHING, changed, hold
from kernel.state.tables import KernelState, StateChange
from kernel.state.tracker import StateCache, StateTracker, in_transaction, read_version, tracker

__all__ = [
    "EVERYTHING",
    "KernelState",
    "StateCache",
    "StateChange",
    "StateTracker",
    "changed",
    "hold",
    "in_transaction",
    "read_version",
    "tracker",
]

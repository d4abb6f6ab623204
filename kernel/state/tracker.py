"""Process-local caches kept exact by the kernel state version: the reading side.

A request reads the committed version once (one primary-key read, kept in the request's
``memo``). If the process has already seen that version, everything its caches hold is
current and is served without a query. If the version moved, the domains changed since
(one more read of the log) are dropped from every cache, and only those are read again; a
gap too long to fetch, a gap in the log or a change of ``*`` drops everything.

Two rules keep a cache from ever serving something older than a committed change:

- **Version first, rows second.** An entry may be stored only by a reader that read the
  version before the rows, and only while that version is still the tracker's (see
  :meth:`StateCache.put`): rows read later are never older than the version, and any change
  after it drops the entry when the tracker moves past it.
- **Never inside a transaction.** There a reader may see uncommitted rows that could still
  roll back, and a version number that a later commit could reuse: readers inside a
  transaction read the database (or, for the authorizer, use the caches only when the
  transaction's version equals the tracker's, i.e. it changed nothing yet), and store nothing.

One :class:`StateTracker` per :class:`~kernel.db.Database` (:func:`tracker`).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any, Generic, TypeVar

from kernel.state.changes import EVERYTHING
from kernel.state.tables import KernelState, StateChange

__all__ = ["MAX_GAP", "MEMO_KEY", "StateCache", "StateTracker", "in_transaction", "tracker"]

MEMO_KEY = "kernel.state"
# Past this many versions behind, dropping everything beats reading the log.
MAX_GAP = 500

_READ = "SELECT version FROM kernel_state WHERE id = 1"
_CHANGES = "SELECT domain FROM kernel_state_change WHERE version > {} AND version <= {}"

V = TypeVar("V")


def in_transaction() -> bool:
    """Whether this task is inside a database transaction (tables carry their engine)."""
    return KernelState._meta.db.current_transaction.get() is not None


async def read_version() -> int:
    """The committed state version (0 before the first change)."""
    rows = await KernelState.raw(_READ)
    return int(rows[0]["version"]) if rows else 0


class StateCache(Generic[V]):
    """A least-recently-used map of domain (``member:7``) -> value, whose entries the tracker
    drops when their domain changes."""

    def __init__(self, owner: StateTracker, max_entries: int) -> None:
        self._owner = owner
        self.max_entries = max_entries
        self._entries: OrderedDict[str, V] = OrderedDict()

    def get(self, domain: str) -> V | None:
        entry = self._entries.get(domain)
        if entry is not None:
            self._entries.move_to_end(domain)
        return entry

    def put(self, domain: str, value: V, version: int | None) -> bool:
        """Keep ``value``, read after reading ``version``, if the tracker is still at
        ``version`` (else a change it has already applied may be missing: keep nothing)."""
        if not self._owner.is_current(version):
            return False
        self._entries[domain] = value
        self._entries.move_to_end(domain)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return True

    def drop(self, domains: set[str]) -> None:
        for domain in domains:
            self._entries.pop(domain, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class StateTracker:
    """The version a process's caches are current at, and the caches it keeps so."""

    def __init__(self) -> None:
        # Every change up to this version has been applied to the caches (None: nothing
        # read yet, so nothing cached).
        self.version: int | None = None
        self._caches: dict[str, StateCache[Any]] = {}

    def cache(self, name: str, max_entries: int) -> StateCache[Any]:
        """The cache called ``name`` (created on first use with ``max_entries``)."""
        found = self._caches.get(name)
        if found is None:
            found = self._caches[name] = StateCache(self, max_entries)
        return found

    def is_current(self, version: int | None) -> bool:
        """Whether rows read after reading ``version`` may be cached now."""
        return version is not None and version == self.version and not in_transaction()

    async def current(self, memo: dict[Any, Any] | None = None) -> int | None:
        """The version this request's cache reads are valid at (read once per request with
        ``memo``), the caches brought up to it first. Inside a transaction: the version
        the transaction sees if the caches are at it (it changed nothing they hold), else
        None (read the database)."""
        if in_transaction():
            version = await read_version()
            return version if version == self.version else None
        if memo is not None:
            known: int | None = memo.get(MEMO_KEY)
            if known is not None:
                return known
        version = await self._sync()
        if memo is not None:
            memo[MEMO_KEY] = version
        return version

    async def adopt(self, version: int, memo: dict[Any, Any]) -> None:
        """Make ``version``, read by the request at its start together with something else
        (authentication reads it with the session), the request's version: the caches are
        brought up to it and ``memo`` remembers it. Inside a transaction, nothing is adopted
        (readers there read the database)."""
        if in_transaction():
            return
        memo[MEMO_KEY] = await self._sync(version)

    async def _sync(self, version: int | None = None) -> int:
        if version is None:
            version = await read_version()
        known = self.version
        if known == version:
            return version
        if known is None or version < known or version - known > MAX_GAP:
            # First read, a database reset, or too far behind.
            self._forget(None)
            self.version = version
            return version
        rows = await StateChange.raw(_CHANGES, known, version)
        domains = {str(row["domain"]) for row in rows}
        # Fewer rows than versions: the log was pruned past us meanwhile.
        complete = len(rows) == version - known and EVERYTHING not in domains
        self._forget(domains if complete else None)
        now = self.version
        # Another request may have moved the tracker while we read the log: never backwards.
        if now is not None and known <= now < version:
            self.version = version
        return version

    def _forget(self, domains: set[str] | None) -> None:
        for cache in self._caches.values():
            if domains is None:
                cache.clear()
            else:
                cache.drop(domains)


_TRACKERS: weakref.WeakKeyDictionary[Any, StateTracker] = weakref.WeakKeyDictionary()


def tracker(db: Any) -> StateTracker:
    """The tracker of ``db`` (a :class:`~kernel.db.Database`): one per database per process."""
    found = _TRACKERS.get(db)
    if found is None:
        found = _TRACKERS[db] = StateTracker()
    return found

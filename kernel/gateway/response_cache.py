"""Cached GraphQL answers, kept exact by data versions ("tags").

The hottest reads (a livestream's product list, asked by every resident watching it) are the
same document over the same data again and again, and executing ~700 fields in graphql-core
costs ~8 ms of CPU per answer where serving bytes costs well under one. So the fast path
(:mod:`kernel.gateway.fastpath`) may answer a query from a per-process cache, under rules that
make a stale answer impossible rather than unlikely:

- **Opt-in per root field.** A resolver calls :func:`depend` with the tags its whole answer
  (every field under it) depends on, e.g. ``groupbuy:<seller member id>``. An answer is stored
  only when *every* root field of the operation did so, it is a query (not a mutation), it has
  no errors, and the caller was authenticated by a bearer token or an API key.
- **Writers touch.** Every transaction that changes data under a tag calls :func:`touch` for
  it, inside the transaction (one upsert of ``kernel_cache_tag``), so the version moves when
  the change commits.
- **Version first, rows second.** :func:`depend` reads the tag's version *before* the
  resolver reads its rows; a change committed in between makes the stored version older than
  the database's, so the entry is never valid.
- **Checked on every hit.** Against the current versions of the entry's tags and the kernel
  state version (permissions, enabled plugins, consent): for a bearer token, read by
  authentication's own query (the token names the user before the database is asked, so the
  entry is found first); for an API key, by one more query. Any difference and the request
  executes as usual. The entry is per caller (user or API key), per schema, per document,
  variables and operation name.

Entries are bounded (:data:`MAX_ENTRIES` per process, least recently used dropped first;
answers over :data:`MAX_BODY` bytes are not kept).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import OperationType
from piccolo.columns import BigInt, Varchar
from piccolo.table import Table

from kernel.events.sql import query

__all__ = [
    "MAX_ENTRIES",
    "STATE_TAG",
    "VERSIONS_MEMO_KEY",
    "CacheTag",
    "Recorder",
    "ResponseCache",
    "adopt_tag_versions",
    "cache_depends",
    "cache_touch",
    "depend",
    "record_dependencies",
    "tag_version_columns",
    "touch",
]

MAX_ENTRIES: Final = 2_048
MAX_BODY: Final = 512 * 1024
MEMO_KEY: Final = "kernel.response_cache"
# The versions authentication read for the gateway (one round trip per cached answer).
VERSIONS_MEMO_KEY: Final = "kernel.response_cache.versions"
# The kernel state version's place among an entry's versions.
STATE_TAG: Final = "*kernel.state"
_QUERY: Final = OperationType.QUERY

_TOUCH: Final = (
    "INSERT INTO kernel_cache_tag (tag, version) VALUES ({}, 1) "
    "ON CONFLICT (tag) DO UPDATE SET version = kernel_cache_tag.version + 1"
)


class CacheTag(Table, tablename="kernel_cache_tag"):
    """The version of everything under one tag (``groupbuy:7``); no row = version 0."""

    tag = Varchar(length=200, primary_key=True)
    version = BigInt(default=0)


@dataclass(slots=True)
class Recorder:
    """What one request's resolvers declared: root fields that may be cached, and the tags
    (with the versions read) their answers depend on."""

    roots: set[str] = field(default_factory=set)
    tags: dict[str, int] = field(default_factory=dict)


def record_dependencies(memo: dict[Any, Any]) -> None:
    """This request's answer may be cached (the fast path, a cache, a caller it keys): from
    now on :func:`depend` reads and records the versions of the tags resolvers name."""
    memo[MEMO_KEY] = Recorder()


async def _versions(db: Any, tags: list[str]) -> dict[str, int]:
    """The committed versions of ``tags`` (0 for a tag never touched) and of the kernel
    state, in one query."""
    placeholders = ", ".join("{}" for _ in tags)
    sql = "SELECT 'x' AS tag, 0 AS version WHERE 1 = 0"
    if tags:
        sql = f"SELECT tag, version FROM kernel_cache_tag WHERE tag IN ({placeholders})"
    sql += f" UNION ALL SELECT '{STATE_TAG}' AS tag, version FROM kernel_state WHERE id = 1"
    rows = await query(db, sql, *tags)
    found = {tag: 0 for tag in tags}
    found[STATE_TAG] = 0
    for row in rows:
        found[str(row["tag"])] = int(row["version"])
    return found


def tag_version_columns(count: int) -> str:
    """Select-list entries reading ``count`` tags' versions (``{}`` placeholders, in order),
    for a query that has other work to do in the same round trip (authentication's)."""
    return "".join(
        f", (SELECT c.version FROM kernel_cache_tag c WHERE c.tag = {{}}) AS cache_tag_{i}"
        for i in range(count)
    )


def adopt_tag_versions(memo: dict[Any, Any], tags: list[str], row: dict[str, Any]) -> None:
    """Keep in ``memo`` the versions :func:`tag_version_columns` read into ``row``."""
    memo[VERSIONS_MEMO_KEY] = {tag: int(row[f"cache_tag_{i}"] or 0) for i, tag in enumerate(tags)}


async def depend(info: Any, *tags: str) -> None:
    """Declare, in a root field's resolver and before it reads its rows, that its whole answer
    depends on ``tags`` only: the answer may then be served from the cache until one of them
    is touched. Reads the tags' versions (one query; none when nothing may be cached: no
    cache, an anonymous caller, a transport that does not cache)."""
    context = info.context
    memo = getattr(context, "memo", None)
    if memo is None or info.path.prev is not None or info.operation.operation != _QUERY:
        return  # not the kernel's context, not a root field or not a query: never cached
    recorder: Recorder | None = memo.get(MEMO_KEY)
    if recorder is None or getattr(context, "principal", None) is None:
        return  # nothing may be cached for this request
    from kernel.state.tracker import in_transaction

    if in_transaction():
        return
    missing = [tag for tag in tags if tag not in recorder.tags]
    if missing:
        versions = await _versions(context.kernel.db, missing)
        for tag in missing:
            recorder.tags[tag] = versions[tag]
    recorder.roots.add(str(info.path.key))


async def touch(db: Any, *tags: str) -> None:
    """Move ``tags``' versions, inside the write transaction changing their data: every
    cached answer depending on them is stale once it commits."""
    if db.engine.current_transaction.get() is None:
        raise RuntimeError("touch a cache tag inside the transaction that changes its data")
    for tag in sorted(set(tags)):
        await query(db, _TOUCH, tag)


async def cache_depends(info: Any, *tags: str) -> None:
    """Let the answer of this root field be served from the response cache until one of
    ``tags`` is touched (see :func:`cache_touch`). Call it first in the resolver, before
    reading any row, and name every tag the field's whole answer depends on: every field under
    it, whoever asks. Queries by signed-in callers only; per caller."""
    await depend(info, *tags)


async def cache_touch(kernel: Any, *tags: str) -> None:
    """Inside the write transaction changing data under ``tags``: every cached answer
    depending on one of them is never served again once the transaction commits."""
    await touch(kernel.db, *tags)


@dataclass(frozen=True, slots=True)
class _Entry:
    versions: tuple[tuple[str, int], ...]  # the tags', then the kernel state's
    schema: int  # id() of the schema that executed it (introspection or not)
    admin: bool  # the caller was a platform admin
    status: int
    body: bytes

    @property
    def tags(self) -> list[str]:
        return [tag for tag, _ in self.versions if tag != STATE_TAG]


class ResponseCache:
    """A process's cached answers (see the module's docstring).

    Keys are ``(user id, API key id, document, variables, operation name)``: a bearer
    token's user is known from the token before the database is asked, so the fast path can
    :meth:`peek` first and have authentication's query read the entry's tag versions too
    (one round trip per hit). The schema and the caller's admin flag are checked on a hit.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def caller(context: Any) -> tuple[Any, Any] | None:
        """Whose the answer is, or None when nothing may be cached for this caller."""
        principal = getattr(context, "principal", None)
        if principal is None:
            return None
        return (principal.user_id, principal.api_key_id)

    def peek(self, key: tuple[Any, ...]) -> _Entry | None:
        """The entry stored for ``key``, not yet checked."""
        return self._entries.get(key)

    def answer(
        self,
        key: tuple[Any, ...],
        entry: _Entry,
        versions: dict[str, int],
        *,
        schema: Any,
        admin: bool,
    ) -> tuple[int, bytes] | None:
        """``entry``'s answer if ``versions`` (current ones, read by this request before
        anything else) are the entry's and the schema and caller match; else None, and the
        entry is dropped."""
        if (
            entry.schema == id(schema)
            and entry.admin == admin
            and all(versions.get(tag) == version for tag, version in entry.versions)
        ):
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.status, entry.body
        if self._entries.get(key) is entry:
            del self._entries[key]
        self.misses += 1
        return None

    async def lookup(
        self, db: Any, key: tuple[Any, ...], *, schema: Any, admin: bool
    ) -> tuple[int, bytes] | None:
        """The stored answer for ``key`` if it is still exact (one query), else None."""
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        current = await _versions(db, entry.tags)
        return self.answer(key, entry, current, schema=schema, admin=admin)

    def store(
        self,
        key: tuple[Any, ...],
        memo: dict[Any, Any],
        roots: set[str],
        state_version: int | None,
        *,
        schema: Any,
        admin: bool,
        status: int,
        body: bytes,
    ) -> bool:
        """Keep an answer whose root fields are ``roots`` if every one of them declared its
        tags (see :func:`depend`); returns whether it was kept."""
        recorder: Recorder | None = memo.get(MEMO_KEY)
        if (
            recorder is None
            or not roots
            or roots != recorder.roots
            or state_version is None
            or len(body) > MAX_BODY
        ):
            return False
        versions = (*sorted(recorder.tags.items()), (STATE_TAG, state_version))
        self._entries[key] = _Entry(versions, id(schema), admin, status, body)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return True

"""may_read answers from a per-process cache: exact at every request, expiry checked against
the clock at every check."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from kernel.consent import service
from kernel.consent.check import may_read
from kernel.db import bind_engine
from kernel.runtime import Kernel
from kernel.settings import Settings
from tests.factories import Factory
from tests.state import QueryCounter

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
async def second(kernel: Kernel, settings: Settings) -> AsyncIterator[Kernel]:
    """Another kernel on the same database, with caches of its own (rebind ours after)."""
    other = Kernel.from_settings(settings)
    await other.start()
    bind_engine(kernel.db.engine)
    try:
        yield other
    finally:
        bind_engine(kernel.db.engine)
        await other.stop()


def on(kernel: Kernel) -> Kernel:
    bind_engine(kernel.db.engine)
    return kernel


async def _pair(factory: Factory) -> tuple[int, int]:
    alliance = await factory.alliance()
    store = await factory.member(alliance)
    warehouse = await factory.member(alliance, kind="warehouse_operator")
    return store.id, warehouse.id


async def _grant(kernel: Kernel, store: int, warehouse: int, **fields: Any) -> int:
    row = await service.grant_consent(
        kernel,
        actor=None,
        grantor_member_id=store,
        grantee_member_id=warehouse,
        scope=fields.pop("scope", "orders:read"),
        purpose=fields.pop("purpose", "fulfilment"),
        legal_basis="contract",
        **fields,
    )
    return int(row["id"])


def _ask(store: int, warehouse: int, **fields: str) -> dict[str, Any]:
    return {
        "grantee_member_id": warehouse,
        "grantor_member_id": store,
        "scope": fields.get("scope", "orders:read"),
        "purpose": fields.get("purpose", "fulfilment"),
    }


async def test_an_expired_grant_is_refused_from_the_cache(
    kernel: Kernel, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    kernel.clock = lambda: NOW
    store, warehouse = await _pair(factory)
    grant = await _grant(kernel, store, warehouse, expires_at=NOW + dt.timedelta(hours=1))
    assert await may_read(kernel, **_ask(store, warehouse), memo={}) == grant  # cached now
    queries = QueryCounter(kernel, monkeypatch)
    kernel.clock = lambda: NOW + dt.timedelta(minutes=59, seconds=59)
    assert await may_read(kernel, **_ask(store, warehouse), memo={}) == grant
    kernel.clock = lambda: NOW + dt.timedelta(hours=1)
    assert await may_read(kernel, **_ask(store, warehouse), memo={}) is None
    kernel.clock = lambda: NOW + dt.timedelta(days=1)
    assert await may_read(kernel, **_ask(store, warehouse), memo={}) is None
    # Each request read the version only: the grant itself came from the cache.
    assert queries.count == 3, queries.statements


async def test_the_oldest_live_grant_is_named_when_an_older_one_expires(
    kernel: Kernel, factory: Factory
) -> None:
    kernel.clock = lambda: NOW
    store, warehouse = await _pair(factory)
    older = await _grant(kernel, store, warehouse, expires_at=NOW + dt.timedelta(minutes=5))
    newer = await _grant(kernel, store, warehouse)
    other_purpose = await _grant(kernel, store, warehouse, purpose="analytics")
    assert await may_read(kernel, **_ask(store, warehouse), memo={}) == older
    kernel.clock = lambda: NOW + dt.timedelta(minutes=6)
    assert await may_read(kernel, **_ask(store, warehouse), memo={}) == newer
    ask = _ask(store, warehouse, purpose="analytics")
    assert await may_read(kernel, **ask, memo={}) == other_purpose
    # The other direction has no grant (and caches that too).
    assert await may_read(kernel, **_ask(warehouse, store), memo={}) is None
    assert await may_read(kernel, **_ask(warehouse, store), memo={}) is None


async def test_grants_and_revocations_through_another_kernel_are_seen_next_request(
    kernel: Kernel, second: Kernel, factory: Factory
) -> None:
    store, warehouse = await _pair(factory)
    ask = _ask(store, warehouse)
    # "No grant" is cached too...
    assert await may_read(on(kernel), **ask, memo={}) is None
    assert await may_read(on(kernel), **ask, memo={}) is None
    # ...and a grant by another process replaces it on the next request.
    grant = await _grant(on(second), store, warehouse)
    assert await may_read(on(kernel), **ask, memo={}) == grant
    assert await may_read(on(kernel), **ask, memo={}) == grant
    await service.revoke_consent(on(second), actor=None, grantor_member_id=store, grant_id=grant)
    assert await may_read(on(kernel), **ask, memo={}) is None


async def test_a_grant_inside_a_rolled_back_transaction_is_never_cached(
    kernel: Kernel, factory: Factory
) -> None:
    store, warehouse = await _pair(factory)
    ask = _ask(store, warehouse)
    assert await may_read(kernel, **ask) is None
    with pytest.raises(RuntimeError):
        async with kernel.db.write():
            grant = await _grant(kernel, store, warehouse)
            assert await may_read(kernel, **ask) == grant
            raise RuntimeError("roll back")
    assert await may_read(kernel, **ask) is None
    assert await may_read(kernel, **ask, memo={}) is None

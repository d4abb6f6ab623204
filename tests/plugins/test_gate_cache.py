"""The per-request kernel overhead: permission + plugin gate + consent cost one query when warm,
and a change committed anywhere is still in force on the next request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from kernel.consent import service as consent
from kernel.consent.check import may_read
from kernel.db import bind_engine
from kernel.gateway.ids import encode_id
from kernel.identity.principal import Principal
from kernel.permissions.actions import member_domain
from kernel.plugins.gate import enabled_plugins
from kernel.plugins.service import disable_plugin, enable_plugin
from kernel.runtime import Kernel
from kernel.settings import Settings
from kernel.state import changed
from tests.factories import Factory
from tests.graphql_client import GraphQLClient
from tests.plugins.conftest import sample_host
from tests.state import QueryCounter

NOTE = "query($m: ID!) { alphaNote(memberId: $m) { text } }"
ASK = {"scope": "orders:read", "purpose": "fulfilment"}


@pytest.fixture
async def second(kernel: Kernel, settings: Settings) -> AsyncIterator[Kernel]:
    """Another kernel on the same database, with caches of its own, as another worker process
    would have. (Tables bind to one engine per process: rebind ours afterwards.)"""
    other = Kernel.from_settings(settings, plugins=sample_host())
    await other.start()
    bind_engine(kernel.db.engine)
    try:
        yield other
    finally:
        bind_engine(kernel.db.engine)
        await other.stop()


def on(kernel: Kernel) -> Kernel:
    """``kernel``, with the tables bound to its engine (its own connections and caches)."""
    bind_engine(kernel.db.engine)
    return kernel


async def _scene(kernel: Kernel, factory: Factory) -> tuple[int, int, Principal]:
    """A store (alpha enabled; its owner) and a warehouse it granted orders:read to."""
    alliance = await factory.alliance()
    store = await factory.member(alliance)
    warehouse = await factory.member(alliance, kind="warehouse_operator")
    owner = await factory.user()
    await factory.membership(store, owner, "owner")
    await enable_plugin(kernel, actor=None, member_id=store.id, slug="alpha")
    await consent.grant_consent(
        kernel,
        actor=None,
        grantor_member_id=warehouse.id,
        grantee_member_id=store.id,
        legal_basis="contract",
        **ASK,
    )
    return store.id, warehouse.id, Principal(user_id=owner.id, session_id="s")


async def _request(kernel: Kernel, store: int, warehouse: int, who: Principal) -> Any:
    """The three kernel checks of one request, on a fresh memo, as the benchmark asks them."""
    memo: dict[str, Any] = {}
    await kernel.authorizer.check(who, "kernel.members.read", member_id=store, memo=memo)
    enabled = await enabled_plugins(kernel, store, memo)
    grant = await may_read(
        kernel, grantee_member_id=store, grantor_member_id=warehouse, memo=memo, **ASK
    )
    # Asked again within the request: answered from the memo.
    assert await enabled_plugins(kernel, store, memo) == enabled
    assert await kernel.authorizer.allowed(who, "kernel.members.read", member_id=store, memo=memo)
    return enabled, grant


async def test_a_warm_request_costs_one_query_for_all_three_checks(
    kernel: Kernel, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, warehouse, who = await _scene(kernel, factory)
    first = await _request(kernel, store, warehouse, who)  # warms the process's caches
    assert first[0] == {"alpha"} and first[1] is not None
    queries = QueryCounter(kernel, monkeypatch)
    for _ in range(3):
        queries.reset()
        assert await _request(kernel, store, warehouse, who) == first
        assert queries.count == 1, queries.statements
        assert "kernel_state" in queries.statements[0]


async def test_after_a_change_only_the_changed_member_is_read_again(
    kernel: Kernel, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, warehouse, who = await _scene(kernel, factory)
    other = await factory.member()
    await _request(kernel, store, warehouse, who)
    queries = QueryCounter(kernel, monkeypatch)
    # Recorded as the services record them (they may also read the version themselves,
    # through hooks that look at the member's stack: here nothing does).
    async with kernel.db.write():
        await changed(member_domain(other.id))
    queries.reset()
    await _request(kernel, store, warehouse, who)
    # The version, then the log of what changed since: nothing about this store.
    assert queries.count == 2, queries.statements
    assert "kernel_state_change" in queries.statements[1]
    async with kernel.db.write():
        await changed(member_domain(store))
    queries.reset()
    await _request(kernel, store, warehouse, who)
    # The store changed: the version and the log, its policy (its roles and assignments;
    # the defaults stayed) and its plugins are read again; the warehouse's grants stayed.
    assert queries.count == 2 + 3, queries.statements
    async with kernel.db.write():
        await changed(member_domain(warehouse))
    queries.reset()
    await _request(kernel, store, warehouse, who)
    assert queries.count == 2 + 1, queries.statements


async def test_enabling_through_another_kernel_is_seen_on_the_next_request(
    kernel: Kernel, second: Kernel, factory: Factory
) -> None:
    member = await factory.member()
    assert await enabled_plugins(kernel, member.id, {}) == frozenset()
    assert await enabled_plugins(on(kernel), member.id, {}) == frozenset()  # cached now
    await enable_plugin(on(second), actor=None, member_id=member.id, slug="alpha")
    assert await enabled_plugins(on(kernel), member.id, {}) == {"alpha"}
    await disable_plugin(on(second), actor=None, member_id=member.id, slug="alpha")
    assert await enabled_plugins(on(kernel), member.id, {}) == frozenset()
    # A memo keeps one answer for the whole request, whatever commits meanwhile.
    memo: dict[str, Any] = {}
    assert await enabled_plugins(on(kernel), member.id, memo) == frozenset()
    await enable_plugin(on(second), actor=None, member_id=member.id, slug="alpha")
    assert await enabled_plugins(on(kernel), member.id, memo) == frozenset()
    assert await enabled_plugins(on(kernel), member.id, {}) == {"alpha"}


async def test_inside_a_transaction_the_gate_reads_the_database_and_caches_nothing(
    kernel: Kernel, factory: Factory
) -> None:
    member = await factory.member()
    assert await enabled_plugins(kernel, member.id) == frozenset()
    with pytest.raises(RuntimeError):
        async with kernel.db.write():
            await enable_plugin(kernel, actor=None, member_id=member.id, slug="alpha")
            # The transaction sees its own change...
            assert await enabled_plugins(kernel, member.id) == {"alpha"}
            raise RuntimeError("roll back")
    # ...and after the rollback nobody does.
    assert await enabled_plugins(kernel, member.id) == frozenset()
    assert await enabled_plugins(kernel, member.id, {}) == frozenset()


async def test_a_warm_graphql_request_costs_one_query(
    kernel: Kernel, gql: GraphQLClient, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end: the bearer token's session read, which brings the state version along
    (the permission check and the plugin gate share it): one query in all."""
    member = await factory.member()
    user = await factory.user()
    await factory.membership(member, user, "owner")
    await enable_plugin(kernel, actor=None, member_id=member.id, slug="alpha")
    token = (await factory.sign_in(user)).token
    variables = {"m": str(encode_id("Member", member.id))}
    assert (await gql(NOTE, variables, token=token)).ok()
    queries = QueryCounter(kernel, monkeypatch)
    assert (await gql(NOTE, variables, token=token)).ok()
    assert queries.count == 1, queries.statements
    assert "kernel_state" in queries.statements[0]
    await disable_plugin(kernel, actor=None, member_id=member.id, slug="alpha")
    assert (await gql(NOTE, variables, token=token)).code == "PLUGIN_DISABLED"

"""The SDK calls: may_read, live_grants / live_grantors and record_read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kernel.consent import service
from kernel.consent.check import live_grantors, live_grants, may_read, record_read
from kernel.consent.tables import ConsentGrant
from kernel.db.scoped import scoped
from kernel.runtime import Kernel
from kernel.tenancy.tables import Member
from tests.consent import record_audit
from tests.factories import Factory

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def audit(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    return record_audit(monkeypatch)


async def _members(factory: Factory, n: int) -> list[Member]:
    alliance = await factory.alliance()
    return [await factory.member(alliance) for _ in range(n)]


async def _grant(kernel: Kernel, grantor: int, grantee: int, **fields: Any) -> int:
    row = await service.grant_consent(
        kernel,
        actor=None,
        grantor_member_id=grantor,
        grantee_member_id=grantee,
        scope=fields.pop("scope", "orders:read"),
        purpose=fields.pop("purpose", "fulfilment"),
        legal_basis=fields.pop("legal_basis", "contract"),
        **fields,
    )
    return int(row["id"])


async def test_may_read_follows_scope_purpose_direction_and_time(
    kernel: Kernel, factory: Factory, audit: list[dict[str, Any]]
) -> None:
    kernel.clock = lambda: NOW
    store, warehouse = await _members(factory, 2)
    grant = await _grant(kernel, store.id, warehouse.id, expires_at=NOW + dt.timedelta(hours=1))

    async def ask(grantee: int, grantor: int, scope: str, purpose: str) -> int | None:
        return await may_read(
            kernel,
            grantee_member_id=grantee,
            grantor_member_id=grantor,
            scope=scope,
            purpose=purpose,
        )

    assert await ask(warehouse.id, store.id, "orders:read", "fulfilment") == grant
    assert await ask(store.id, warehouse.id, "orders:read", "fulfilment") is None
    assert await ask(warehouse.id, store.id, "orders:read", "analytics") is None
    assert await ask(warehouse.id, store.id, "residents:contact", "fulfilment") is None
    assert await ask(store.id, store.id, "orders:read", "fulfilment") is None
    kernel.clock = lambda: NOW + dt.timedelta(hours=1)  # expiry is exclusive
    assert await ask(warehouse.id, store.id, "orders:read", "fulfilment") is None
    with pytest.raises(ValueError):
        await ask(warehouse.id, store.id, "orders:write", "fulfilment")
    with pytest.raises(ValueError):
        await ask(warehouse.id, store.id, "orders:read", "resale")


async def test_a_naive_or_foreign_zone_expiry_is_stored_in_utc(
    kernel: Kernel, factory: Factory, audit: list[dict[str, Any]]
) -> None:
    kernel.clock = lambda: NOW
    store, warehouse = await _members(factory, 2)
    beijing = dt.timezone(dt.timedelta(hours=8))
    # 19:30 in Beijing is 11:30 UTC: already past at NOW (12:00 UTC).
    with pytest.raises(Exception, match="invalid consent grant"):
        await _grant(
            kernel,
            store.id,
            warehouse.id,
            expires_at=dt.datetime(2026, 5, 1, 19, 30, tzinfo=beijing),
        )
    await _grant(
        kernel, store.id, warehouse.id, expires_at=dt.datetime(2026, 5, 1, 21, 30, tzinfo=beijing)
    )
    await _grant(
        kernel, store.id, warehouse.id, purpose="pickup", expires_at=dt.datetime(2026, 5, 1, 12, 30)
    )
    kernel.clock = lambda: NOW + dt.timedelta(minutes=20)
    assert await live_grantors(
        kernel, grantee_member_id=warehouse.id, scope="orders:read", purpose="pickup"
    ) == {store.id}
    kernel.clock = lambda: NOW + dt.timedelta(minutes=40)
    assert (
        await live_grantors(
            kernel, grantee_member_id=warehouse.id, scope="orders:read", purpose="pickup"
        )
        == set()
    )
    assert await live_grantors(
        kernel, grantee_member_id=warehouse.id, scope="orders:read", purpose="fulfilment"
    ) == {store.id}


async def test_live_grantors_filters_a_query(
    kernel: Kernel, factory: Factory, audit: list[dict[str, Any]]
) -> None:
    store_a, store_b, store_c, warehouse = await _members(factory, 4)
    first = await _grant(kernel, store_a.id, warehouse.id)
    await _grant(kernel, store_a.id, warehouse.id)  # a second grant: the oldest one is named
    revoked = await _grant(kernel, store_b.id, warehouse.id)
    await service.revoke_consent(kernel, actor=None, grantor_member_id=store_b.id, grant_id=revoked)
    await _grant(kernel, store_c.id, warehouse.id, purpose="analytics")
    grants = await live_grants(
        kernel, grantee_member_id=warehouse.id, scope="orders:read", purpose="fulfilment"
    )
    assert grants == {store_a.id: first}
    grantors = await live_grantors(
        kernel, grantee_member_id=warehouse.id, scope="orders:read", purpose="fulfilment"
    )
    # The intended use: a plugin's member-scoped rows of those grantors only.
    rows = await Member.select(Member.id).where(Member.id.is_in(sorted(grantors)))
    assert [r["id"] for r in rows] == [store_a.id]


async def test_answers_hold_for_one_request(
    kernel: Kernel, factory: Factory, audit: list[dict[str, Any]]
) -> None:
    store, warehouse = await _members(factory, 2)
    grant = await _grant(kernel, store.id, warehouse.id)
    memo: dict[Any, Any] = {}
    ask = {
        "grantee_member_id": warehouse.id,
        "grantor_member_id": store.id,
        "scope": "orders:read",
        "purpose": "fulfilment",
    }
    assert await may_read(kernel, **ask, memo=memo) == grant
    await service.revoke_consent(kernel, actor=None, grantor_member_id=store.id, grant_id=grant)
    assert await may_read(kernel, **ask, memo=memo) == grant  # the same request
    assert await may_read(kernel, **ask, memo={}) is None  # the next request


async def test_record_read_names_the_grant_and_survives_revocation(
    kernel: Kernel, factory: Factory, audit: list[dict[str, Any]]
) -> None:
    store, warehouse = await _members(factory, 2)
    grant = await _grant(kernel, store.id, warehouse.id)
    await record_read(
        kernel,
        actor=None,
        grant_id=grant,
        grantor_member_id=store.id,
        grantee_member_id=warehouse.id,
        scope="orders:read",
        purpose="fulfilment",
        subject="Order:42",
    )
    await service.revoke_consent(kernel, actor=None, grantor_member_id=store.id, grant_id=grant)
    reads = [e for e in audit if e["action"] == "consent.read"]
    assert reads == [
        {
            "actor": None,
            "action": "consent.read",
            "member_id": store.id,
            "subject": "Order:42",
            "details": {"grantee": warehouse.id, "scope": "orders:read", "purpose": "fulfilment"},
            "grant_id": grant,
        }
    ]
    assert [e["action"] for e in audit] == ["consent.grant", "consent.read", "consent.revoke"]
    row = await scoped(ConsentGrant, store.id).select(ConsentGrant.revoked_by).first()
    assert row["revoked_by"] == "system"

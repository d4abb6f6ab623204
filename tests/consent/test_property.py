"""Consent allow/deny as a property: for random grants and random requests, a read is allowed
exactly when a live grant (not revoked, not expired at the clock) covers grantor, grantee,
scope and purpose; and the grant named is the oldest such one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel.consent.check import live_grants, may_read
from kernel.consent.tables import ConsentGrant
from kernel.db.scoped import unscoped
from kernel.permissions.actions import member_domain
from kernel.runtime import Kernel
from kernel.state import changed
from tests.factories import Factory

BASE = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
MEMBERS = 3
SCOPES = ["orders:read", "residents:contact"]
PURPOSES = ["fulfilment", "analytics"]
# Half seconds: stored times with and without a fraction must compare right on SQLite too.
OFFSETS = [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5]


@dataclass(frozen=True)
class Grant:
    grantor: int
    grantee: int
    scope: str
    purpose: str
    expires: float | None
    revoked: bool


@dataclass(frozen=True)
class Ask:
    grantee: int
    grantor: int
    scope: str
    purpose: str
    now: float


def _at(offset: float) -> dt.datetime:
    return BASE + dt.timedelta(seconds=offset)


member = st.integers(0, MEMBERS - 1)
grants = st.builds(
    Grant,
    member,
    member,
    st.sampled_from(SCOPES),
    st.sampled_from(PURPOSES),
    st.none() | st.sampled_from(OFFSETS),
    st.booleans(),
).filter(lambda g: g.grantor != g.grantee)
asks = st.builds(
    Ask,
    member,
    member,
    st.sampled_from(SCOPES),
    st.sampled_from(PURPOSES),
    st.sampled_from(OFFSETS),
)


@pytest.fixture
async def members(factory: Factory) -> list[int]:
    alliance = await factory.alliance()
    return [(await factory.member(alliance)).id for _ in range(MEMBERS)]


def _live(grant: Grant, ask: Ask) -> bool:
    return not grant.revoked and (grant.expires is None or grant.expires > ask.now)


@settings(
    database=None,
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(given_grants=st.lists(grants, max_size=8), asked=st.lists(asks, min_size=1, max_size=6))
async def test_allowed_exactly_when_a_live_grant_covers_the_read(
    kernel: Kernel, members: list[int], given_grants: list[Grant], asked: list[Ask]
) -> None:
    # Function-scoped fixtures are shared by every example: each starts from no grants.
    # Rows are written behind the service's back, so the change is recorded as it would be
    # (the grants every process caches are dropped); asking several times per example checks
    # expiry against the clock on cached grants.
    ids: list[int] = []
    async with kernel.db.write():
        await unscoped(ConsentGrant).delete(force=True)
        if given_grants:
            rows = (
                await unscoped(ConsentGrant)
                .insert(
                    *(
                        ConsentGrant(
                            member=members[g.grantor],
                            grantee=members[g.grantee],
                            scope=g.scope,
                            purpose=g.purpose,
                            legal_basis="contract",
                            data_categories=[],
                            created_by="system",
                            created_at=BASE - dt.timedelta(days=1),
                            expires_at=None if g.expires is None else _at(g.expires),
                            revoked_at=BASE - dt.timedelta(hours=1) if g.revoked else None,
                        )
                        for g in given_grants
                    )
                )
                .returning(ConsentGrant.id)
            )
            ids = [int(r["id"]) for r in rows]
        await changed(*(member_domain(m) for m in members))
    for ask in asked:
        kernel.clock = lambda ask=ask: _at(ask.now)  # type: ignore[misc]
        covering = [
            pk
            for pk, g in zip(ids, given_grants, strict=True)
            if (g.grantor, g.grantee, g.scope, g.purpose)
            == (ask.grantor, ask.grantee, ask.scope, ask.purpose)
            and _live(g, ask)
        ]
        expected = min(covering) if covering and ask.grantor != ask.grantee else None
        got = await may_read(
            kernel,
            grantee_member_id=members[ask.grantee],
            grantor_member_id=members[ask.grantor],
            scope=ask.scope,
            purpose=ask.purpose,
        )
        assert got == expected, (ask, given_grants)
        by_grantor: dict[int, int] = {}
        for pk, g in zip(ids, given_grants, strict=True):
            if (g.grantee, g.scope, g.purpose) == (ask.grantee, ask.scope, ask.purpose) and _live(
                g, ask
            ):
                by_grantor.setdefault(members[g.grantor], pk)
        listed = await live_grants(
            kernel, grantee_member_id=members[ask.grantee], scope=ask.scope, purpose=ask.purpose
        )
        assert listed == by_grantor, (ask, given_grants)

"""A small alliance for the plugin's tests, built through the kernel's own GraphQL fields.

Alliance "north": communities Garden (6 households, following Leader), Lake (1 household,
following Leader) and Hill (1 household, no leader); the street Office (owner, staff); Leader
(a group leader serving Garden and Lake); Store (serving Garden). Alliance "south": another
office with its own community and resident.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from alliance_sdk.testing import AllianceClient, AllianceFactory
from plugins.gov_notices.tables import (
    GovNoticesAck,
    GovNoticesForward,
    GovNoticesNotice,
    GovNoticesTarget,
)

SLUG = "gov_notices"
T0 = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)

SERVE = "mutation($m: ID!, $c: ID!) { serveCommunity(memberId: $m, communityId: $c) { id } }"
REGISTER = """mutation($c: ID!, $h: String!, $l: ID) {
  registerResident(communityId: $c, household: $h, leaderMemberId: $l) { household }
}"""
PUBLISH = """mutation($m: ID!, $input: GovNoticesInput!) {
  publishGovNotice(memberId: $m, input: $input) {
    id title category pinned wholeAlliance state publishAt expireAt attachments
    communities { id name }
  }
}"""
FEED = """query($first: Int! = 20) { govNoticesForMe(first: $first) {
  id title category pinned acknowledged forwarded officeName } }"""
ACK = "mutation($n: ID!) { acknowledgeGovNotice(noticeId: $n) { id acknowledged } }"
TO_FORWARD = """query($m: ID!) { govNoticesToForward(memberId: $m) {
  id title forwarded forwardCommunities { name } } }"""
FORWARD = """mutation($m: ID!, $n: ID!) { forwardGovNotice(memberId: $m, noticeId: $n) {
  id forwarded forwardCommunities { name } } }"""
REACH = """query($m: ID!, $n: ID!) { govNoticeReach(memberId: $m, noticeId: $n) {
  notice { id }
  communities { community { name } residentsTargeted acknowledgements
                leadersAndStoresServing forwardedBy } } }"""
CONTACTS = """query($m: ID!, $n: ID!, $first: Int) {
  govNoticeContacts(memberId: $m, noticeId: $n, first: $first) {
    nodes { id displayName household phone acknowledged community { name } }
    pageInfo { hasNextPage } } }"""
GRANT = """mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }"""


@dataclass
class World:
    client: AllianceClient
    factory: AllianceFactory
    kernel: Any
    alliance: Any = None
    office: Any = None
    office_owner: Any = None
    office_staff: Any = None
    leader: Any = None
    leader_owner: Any = None
    store: Any = None
    store_owner: Any = None
    garden: Any = None
    lake: Any = None
    hill: Any = None
    garden_residents: list[Any] = field(default_factory=list)
    lake_resident: Any = None
    hill_resident: Any = None
    south: Any = None
    south_office: Any = None
    south_owner: Any = None
    south_community: Any = None
    south_resident: Any = None

    def gid(self, type_name: str, row: Any) -> str:
        return self.client.gid(type_name, row)

    async def as_(self, user: Any | None) -> AllianceClient:
        """The client, acting as ``user`` (anonymous for None)."""
        if user is None:
            self.client.sign_out()
            return self.client
        token = await self.client.sign_in(user)
        # sign_in signs with the real clock; the kernel checks tokens against kernel.clock,
        # which these tests fix and move: sign the same session as of the kernel's now.
        session = self.kernel.tokens.decode_access(token).session_id
        self.client.token = self.kernel.tokens.issue_access(
            user_id=user.id, session_id=session, now=self.kernel.clock()
        )
        return self.client

    def at(self, when: dt.datetime) -> None:
        """Set the kernel's clock (tests move time instead of sleeping)."""
        self.kernel.clock = lambda: when

    async def call(
        self, user: Any | None, query: str, variables: dict[str, Any] | None = None
    ) -> Any:
        return await (await self.as_(user))(query, variables)

    async def publish(self, user: Any = None, office: Any = None, **fields: Any) -> dict[str, Any]:
        """Publish a notice (default: the office's owner, to Garden, a policy notice)."""
        office = office or self.office
        data: dict[str, Any] = {
            "title": "Notice",
            "body": "Body",
            "category": "POLICY",
            "communityIds": [self.gid("Community", self.garden)],
        }
        data.update(fields)
        result = await self.call(
            user or self.office_owner, PUBLISH, {"m": self.gid("Member", office), "input": data}
        )
        return dict(result.ok()["publishGovNotice"])

    async def feed(self, user: Any) -> list[dict[str, Any]]:
        return list((await self.call(user, FEED)).ok()["govNoticesForMe"])

    async def grant(self, grantor: Any, grantor_owner: Any, grantee: Any) -> str:
        result = await self.call(
            grantor_owner,
            GRANT,
            {
                "input": {
                    "grantorMemberId": self.gid("Member", grantor),
                    "granteeMemberId": self.gid("Member", grantee),
                    "scope": "residents:contact",
                    "purpose": "public-service",
                    "legalBasis": "consent",
                }
            },
        )
        return str(result.ok()["grantConsent"]["id"])


async def _serve(world: World, member: Any, owner: Any, *communities: Any) -> None:
    for community in communities:
        variables = {"m": world.gid("Member", member), "c": world.gid("Community", community)}
        (await world.call(owner, SERVE, variables)).ok()


async def _resident(world: World, community: Any, household: str, leader: Any = None) -> Any:
    user = await world.factory.user()
    variables = {
        "c": world.gid("Community", community),
        "h": household,
        "l": world.gid("Member", leader) if leader is not None else None,
    }
    (await world.call(user, REGISTER, variables)).ok()
    return user


async def _member(
    world: World, alliance: Any, kind: str, *, enable: bool = True
) -> tuple[Any, Any]:
    member = await world.factory.member(alliance, kind=kind)
    owner = await world.factory.user()
    await world.factory.membership(member, owner, "owner")
    if enable:
        await world.factory.enable_plugin(member, SLUG)
    return member, owner


@pytest.fixture
async def world(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: Any
) -> World:
    alliance_kernel.clock = lambda: T0
    w = World(client=alliance_client, factory=alliance_factory, kernel=alliance_kernel)
    f = alliance_factory
    w.alliance = await f.alliance(slug="north")
    w.garden = await f.community(w.alliance, name="Garden")
    w.lake = await f.community(w.alliance, name="Lake")
    w.hill = await f.community(w.alliance, name="Hill")
    w.office, w.office_owner = await _member(w, w.alliance, "government_office")
    w.office_staff = await f.user()
    await f.membership(w.office, w.office_staff, "staff")
    w.leader, w.leader_owner = await _member(w, w.alliance, "leader")
    await _serve(w, w.leader, w.leader_owner, w.garden, w.lake)
    w.store, w.store_owner = await _member(w, w.alliance, "store")
    await _serve(w, w.store, w.store_owner, w.garden)
    w.garden_residents = [
        await _resident(w, w.garden, f"Building {n}", w.leader) for n in range(1, 7)
    ]
    w.lake_resident = await _resident(w, w.lake, "Lake 1", w.leader)
    w.hill_resident = await _resident(w, w.hill, "Hill 1")
    w.south = await f.alliance(slug="south")
    w.south_community = await f.community(w.south, name="South Garden")
    w.south_office, w.south_owner = await _member(w, w.south, "government_office")
    w.south_resident = await _resident(w, w.south_community, "South 1")
    w.client.sign_out()
    return w


PLUGIN_TABLES = (GovNoticesNotice, GovNoticesTarget, GovNoticesForward, GovNoticesAck)


async def row_counts() -> dict[str, int]:
    """Rows in the plugin's tables and the audit log (to prove a call changed nothing)."""
    counts: dict[str, int] = {}
    for name in [t._meta.tablename for t in PLUGIN_TABLES] + ["kernel_audit_entry"]:
        rows = await GovNoticesNotice.raw(f'SELECT COUNT(*) AS n FROM "{name}"')
        counts[name] = int(rows[0]["n"])
    return counts


async def audit_reads() -> list[dict[str, Any]]:
    return list(
        await GovNoticesNotice.raw(
            "SELECT actor, action, member_id, subject, grant_id FROM kernel_audit_entry "
            "WHERE action = {} ORDER BY position",
            "consent.read",
        )
    )

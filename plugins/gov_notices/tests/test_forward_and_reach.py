"""Leaders and stores forward; the office sees reach as masked counts, and residents'
identities only under a residents:contact / public-service grant, each read audited."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from alliance_sdk import decode_id
from alliance_sdk.testing import CapturedEvents
from plugins.gov_notices.events import NoticeForwarded
from plugins.gov_notices.tests.conftest import (
    ACK,
    CONTACTS,
    FORWARD,
    REACH,
    TO_FORWARD,
    World,
    audit_reads,
    row_counts,
)

pytestmark = pytest.mark.alliance_plugins("plugins.gov_notices")

REVOKE = """mutation($m: ID!, $g: ID!) { revokeConsent(memberId: $m, grantId: $g) { id } }"""


async def _two_communities(world: World) -> dict[str, object]:
    garden, lake = world.gid("Community", world.garden), world.gid("Community", world.lake)
    return await world.publish(title="both", category="EMERGENCY", communityIds=[garden, lake])


async def test_leader_and_store_forward(world: World, captured_events: CapturedEvents) -> None:
    notice = await _two_communities(world)
    await world.publish(title="hill only", communityIds=[world.gid("Community", world.hill)])
    leader = world.gid("Member", world.leader)
    listed = (await world.call(world.leader_owner, TO_FORWARD, {"m": leader})).ok()
    assert listed["govNoticesToForward"] == [
        {
            "id": notice["id"],
            "title": "both",
            "forwarded": False,
            "forwardCommunities": [{"name": "Garden"}, {"name": "Lake"}],
        }
    ]
    await world.as_(world.leader_owner)
    results = await asyncio.gather(
        *(world.client(FORWARD, {"m": leader, "n": notice["id"]}) for _ in range(5))
    )
    assert all(r.ok()["forwardGovNotice"]["forwarded"] for r in results)
    store = world.gid("Member", world.store)
    marked = await world.call(world.store_owner, FORWARD, {"m": store, "n": notice["id"]})
    assert marked.ok()["forwardGovNotice"]["forwardCommunities"] == [{"name": "Garden"}]
    assert (await row_counts())["gov_notices_forward"] == 3  # leader x2 communities, store x1
    events = await captured_events.of(NoticeForwarded)
    assert sorted(e.forwarder_member_id for e in events) == sorted(
        [world.leader.id, world.store.id]
    )
    listed = (await world.call(world.leader_owner, TO_FORWARD, {"m": leader})).ok()
    assert listed["govNoticesToForward"][0]["forwarded"] is True


async def test_forwarding_a_notice_for_other_communities_is_not_found(world: World) -> None:
    notice = await world.publish(communityIds=[world.gid("Community", world.hill)])
    before = await row_counts()
    leader = world.gid("Member", world.leader)
    result = await world.call(world.leader_owner, FORWARD, {"m": leader, "n": notice["id"]})
    assert result.code == "NOT_FOUND"
    # The office itself is no forwarder.
    office = world.gid("Member", world.office)
    result = await world.call(world.office_owner, FORWARD, {"m": office, "n": notice["id"]})
    assert result.code == "NOT_FOUND"
    assert await row_counts() == before


async def test_reach_masks_small_resident_counts(world: World) -> None:
    notice = await _two_communities(world)
    office = world.gid("Member", world.office)
    variables = {"m": office, "n": notice["id"]}

    def by_name(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
        rows = data["govNoticeReach"]["communities"]
        return {r["community"]["name"]: r for r in rows}

    reach = by_name((await world.call(world.office_staff, REACH, variables)).ok())
    assert reach["Garden"] == {
        "community": {"name": "Garden"},
        "residentsTargeted": "6",
        "acknowledgements": "< 5",  # zero is small too
        "leadersAndStoresServing": 2,
        "forwardedBy": 0,
    }
    assert reach["Lake"]["residentsTargeted"] == "< 5"  # one household
    for resident in world.garden_residents[:4]:
        (await world.call(resident, ACK, {"n": notice["id"]})).ok()
    (await world.call(world.lake_resident, ACK, {"n": notice["id"]})).ok()
    leader = world.gid("Member", world.leader)
    await world.call(world.leader_owner, FORWARD, {"m": leader, "n": notice["id"]})
    reach = by_name((await world.call(world.office_staff, REACH, variables)).ok())
    assert reach["Garden"]["acknowledgements"] == "< 5"  # four
    assert reach["Lake"]["acknowledgements"] == "< 5"  # the single household
    assert reach["Garden"]["forwardedBy"] == 1 and reach["Lake"]["forwardedBy"] == 1
    (await world.call(world.garden_residents[4], ACK, {"n": notice["id"]})).ok()
    reach = by_name((await world.call(world.office_staff, REACH, variables)).ok())
    assert reach["Garden"]["acknowledgements"] == "5"


async def test_whole_alliance_reach_lists_every_community(world: World) -> None:
    notice = await world.publish(wholeAlliance=True, communityIds=[])
    office = world.gid("Member", world.office)
    data = (await world.call(world.office_owner, REACH, {"m": office, "n": notice["id"]})).ok()
    names = [r["community"]["name"] for r in data["govNoticeReach"]["communities"]]
    assert names == ["Garden", "Lake", "Hill"]


async def test_no_resident_identity_without_a_grant(world: World) -> None:
    notice = await _two_communities(world)
    (await world.call(world.garden_residents[0], ACK, {"n": notice["id"]})).ok()
    office = world.gid("Member", world.office)
    before = await row_counts()
    data = (await world.call(world.office_owner, CONTACTS, {"m": office, "n": notice["id"]})).ok()
    assert data["govNoticeContacts"]["nodes"] == []
    assert await audit_reads() == []
    assert await row_counts() == before
    # A grant of another scope, or from a member holding no resident's relationship, opens
    # nothing either.
    await world.grant(world.store, world.store_owner, world.office)
    data = (await world.call(world.office_owner, CONTACTS, {"m": office, "n": notice["id"]})).ok()
    assert data["govNoticeContacts"]["nodes"] == []
    assert await audit_reads() == []
    # Staff may see reach but not identities.
    staff = await world.call(world.office_staff, CONTACTS, {"m": office, "n": notice["id"]})
    assert staff.code == "FORBIDDEN"


async def test_leaders_grant_releases_its_followers_with_audit(world: World) -> None:
    notice = await _two_communities(world)
    (await world.call(world.garden_residents[0], ACK, {"n": notice["id"]})).ok()
    grant_id = await world.grant(world.leader, world.leader_owner, world.office)
    office = world.gid("Member", world.office)
    variables = {"m": office, "n": notice["id"], "first": 5}
    data = (await world.call(world.office_owner, CONTACTS, variables)).ok()
    page = data["govNoticeContacts"]
    assert page["pageInfo"]["hasNextPage"] is True  # 7 followers in Garden and Lake
    nodes = page["nodes"]
    assert [n["household"] for n in nodes] == [f"Building {n}" for n in range(1, 6)]
    assert [n["acknowledged"] for n in nodes] == [True, False, False, False, False]
    assert all(n["community"]["name"] == "Garden" for n in nodes)
    reads = await audit_reads()
    assert len(reads) == 5  # the look-ahead row was neither shown nor recorded
    assert {r["grant_id"] for r in reads} == {decode_id("ConsentGrant", grant_id)}
    assert {r["member_id"] for r in reads} == {world.leader.id}
    assert all(r["actor"] == f"user:{world.office_owner.id}" for r in reads)
    # The hill resident follows no leader: never released.
    variables["first"] = 50
    data = (await world.call(world.office_owner, CONTACTS, variables)).ok()
    assert len(data["govNoticeContacts"]["nodes"]) == 7
    # Revoked: nothing on the next request.
    leader = world.gid("Member", world.leader)
    (await world.call(world.leader_owner, REVOKE, {"m": leader, "g": grant_id})).ok()
    data = (await world.call(world.office_owner, CONTACTS, variables)).ok()
    assert data["govNoticeContacts"]["nodes"] == []
    assert len(await audit_reads()) == 12

"""Offices publish and withdraw notices; validation; who may publish."""

from __future__ import annotations

import datetime as dt

import pytest

from alliance_sdk.testing import CapturedEvents
from plugins.gov_notices.events import NoticePublished, NoticeWithdrawn
from plugins.gov_notices.tests.conftest import PUBLISH, T0, World

pytestmark = pytest.mark.alliance_plugins("plugins.gov_notices")

WITHDRAW = """mutation($m: ID!, $n: ID!) { withdrawGovNotice(memberId: $m, noticeId: $n) {
  id state } }"""
LIST = """query($m: ID!) { govNotices(memberId: $m) { nodes { id title state } } }"""


async def test_office_publishes_with_defaults_and_event(
    world: World, captured_events: CapturedEvents
) -> None:
    notice = await world.publish(
        title="  Water cut  ",
        category="EMERGENCY",
        communityIds=[world.gid("Community", world.garden), world.gid("Community", world.lake)],
        attachments=["https://example.org/map.pdf"],
    )
    assert notice["title"] == "Water cut"
    assert notice["pinned"] is True and notice["state"] == "LIVE"
    assert sorted(c["name"] for c in notice["communities"]) == ["Garden", "Lake"]
    assert notice["attachments"] == ["https://example.org/map.pdf"]
    # expireAt defaults to publishAt + defaultExpiryDays (30).
    assert dt.datetime.fromisoformat(notice["expireAt"]) == T0 + dt.timedelta(days=30)
    (event,) = await captured_events.of(NoticePublished)
    assert event.member_id == world.office.id
    assert event.category == "emergency" and len(event.community_ids) == 2


async def test_staff_publish_and_withdraw(world: World, captured_events: CapturedEvents) -> None:
    notice = await world.publish(world.office_staff)
    office = world.gid("Member", world.office)
    result = await world.call(world.office_staff, WITHDRAW, {"m": office, "n": notice["id"]})
    assert result.ok()["withdrawGovNotice"]["state"] == "WITHDRAWN"
    again = await world.call(world.office_staff, WITHDRAW, {"m": office, "n": notice["id"]})
    assert again.ok()["withdrawGovNotice"]["state"] == "WITHDRAWN"
    assert len(await captured_events.of(NoticeWithdrawn)) == 1  # withdrawing twice: once
    listed = (await world.call(world.office_staff, LIST, {"m": office})).ok()["govNotices"]
    assert [n["state"] for n in listed["nodes"]] == ["WITHDRAWN"]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"title": " "}, {"title"}),
        ({"body": ""}, {"body"}),
        ({"communityIds": []}, {"communityIds"}),
        ({"wholeAlliance": True}, {"communityIds"}),  # both a community and the alliance
        ({"expireAt": "2026-11-24T07:00:00+00:00"}, {"expireAt"}),
        (
            {"publishAt": "2026-11-20T00:00:00Z", "expireAt": "2026-11-21T00:00:00Z"},
            {"expireAt"},
        ),
        ({"attachments": ["javascript:alert(1)"]}, {"attachments"}),
        ({"attachments": [f"https://x.org/{n}" for n in range(11)]}, {"attachments"}),
    ],
)
async def test_bad_input_names_every_field(
    world: World, fields: dict[str, object], errors: set[str]
) -> None:
    data = {
        "title": "t",
        "body": "b",
        "category": "POLICY",
        "communityIds": [world.gid("Community", world.garden)],
        **fields,
    }
    result = await world.call(
        world.office_owner, PUBLISH, {"m": world.gid("Member", world.office), "input": data}
    )
    assert result.code == "BAD_USER_INPUT"
    assert {e["field"] for e in result.errors[0]["extensions"]["fieldErrors"]} == errors


async def test_another_alliances_community_reads_as_unknown(world: World) -> None:
    for community in (world.south_community, 987654):
        data = {
            "title": "t",
            "body": "b",
            "category": "POLICY",
            "communityIds": [world.gid("Community", community)],
        }
        result = await world.call(
            world.office_owner, PUBLISH, {"m": world.gid("Member", world.office), "input": data}
        )
        assert result.errors[0]["extensions"]["fieldErrors"] == [
            {"field": "communityIds", "message": "unknown community"}
        ]


async def test_only_government_offices_publish(world: World) -> None:
    data = {
        "title": "t",
        "body": "b",
        "category": "POLICY",
        "communityIds": [world.gid("Community", world.garden)],
    }
    store = world.gid("Member", world.store)
    result = await world.call(world.store_owner, PUBLISH, {"m": store, "input": data})
    assert result.code == "FORBIDDEN"


async def test_leaders_and_residents_of_the_office_cannot_publish(world: World) -> None:
    leader = await world.factory.user()
    await world.factory.membership(world.office, leader, "leader")
    data = {
        "title": "t",
        "body": "b",
        "category": "POLICY",
        "communityIds": [world.gid("Community", world.garden)],
    }
    office = world.gid("Member", world.office)
    assert (await world.call(leader, PUBLISH, {"m": office, "input": data})).code == "FORBIDDEN"
    resident = world.garden_residents[0]
    assert (await world.call(resident, PUBLISH, {"m": office, "input": data})).code == "NOT_FOUND"


async def test_disabled_plugin_answers_plugin_disabled(world: World) -> None:
    office = await world.factory.member(world.alliance, kind="government_office")
    await world.factory.membership(office, world.office_owner, "owner")
    data = {
        "title": "t",
        "body": "b",
        "category": "POLICY",
        "communityIds": [world.gid("Community", world.garden)],
    }
    result = await world.call(
        world.office_owner, PUBLISH, {"m": world.gid("Member", office), "input": data}
    )
    assert result.code == "PLUGIN_DISABLED"

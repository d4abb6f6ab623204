"""Residents see the notices of their communities (emergencies pinned, newest first), only
while live by the kernel clock, and acknowledge them."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from alliance_sdk.testing import CapturedEvents
from plugins.gov_notices.events import NoticeAcknowledged
from plugins.gov_notices.tests.conftest import ACK, FEED, SLUG, T0, World, row_counts

pytestmark = pytest.mark.alliance_plugins("plugins.gov_notices")

HOUR = dt.timedelta(hours=1)


async def test_feed_pins_emergencies_then_newest_first(world: World) -> None:
    garden = [world.gid("Community", world.garden)]
    world.at(T0 - 3 * HOUR)
    await world.publish(title="old policy", communityIds=garden)
    world.at(T0 - 2 * HOUR)
    await world.publish(title="emergency", category="EMERGENCY", communityIds=garden)
    world.at(T0 - HOUR)
    await world.publish(
        title="alliance event", category="EVENT", wholeAlliance=True, communityIds=[]
    )
    await world.publish(title="lake only", communityIds=[world.gid("Community", world.lake)])
    world.at(T0)
    feed = await world.feed(world.garden_residents[0])
    assert [n["title"] for n in feed] == ["emergency", "alliance event", "old policy"]
    assert [n["pinned"] for n in feed] == [True, False, False]
    assert all(n["acknowledged"] is False and n["forwarded"] is None for n in feed)
    # Same publish time: the later notice first.
    assert [n["title"] for n in await world.feed(world.lake_resident)] == [
        "lake only",
        "alliance event",
    ]
    assert [n["title"] for n in await world.feed(world.hill_resident)] == ["alliance event"]
    # Another alliance's residents see none of it; residents of nowhere see nothing.
    assert await world.feed(world.south_resident) == []
    assert await world.feed(world.office_owner) == []


async def test_first_limits_the_feed(world: World) -> None:
    for n in range(3):
        await world.publish(title=f"n{n}")
    result = await world.call(world.garden_residents[0], FEED, {"first": 2})
    assert len(result.ok()["govNoticesForMe"]) == 2


async def test_scheduled_notice_is_invisible_until_publish_at(world: World) -> None:
    await world.publish(
        title="later",
        publishAt=(T0 + HOUR).isoformat(),
        expireAt=(T0 + 3 * HOUR).isoformat(),
    )
    resident = world.garden_residents[0]
    assert await world.feed(resident) == []
    world.at(T0 + HOUR - dt.timedelta(microseconds=1))
    assert await world.feed(resident) == []
    world.at(T0 + HOUR)
    assert [n["title"] for n in await world.feed(resident)] == ["later"]
    world.at(T0 + 3 * HOUR - dt.timedelta(seconds=0.5))
    assert len(await world.feed(resident)) == 1
    world.at(T0 + 3 * HOUR)  # expired: gone
    assert await world.feed(resident) == []


async def test_scheduled_notice_cannot_be_acknowledged_early(world: World) -> None:
    notice = await world.publish(publishAt=(T0 + HOUR).isoformat())
    result = await world.call(world.garden_residents[0], ACK, {"n": notice["id"]})
    assert result.code == "NOT_FOUND"


async def test_withdrawn_and_disabled_offices_notices_disappear(world: World) -> None:
    await world.publish(title="kept")
    resident = world.garden_residents[0]
    assert len(await world.feed(resident)) == 1
    disable = 'mutation($m: ID!) { disablePlugin(memberId: $m, slug: "gov_notices") { slug } }'
    (await world.call(world.office_owner, disable, {"m": world.gid("Member", world.office)})).ok()
    assert await world.feed(resident) == []
    await world.factory.enable_plugin(world.office, SLUG)
    assert len(await world.feed(resident)) == 1


async def test_acknowledge_is_idempotent_and_counted_once(
    world: World, captured_events: CapturedEvents
) -> None:
    notice = await world.publish(category="SERVICE")
    resident = world.garden_residents[0]
    first = await world.call(resident, ACK, {"n": notice["id"]})
    assert first.ok()["acknowledgeGovNotice"] == {"id": notice["id"], "acknowledged": True}
    # Concurrent repeats (truly parallel on PostgreSQL): still one acknowledgement.
    await world.as_(resident)
    results = await asyncio.gather(*(world.client(ACK, {"n": notice["id"]}) for _ in range(8)))
    assert all(r.ok() for r in results)
    assert (await row_counts())["gov_notices_ack"] == 1
    assert len(await captured_events.of(NoticeAcknowledged)) == 1
    (event,) = await captured_events.of(NoticeAcknowledged)
    assert event.member_id == world.office.id
    assert "resident" not in event.model_dump_json()
    feed = await world.feed(resident)
    assert feed[0]["acknowledged"] is True
    assert (await world.feed(world.garden_residents[1]))[0]["acknowledged"] is False


async def test_residents_of_other_communities_cannot_acknowledge(world: World) -> None:
    notice = await world.publish()  # Garden only
    before = await row_counts()
    for user in (
        world.lake_resident,
        world.hill_resident,
        world.south_resident,
        world.leader_owner,
    ):
        assert (await world.call(user, ACK, {"n": notice["id"]})).code == "NOT_FOUND"
    assert (await world.call(None, ACK, {"n": notice["id"]})).code == "UNAUTHENTICATED"
    assert await row_counts() == before


async def test_feed_needs_a_signed_in_person(world: World) -> None:
    assert (await world.call(None, FEED)).code == "UNAUTHENTICATED"

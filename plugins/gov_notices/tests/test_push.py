"""Emergencies are pushed to subscribed residents over graphql-transport-ws: one publish on
the alliance's topic, every watcher gets it, each keeps what is addressed to its community."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from plugins.gov_notices.push import push_due_emergencies, topic
from plugins.gov_notices.tests.conftest import T0, World
from plugins.gov_notices.tests.websocket import WebSocketSession

pytestmark = pytest.mark.alliance_plugins("plugins.gov_notices")

EMERGENCIES = """subscription { govNoticeEmergencies {
  noticeId officeName title category publishedAt communityIds } }"""
HOUR = dt.timedelta(hours=1)


async def _watch(world: World, app: Any, user: Any, op_id: str = "1") -> WebSocketSession:
    await world.as_(user)
    session = WebSocketSession(app)
    await session.__aenter__()
    await session.init(world.client.token)
    await session.subscribe(op_id, EMERGENCIES)
    return session


async def _watchers(world: World, alliance: Any, count: int) -> None:
    broadcaster = world.kernel.broadcaster
    for _ in range(500):
        if broadcaster.subscriber_count(topic(alliance.id)) == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{broadcaster.subscriber_count(topic(alliance.id))} watchers")


def _item(message: dict[str, Any]) -> dict[str, Any]:
    assert message["type"] == "next", message
    return dict(message["payload"]["data"]["govNoticeEmergencies"])


async def test_emergency_reaches_the_targeted_residents_only(
    world: World, alliance_app: Any
) -> None:
    garden = await _watch(world, alliance_app, world.garden_residents[0])
    hill = await _watch(world, alliance_app, world.hill_resident)
    south = await _watch(world, alliance_app, world.south_resident)
    try:
        await _watchers(world, world.alliance, 2)
        await _watchers(world, world.south, 1)
        await world.publish(title="policy, not pushed")
        notice = await world.publish(title="Gas leak: stay indoors", category="EMERGENCY")
        pushed = _item(await garden.receive())
        assert pushed == {
            "noticeId": notice["id"],
            "officeName": pushed["officeName"],
            "title": "Gas leak: stay indoors",
            "category": "EMERGENCY",
            "publishedAt": T0.isoformat(),
            "communityIds": [world.gid("Community", world.garden)],
        }
        assert pushed["officeName"]
        everyone = await world.publish(
            title="Flood warning", category="EMERGENCY", wholeAlliance=True, communityIds=[]
        )
        # Hill's first push is the alliance-wide one: the Garden one never reached it.
        assert _item(await hill.receive())["noticeId"] == everyone["id"]
        assert _item(await garden.receive())["communityIds"] is None
        # Another alliance's watchers hear nothing of it.
        assert await south.nothing_within(0.3)
    finally:
        for session in (garden, hill, south):
            await session.__aexit__(None, None, None)


async def test_many_watchers_one_publish(world: World, alliance_app: Any) -> None:
    sessions = [
        await _watch(world, alliance_app, world.garden_residents[n % 6], str(n)) for n in range(12)
    ]
    try:
        await _watchers(world, world.alliance, 12)
        notice = await world.publish(title="Evacuate building 3", category="EMERGENCY")
        received = [_item(await s.receive()) for s in sessions]
        assert {r["noticeId"] for r in received} == {notice["id"]}
    finally:
        for session in sessions:
            await session.__aexit__(None, None, None)


async def test_scheduled_emergency_is_pushed_by_the_job_once(
    world: World, alliance_app: Any
) -> None:
    session = await _watch(world, alliance_app, world.garden_residents[0])
    try:
        await _watchers(world, world.alliance, 1)
        notice = await world.publish(
            title="Road closed tomorrow",
            category="EMERGENCY",
            publishAt=(T0 + HOUR).isoformat(),
        )
        assert await push_due_emergencies(world.kernel) == 0  # not yet
        assert await session.nothing_within(0.2)
        world.at(T0 + HOUR)
        assert await push_due_emergencies(world.kernel) == 1
        assert _item(await session.receive())["noticeId"] == notice["id"]
        assert await push_due_emergencies(world.kernel) == 0  # pushed once
    finally:
        await session.__aexit__(None, None, None)


async def test_anonymous_subscription_is_refused(world: World, alliance_app: Any) -> None:
    async with WebSocketSession(alliance_app) as session:
        await session.init(None)
        await session.subscribe("1", EMERGENCIES)
        message = await session.receive()
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_push_can_be_switched_off(world: World, alliance_app: Any) -> None:
    configure = """mutation($m: ID!) { configurePlugin(memberId: $m, slug: "gov_notices",
      config: {pushEmergencies: false}) { slug } }"""
    result = await world.call(
        world.office_owner, configure, {"m": world.gid("Member", world.office)}
    )
    assert result.code == "BAD_USER_INPUT"  # the model's field names are snake_case
    configure = configure.replace("pushEmergencies", "push_emergencies")
    (await world.call(world.office_owner, configure, {"m": world.gid("Member", world.office)})).ok()
    session = await _watch(world, alliance_app, world.garden_residents[0])
    try:
        await _watchers(world, world.alliance, 1)
        await world.publish(title="quiet", category="EMERGENCY")
        assert await session.nothing_within(0.3)
    finally:
        await session.__aexit__(None, None, None)

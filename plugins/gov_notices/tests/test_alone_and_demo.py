"""The plugin needs no other plugin (a government office enables only this one), and its
demo seed is complete and idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from alliance_sdk import DemoContext, DemoResident
from plugins.gov_notices import demo
from plugins.gov_notices.tests.conftest import (
    ACK,
    FORWARD,
    REACH,
    SERVE,
    SLUG,
    World,
    _resident,
    row_counts,
)

pytestmark = pytest.mark.alliance_plugins("plugins.gov_notices")

STACK = "query($id: ID!) { member(id: $id) { plugins { slug enabled } } }"
AVAILABLE = "{ availablePlugins { slug } }"


async def test_an_office_with_only_this_plugin_runs_the_whole_flow(world: World) -> None:
    office = world.gid("Member", world.office)
    stack = (await world.call(world.office_owner, STACK, {"id": office})).ok()
    assert stack["member"]["plugins"] == [{"slug": SLUG, "enabled": True}]
    available = (await world.call(world.office_owner, AVAILABLE)).ok()["availablePlugins"]
    assert [p["slug"] for p in available] == [SLUG]  # nothing else is even installed
    notice = await world.publish(category="EMERGENCY")
    (await world.call(world.garden_residents[0], ACK, {"n": notice["id"]})).ok()
    leader = world.gid("Member", world.leader)
    (await world.call(world.leader_owner, FORWARD, {"m": leader, "n": notice["id"]})).ok()
    reach = (await world.call(world.office_owner, REACH, {"m": office, "n": notice["id"]})).ok()
    assert reach["govNoticeReach"]["communities"][0]["forwardedBy"] == 1


async def _demo_world(world: World) -> tuple[DemoContext, dict[str, Any], Any]:
    f = world.factory
    names = ("Donghu Xincun", "Shuiguohu Garden", "Luojia Hill Residences", "Xudong New Town")
    communities = {name: await f.community(world.alliance, name=name) for name in names}
    specs = {
        "shuiguohu-service-centre": ("government_office", names[:3]),
        "auntie-wang-group": ("leader", names[:3]),
        "lakeside-fresh-mart": ("store", names[:2]),
        "xudong-neighbourhood-store": ("store", names[3:]),
        "luojia-bakery-club": ("bakery", names[:1]),
    }
    members: dict[str, Any] = {}
    owners: dict[str, Any] = {}
    for slug, (kind, serves) in specs.items():
        members[slug] = await f.member(world.alliance, kind=kind, slug=slug)
        owners[slug] = await f.user()
        await f.membership(members[slug], owners[slug], "owner")
        for name in serves:
            variables = {
                "m": world.gid("Member", members[slug]),
                "c": world.gid("Community", communities[name]),
            }
            (await world.call(owners[slug], SERVE, variables)).ok()
    resident = await _resident(
        world, communities["Shuiguohu Garden"], "Building 11", members["auntie-wang-group"]
    )
    context = DemoContext(
        kernel=world.kernel,
        alliance_id=world.alliance.id,
        members={slug: m.id for slug, m in members.items()},
        member_kinds={slug: kind for slug, (kind, _) in specs.items()},
        owners={slug: u.id for slug, u in owners.items()},
        communities={name: c.id for name, c in communities.items()},
        served={slug: [communities[n].id for n in serves] for slug, (_, serves) in specs.items()},
        residents=[
            DemoResident(
                resident.id,
                resident.email,
                "Ma Qing",
                communities["Shuiguohu Garden"].id,
                members["auntie-wang-group"].id,
            )
        ],
        users={},
    )
    return context, owners, resident


async def test_demo_seed_is_complete_and_idempotent(world: World) -> None:
    context, owners, resident = await _demo_world(world)
    async with world.kernel.db.write():
        await demo.seed(world.kernel, context)
    counts = await row_counts()
    assert counts["gov_notices_notice"] == 4
    assert counts["gov_notices_forward"] == 2  # the leader, in Shuiguohu Garden and Donghu
    assert counts["gov_notices_ack"] == 1
    assert context.counts["gov_notices notices"] == 4
    # Enabled for the office and the leaders and stores serving its communities only.
    assert context.counts["gov_notices enablement"] == 3
    async with world.kernel.db.write():
        await demo.seed(world.kernel, context)
    assert await row_counts() == counts
    office = context.members["shuiguohu-service-centre"]
    owner = owners["shuiguohu-service-centre"]
    stack = (await world.call(owner, STACK, {"id": world.gid("Member", office)})).ok()
    assert stack["member"]["plugins"] == [{"slug": SLUG, "enabled": True}]
    feed = await world.feed(resident)
    assert [n["category"] for n in feed][:1] == ["EMERGENCY"]
    assert len(feed) == 2  # the emergency and the alliance-wide policy; the event is scheduled

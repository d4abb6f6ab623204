"""The demo seed (idempotent), the waitlist job, and the club alone with every other plugin
installed but disabled."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from alliance_sdk import DemoContext, DemoResident, scoped
from alliance_sdk.testing import AllianceClient, AllianceFactory
from plugins.bakery_club import hooks
from plugins.bakery_club.service import club, workshops
from plugins.bakery_club.service.demo import DEMO_BAKERY
from plugins.bakery_club.tables import (
    BakeryClubAmbassador,
    BakeryClubEvent,
    BakeryClubMembership,
    BakeryClubPost,
    BakeryClubRegistration,
)
from plugins.bakery_club.tests.helpers import JOIN, SLUG, as_user, bakery, member_of

pytestmark = pytest.mark.alliance_plugins(SLUG)

AMBASSADORS = "query($m: ID!) { bakeryClubAmbassadors(memberId: $m) { code referrals } }"
TOP = "query($m: ID!) { bakeryClubTopPosts(memberId: $m) { title } }"


class _Row:
    """What the factory needs of a member: its id."""

    def __init__(self, id: int) -> None:
        self.id = id


async def _demo(kernel: Any, factory: AllianceFactory) -> DemoContext:
    alliance = await factory.alliance()
    shop = await factory.member(alliance, kind="bakery", slug=DEMO_BAKERY, name="Luojia Bakery")
    community = await factory.community(alliance, name="Luojia Hill Residences")
    people = [await factory.resident(community) for _ in range(6)]
    return DemoContext(
        kernel=kernel,
        alliance_id=alliance.id,
        members={DEMO_BAKERY: shop.id},
        member_kinds={DEMO_BAKERY: "bakery"},
        owners={},
        communities={community.name: community.id},
        served={DEMO_BAKERY: [community.id]},
        residents=[
            DemoResident(p.id, p.email, p.display_name, community.id, shop.id) for p in people
        ],
        users={p.email: p.id for p in people},
    )


async def test_seed_demo_builds_the_club_once(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: Any
) -> None:
    demo = await _demo(alliance_kernel, alliance_factory)
    for _ in range(2):  # idempotent
        async with alliance_kernel.db.write():
            await hooks.seed_demo(alliance_kernel, demo)
    member = demo.members[DEMO_BAKERY]
    assert [t["name"] for t in await club.tiers(member)] == ["Member", "Silver", "Gold"]
    assert await scoped(BakeryClubMembership, member).count() == 5
    assert await scoped(BakeryClubAmbassador, member).count() == 2
    [event] = await scoped(BakeryClubEvent, member).select()
    assert event["starts_at"] > alliance_kernel.clock()
    assert await scoped(BakeryClubRegistration, member).count() == 3
    approved = scoped(BakeryClubPost, member).count().where(BakeryClubPost.status == "approved")
    assert await approved == 3
    assert demo.counts["bakery club members"] == 5

    owner = await alliance_factory.user()
    await alliance_factory.membership(_Row(member), owner, "owner")
    gid = alliance_client.gid("Member", member)
    ambassadors = (await as_user(alliance_client, owner, AMBASSADORS, {"m": gid})).ok()
    assert len(ambassadors["bakeryClubAmbassadors"]) == 2
    assert len((await alliance_client(TOP, {"m": gid})).ok()["bakeryClubTopPosts"]) == 3


async def test_the_job_expires_waitlists_of_started_events(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: Any
) -> None:
    shop = await bakery(alliance_factory, alliance_client)
    fans = [await member_of(alliance_factory, alliance_client, shop) for _ in range(3)]
    start = alliance_kernel.clock() + dt.timedelta(minutes=5)
    event = await workshops.create_event(
        alliance_kernel,
        shop.member.id,
        kind="tasting",
        title="Tasting",
        description="",
        place="Store",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        seats=1,
    )
    for fan in fans:
        await workshops.register(alliance_kernel, shop.member.id, fan.id, int(event["id"]))
    [job] = hooks.register_jobs()
    assert await job.run(alliance_kernel) == 0
    async with alliance_kernel.db.write():
        await BakeryClubEvent.raw(
            "UPDATE bakery_club_event SET starts_at = {} WHERE id = {}",
            alliance_kernel.clock() - dt.timedelta(minutes=1),
            event["id"],
        )
    assert await job.run(alliance_kernel) == 2
    assert await job.run(alliance_kernel) == 0


@pytest.mark.alliance_plugins(SLUG, "plugins.groupbuy", "plugins.revenue_share")
async def test_the_club_works_with_the_other_plugins_installed_but_disabled(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient
) -> None:
    shop = await bakery(alliance_factory, alliance_client)
    fan = await alliance_factory.resident(shop.community)
    joined = await as_user(alliance_client, fan, JOIN, {"m": shop.gid})
    assert joined.ok()["joinBakeryClub"]["status"] == "active"

"""The read-only tenancy facts plugins get from the SDK (residences, serving members, ...)."""

from __future__ import annotations

from alliance_sdk import (
    communities,
    member_info,
    neighbourhood,
    neighbourhoods,
    residences,
    resident_counts,
    residents_of,
    serving_members,
)
from alliance_sdk.testkit import AllianceFactory
from kernel.runtime import Kernel


async def test_lookups_answer_from_the_tenancy_tables(kernel: Kernel) -> None:
    make = AllianceFactory(kernel)
    alliance = await make.alliance()
    store = await make.member(alliance, kind="store")
    leader = await make.member(alliance, kind="leader")
    home = await make.community(alliance, name="Donghu", latitude=30.5, longitude=114.3)
    other = await make.community(alliance, name="Xudong")
    await make.serve(store, home)
    await make.serve(leader, home)
    alice = await make.resident(home, leader=leader, household="B3-501")
    await make.resident(home)
    await make.resident(other, alice)

    mine = await residences(kernel, alice.id)
    assert [(r.community_id, r.leader_member_id) for r in mine] == [
        (home.id, leader.id),
        (other.id, None),
    ]
    assert [r.household for r in await residences(kernel, alice.id, home.id)] == ["B3-501"]
    assert await residences(kernel, alice.id, 999_999) == []
    assert [m.member_id for m in await serving_members(kernel, home.id)] == [store.id, leader.id]
    assert [m.kind for m in await serving_members(kernel, home.id, "leader")] == ["leader"]
    assert await resident_counts(kernel, [home.id, other.id, 999_999]) == {
        home.id: 2,
        other.id: 1,
        999_999: 0,
    }
    everyone = await residents_of(kernel, [home.id])
    assert {r.user_id for r in everyone} == {alice.id, everyone[1].user_id}
    found = await communities(kernel, [home.id, 999_999])
    assert list(found) == [home.id] and found[home.id].latitude == 30.5
    info = await member_info(kernel, leader.id)
    assert info is not None and (info.kind, info.alliance_id) == ("leader", alliance.id)
    assert await member_info(kernel, 999_999) is None


async def test_neighbourhoods_are_residences_and_serving_members_in_one_query(
    kernel: Kernel,
) -> None:
    make = AllianceFactory(kernel)
    alliance = await make.alliance()
    leader = await make.member(alliance, kind="leader")
    store = await make.member(alliance, kind="store")
    home = await make.community(alliance)
    unserved = await make.community(alliance)
    await make.serve(leader, home)
    await make.serve(store, home)
    alice = await make.resident(home, leader=leader, household="B3-501")
    await make.resident(unserved, alice)
    bob = await make.resident(unserved)

    pairs = [(alice, home), (alice, unserved), (bob, home), (bob, unserved)]
    everyone = await neighbourhoods(kernel, [(u.id, c.id) for u, c in pairs])
    assert sorted(everyone) == sorted((u.id, c.id) for u, c in pairs)
    for user, community in pairs:
        found = await neighbourhood(kernel, user.id, community.id)
        assert found.residences == await residences(kernel, user.id, community.id)
        assert found.serving == await serving_members(kernel, community.id)
        assert everyone[(user.id, community.id)] == found
    around = await neighbourhood(kernel, alice.id, home.id)
    assert [(r.household, r.leader_member_id) for r in around.residences] == [("B3-501", leader.id)]
    assert [(m.member_id, m.kind) for m in around.serving] == [
        (leader.id, "leader"),
        (store.id, "store"),
    ]
    assert (await neighbourhood(kernel, bob.id, home.id)).residences == []
    assert (await neighbourhood(kernel, alice.id, unserved.id)).serving == []
    assert await neighbourhoods(kernel, []) == {}

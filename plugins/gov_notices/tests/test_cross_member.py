"""Every ID-taking root field, called by other members' people (same alliance, another
alliance) and anonymously: nothing foreign comes back and no row changes."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.gov_notices.tests.conftest import (
    ACK,
    CONTACTS,
    FORWARD,
    PUBLISH,
    REACH,
    TO_FORWARD,
    World,
    row_counts,
)

pytestmark = pytest.mark.alliance_plugins("plugins.gov_notices")

LIST = "query($m: ID!) { govNotices(memberId: $m) { nodes { id title } } }"
ONE = "query($m: ID!, $n: ID!) { govNotice(memberId: $m, noticeId: $n) { id title } }"
WITHDRAW = "mutation($m: ID!, $n: ID!) { withdrawGovNotice(memberId: $m, noticeId: $n) { id } }"
REFUSED = {"NOT_FOUND", "UNAUTHENTICATED", "FORBIDDEN"}


def _input(world: World) -> dict[str, Any]:
    return {
        "title": "spoof",
        "body": "b",
        "category": "EMERGENCY",
        "communityIds": [world.gid("Community", world.garden)],
    }


async def test_foreign_callers_get_nothing_and_change_nothing(world: World) -> None:
    notice = await world.publish(title="secret", category="EMERGENCY")
    (await world.call(world.garden_residents[0], ACK, {"n": notice["id"]})).ok()
    leader = world.gid("Member", world.leader)
    (await world.call(world.leader_owner, FORWARD, {"m": leader, "n": notice["id"]})).ok()
    await world.grant(world.leader, world.leader_owner, world.office)
    office = world.gid("Member", world.office)
    n = notice["id"]
    # (field, document, variables naming the victim's member)
    victims = [
        ("govNotices", LIST, {"m": office}),
        ("govNotice", ONE, {"m": office, "n": n}),
        ("govNoticeReach", REACH, {"m": office, "n": n}),
        ("govNoticeContacts", CONTACTS, {"m": office, "n": n}),
        ("publishGovNotice", PUBLISH, {"m": office, "input": _input(world)}),
        ("withdrawGovNotice", WITHDRAW, {"m": office, "n": n}),
        ("govNoticesToForward", TO_FORWARD, {"m": leader}),
        ("forwardGovNotice", FORWARD, {"m": leader, "n": n}),
    ]
    callers = {
        "same alliance (store)": world.store_owner,
        "other alliance (office)": world.south_owner,
        "resident": world.garden_residents[1],
        "anonymous": None,
    }
    before = await row_counts()
    for who, user in callers.items():
        for field, document, variables in victims:
            result = await world.call(user, document, variables)
            assert result.codes and set(result.codes) <= REFUSED, (who, field, result.body)
            assert not (result.data or {}).get(field), (who, field)
    # Their own member ID with the victim's notice ID: NOT_FOUND, word for word.
    own = [
        (world.south_owner, world.south_office, ONE),
        (world.south_owner, world.south_office, REACH),
        (world.south_owner, world.south_office, CONTACTS),
        (world.south_owner, world.south_office, WITHDRAW),
        (world.store_owner, world.store, REACH),
        (world.store_owner, world.store, WITHDRAW),
    ]
    for user, member, document in own:
        result = await world.call(user, document, {"m": world.gid("Member", member), "n": n})
        assert result.code == "NOT_FOUND", result.body
    # A resident of another alliance acknowledging it.
    assert (await world.call(world.south_resident, ACK, {"n": n})).code == "NOT_FOUND"
    assert (await world.call(None, ACK, {"n": n})).code == "UNAUTHENTICATED"
    assert await row_counts() == before


async def test_other_members_lists_show_nothing_foreign(world: World) -> None:
    await world.publish(title="north only")
    south = world.gid("Member", world.south_office)
    listed = (await world.call(world.south_owner, LIST, {"m": south})).ok()
    assert listed["govNotices"]["nodes"] == []
    # A store of the south alliance (same kind as the north store) is asked to forward nothing.
    store = await world.factory.member(world.south, kind="store")
    await world.factory.membership(store, world.south_owner, "owner")
    await world.factory.enable_plugin(store, "gov_notices")
    data = (await world.call(world.south_owner, TO_FORWARD, {"m": world.gid("Member", store)})).ok()
    assert data["govNoticesToForward"] == []
    assert await world.feed(world.south_resident) == []

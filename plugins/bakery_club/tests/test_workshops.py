"""Tastings and workshops: seats, the waitlist and check-in, under real concurrency."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from alliance_sdk.testing import AllianceClient, AllianceFactory, CapturedEvents
from plugins.bakery_club.events import BakeryClubRegistrationChanged
from plugins.bakery_club.tests.helpers import (
    ATTENDANCE,
    CANCEL,
    CREATE_EVENT,
    REGISTER,
    SLUG,
    Bakery,
    as_user,
    bakery,
    bearer,
    member_of,
    residents,
    users_of,
)

pytestmark = pytest.mark.alliance_plugins(SLUG)

CHECK_IN = """mutation($m: ID!, $e: ID!, $u: ID!) {
  checkInBakeryClubEvent(memberId: $m, eventId: $e, userId: $u) { status checkedInAt } }"""
EVENTS = "query($m: ID!) { bakeryClubEvents(memberId: $m) { title seatsLeft waitlisted myStatus } }"


async def workshop(client: AllianceClient, shop: Bakery, seats: int, kernel: Any) -> str:
    start = kernel.clock() + dt.timedelta(days=3)
    event = {
        "kind": "WORKSHOP",
        "title": "Parent-child croissants",
        "place": "Luojia Bakery, 299 Bayi Road",
        "startsAt": start.isoformat(),
        "endsAt": (start + dt.timedelta(hours=2)).isoformat(),
        "seats": seats,
    }
    result = await as_user(client, shop.owner, CREATE_EVENT, {"m": shop.gid, "i": event})
    return str(result.ok()["createBakeryClubEvent"]["id"])


async def attendance(client: AllianceClient, shop: Bakery, event: str) -> dict[str, Any]:
    result = await as_user(client, shop.owner, ATTENDANCE, {"m": shop.gid, "e": event})
    data: dict[str, Any] = result.ok()["bakeryClubAttendance"]
    return data


async def test_seats_then_waitlist_then_promotion_and_check_in(
    alliance_factory: AllianceFactory,
    alliance_client: AllianceClient,
    alliance_kernel: Any,
    captured_events: CapturedEvents,
) -> None:
    shop = await bakery(alliance_factory, alliance_client)
    event = await workshop(alliance_client, shop, 2, alliance_kernel)
    a, b, c, d = [await member_of(alliance_factory, alliance_client, shop) for _ in range(4)]
    statuses = []
    for user in (a, b, c, d):
        result = await as_user(alliance_client, user, REGISTER, {"m": shop.gid, "e": event})
        statuses.append(result.ok()["registerForBakeryClubEvent"]["status"])
    assert statuses == ["registered", "registered", "waitlisted", "waitlisted"]
    again = await as_user(alliance_client, c, REGISTER, {"m": shop.gid, "e": event})
    assert again.ok()["registerForBakeryClubEvent"]["status"] == "waitlisted"
    listed = (await alliance_client(EVENTS, {"m": shop.gid})).ok()["bakeryClubEvents"]
    assert listed == [
        {
            "title": "Parent-child croissants",
            "seatsLeft": 0,
            "waitlisted": 2,
            "myStatus": "waitlisted",
        }
    ]

    cancelled = await as_user(alliance_client, a, CANCEL, {"m": shop.gid, "e": event})
    assert cancelled.ok()["cancelBakeryClubRegistration"]["status"] == "cancelled"
    seen = await attendance(alliance_client, shop, event)
    by_user = {r["userId"]: r["status"] for r in seen["registrations"]}
    gid = alliance_client.gid
    assert by_user == {
        gid("User", a): "cancelled",
        gid("User", b): "registered",
        gid("User", c): "registered",  # the earliest waitlisted got the seat
        gid("User", d): "waitlisted",
    }
    assert (seen["registered"], seen["waitlisted"]) == (2, 1)
    assert seen["event"]["seatsTaken"] == 2

    # Giving up a waitlist place frees no seat.
    await as_user(alliance_client, d, CANCEL, {"m": shop.gid, "e": event})
    seen = await attendance(alliance_client, shop, event)
    assert (seen["registered"], seen["waitlisted"], seen["event"]["seatsTaken"]) == (2, 0, 2)

    checked = await alliance_client(CHECK_IN, {"m": shop.gid, "e": event, "u": gid("User", b)})
    assert checked.ok()["checkInBakeryClubEvent"]["checkedInAt"] is not None
    refused = await alliance_client(CHECK_IN, {"m": shop.gid, "e": event, "u": gid("User", d)})
    assert refused.code == "BAD_USER_INPUT"
    assert (await attendance(alliance_client, shop, event))["checkedIn"] == 1

    changes = [
        (e.user_id, e.status) for e in await captured_events.of(BakeryClubRegistrationChanged)
    ]
    assert (c.id, "promoted") in changes
    assert sum(status == "promoted" for _, status in changes) == 1


async def test_non_members_and_past_events_are_refused(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: Any
) -> None:
    shop = await bakery(alliance_factory, alliance_client)
    event = await workshop(alliance_client, shop, 5, alliance_kernel)
    outsider = await member_of(alliance_factory, alliance_client, shop, joined=False)
    result = await as_user(alliance_client, outsider, REGISTER, {"m": shop.gid, "e": event})
    assert result.code == "BAKERY_CLUB_NOT_A_MEMBER"
    start = alliance_kernel.clock() - dt.timedelta(hours=1)
    past = {
        "kind": "TASTING",
        "title": "Yesterday",
        "place": "Store",
        "seats": 3,
        "startsAt": start.isoformat(),
        "endsAt": (start + dt.timedelta(hours=1)).isoformat(),
    }
    refused = await as_user(alliance_client, shop.owner, CREATE_EVENT, {"m": shop.gid, "i": past})
    assert refused.code == "BAD_USER_INPUT"


async def test_500_concurrent_registrations_never_exceed_the_seats(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: Any
) -> None:
    shop = await bakery(alliance_factory, alliance_client)
    event = await workshop(alliance_client, shop, 40, alliance_kernel)
    tokens = await residents(alliance_kernel, alliance_factory, alliance_client, shop, 500)

    results = await asyncio.gather(
        *(alliance_client(REGISTER, {"m": shop.gid, "e": event}, headers=bearer(t)) for t in tokens)
    )

    statuses = [r.ok()["registerForBakeryClubEvent"]["status"] for r in results]
    assert statuses.count("registered") == 40
    assert statuses.count("waitlisted") == 460
    seen = await attendance(alliance_client, shop, event)
    assert (seen["registered"], seen["waitlisted"], seen["event"]["seatsTaken"]) == (40, 460, 40)


async def test_each_freed_seat_promotes_exactly_one_also_concurrently(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: Any
) -> None:
    shop = await bakery(alliance_factory, alliance_client)
    event = await workshop(alliance_client, shop, 4, alliance_kernel)
    tokens = await residents(alliance_kernel, alliance_factory, alliance_client, shop, 10)
    for token in tokens:  # in order: the first 4 get seats, 6 wait in this order
        (await alliance_client(REGISTER, {"m": shop.gid, "e": event}, headers=bearer(token))).ok()

    # Two seats free at the same moment, while two more people register.
    late = await residents(alliance_kernel, alliance_factory, alliance_client, shop, 2)
    results = await asyncio.gather(
        alliance_client(CANCEL, {"m": shop.gid, "e": event}, headers=bearer(tokens[0])),
        alliance_client(CANCEL, {"m": shop.gid, "e": event}, headers=bearer(tokens[1])),
        *(alliance_client(REGISTER, {"m": shop.gid, "e": event}, headers=bearer(t)) for t in late),
    )
    for result in results:
        result.ok()

    seen = await attendance(alliance_client, shop, event)
    assert seen["event"]["seatsTaken"] == 4
    assert (seen["registered"], seen["waitlisted"]) == (4, 6)
    promoted = {r["userId"] for r in seen["registrations"] if r["promotedAt"] is not None}
    users = users_of(tokens)
    # Exactly one per freed seat: the two earliest on the waitlist (registrants 5 and 6).
    assert promoted == {alliance_client.gid("User", u) for u in users[4:6]}
    registered = {r["userId"] for r in seen["registrations"] if r["status"] == "registered"}
    assert registered == {alliance_client.gid("User", u) for u in users[2:6]}

"""Tastings and workshops: seats, registration, the waitlist, check-in.

Every change to one event's places locks the event row first, so registrations,
cancellations and promotions of that event happen one after the other: ``seats_taken``
never passes ``seats`` (the conditional update says so a second time), and each freed seat
promotes exactly one waitlisted resident, the earliest, in the transaction that frees it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from alliance_sdk import BadUserInput, Conflict, NotFound, publish, run_sql, scoped
from plugins.bakery_club.events import BakeryClubCheckedIn, BakeryClubRegistrationChanged
from plugins.bakery_club.service.common import (
    active_membership,
    check_text,
    first,
    lock,
    now,
    raise_if,
)
from plugins.bakery_club.tables import BakeryClubEvent, BakeryClubRegistration

__all__ = [
    "EVENT_KINDS",
    "cancel_registration",
    "check_in",
    "create_event",
    "expire_waitlists",
    "register",
]

EVENT_KINDS = ("tasting", "workshop")
MAX_SEATS = 10_000
R = BakeryClubRegistration


async def create_event(
    kernel: Any,
    member_id: int,
    *,
    kind: str,
    title: str,
    description: str,
    place: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    seats: int,
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if kind not in EVENT_KINDS:
        errors["kind"] = "tasting or workshop"
    check_text(errors, "title", title, 200)
    check_text(errors, "place", place, 200)
    if len(description) > 5000:
        errors["description"] = "at most 5000 characters"
    if not 1 <= seats <= MAX_SEATS:
        errors["seats"] = f"between 1 and {MAX_SEATS}"
    starts_at, ends_at = _utc(starts_at), _utc(ends_at)
    if starts_at <= now(kernel):
        errors["startsAt"] = "must be in the future"
    if ends_at <= starts_at:
        errors["endsAt"] = "must be after the start"
    raise_if(errors)
    row = BakeryClubEvent(
        member=member_id,
        kind=kind,
        title=title.strip(),
        description=description,
        place=place.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        seats=seats,
        seats_taken=0,
        created_at=now(kernel),
    )
    async with kernel.db.write():
        await scoped(BakeryClubEvent, member_id).insert(row)
    return row.to_dict()


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


async def _registration(member_id: int, event_id: int, user_id: int) -> dict[str, Any] | None:
    return first(
        await scoped(R, member_id).select().where((R.event == event_id) & (R.user == user_id))
    )


async def _take_seat(member_id: int, event_id: int) -> bool:
    taken = await (
        scoped(BakeryClubEvent, member_id)
        .update({BakeryClubEvent.seats_taken: BakeryClubEvent.seats_taken + 1})
        .where(
            (BakeryClubEvent.id == event_id) & (BakeryClubEvent.seats_taken < BakeryClubEvent.seats)
        )
        .returning(BakeryClubEvent.seats_taken)
    )
    return bool(taken)


async def _changed(kernel: Any, member_id: int, event_id: int, user_id: int, status: str) -> None:
    await publish(
        kernel,
        BakeryClubRegistrationChanged(
            member_id=member_id, club_event_id=event_id, user_id=user_id, status=status
        ),
    )


async def register(kernel: Any, member_id: int, user_id: int, event_id: int) -> dict[str, Any]:
    """A seat if one is free, else a place at the end of the waitlist. Registering again
    while registered or waitlisted changes nothing."""
    async with kernel.db.write():
        await active_membership(member_id, user_id)
        event = await lock(kernel, BakeryClubEvent, member_id, event_id, "event")
        if event["starts_at"] <= now(kernel):
            raise Conflict("the event has started")
        existing = await _registration(member_id, event_id, user_id)
        if existing is not None and existing["status"] in ("registered", "waitlisted"):
            return existing
        status = "registered" if await _take_seat(member_id, event_id) else "waitlisted"
        values = {
            R.status: status,
            R.registered_at: now(kernel),
            R.promoted_at: None,
            R.cancelled_at: None,
            R.checked_in_at: None,
        }
        if existing is None:
            await scoped(R, member_id).insert(
                R(
                    member=member_id,
                    event=event_id,
                    user=user_id,
                    status=status,
                    registered_at=now(kernel),
                )
            )
        else:
            await scoped(R, member_id).update(values).where(R.id == existing["id"])
        await _changed(kernel, member_id, event_id, user_id, status)
        found = await _registration(member_id, event_id, user_id)
    assert found is not None
    return found


async def cancel_registration(
    kernel: Any, member_id: int, user_id: int, event_id: int
) -> dict[str, Any]:
    """Give up a seat (the earliest waitlisted resident gets it) or a waitlist place."""
    async with kernel.db.write():
        await lock(kernel, BakeryClubEvent, member_id, event_id, "event")
        existing = await _registration(member_id, event_id, user_id)
        if existing is None:
            raise NotFound("registration not found")
        if existing["status"] not in ("registered", "waitlisted"):
            return existing
        if existing["checked_in_at"] is not None:
            raise Conflict("already checked in")
        await (
            scoped(R, member_id)
            .update({R.status: "cancelled", R.cancelled_at: now(kernel)})
            .where(R.id == existing["id"])
        )
        await _changed(kernel, member_id, event_id, user_id, "cancelled")
        if existing["status"] == "registered":
            await (
                scoped(BakeryClubEvent, member_id)
                .update({BakeryClubEvent.seats_taken: BakeryClubEvent.seats_taken - 1})
                .where((BakeryClubEvent.id == event_id) & (BakeryClubEvent.seats_taken > 0))
            )
            await _promote_next(kernel, member_id, event_id)
        found = await _registration(member_id, event_id, user_id)
    assert found is not None
    return found


async def _promote_next(kernel: Any, member_id: int, event_id: int) -> None:
    """Give the freed seat to the earliest waitlisted resident (the event row is locked)."""
    waiting = first(
        await scoped(R, member_id)
        .select(R.id, R.user)
        .where((R.event == event_id) & (R.status == "waitlisted"))
        .order_by(R.registered_at)
        .order_by(R.id)
        .limit(1)
    )
    if waiting is None or not await _take_seat(member_id, event_id):
        return
    await (
        scoped(R, member_id)
        .update({R.status: "registered", R.promoted_at: now(kernel)})
        .where((R.id == waiting["id"]) & (R.status == "waitlisted"))
    )
    await _changed(kernel, member_id, event_id, int(waiting["user"]), "promoted")


async def check_in(kernel: Any, member_id: int, event_id: int, user_id: int) -> dict[str, Any]:
    """The bakery checks a registered resident in at the door (again: no change)."""
    async with kernel.db.write():
        event = first(
            await scoped(BakeryClubEvent, member_id).select().where(BakeryClubEvent.id == event_id)
        )
        if event is None:
            raise NotFound("event not found")
        existing = await _registration(member_id, event_id, user_id)
        if existing is None:
            raise NotFound("registration not found")
        if existing["status"] != "registered":
            raise BadUserInput(
                "invalid input", field_errors={"userId": f"is {existing['status']}, not registered"}
            )
        if existing["checked_in_at"] is None:
            await (
                scoped(R, member_id)
                .update({R.checked_in_at: now(kernel)})
                .where((R.id == existing["id"]) & R.checked_in_at.is_null())
            )
            await publish(
                kernel,
                BakeryClubCheckedIn(member_id=member_id, club_event_id=event_id, user_id=user_id),
            )
        found = await _registration(member_id, event_id, user_id)
    assert found is not None
    return found


async def expire_waitlists(kernel: Any) -> int:
    """Job: waitlist places of events that have started can no longer be promoted; mark
    them ``expired`` so residents see they did not get in. Safe to run anywhere, twice."""
    async with kernel.db.write():
        rows = await run_sql(
            kernel.db,
            "UPDATE bakery_club_registration SET status = 'expired' WHERE status = 'waitlisted' "
            "AND event IN (SELECT id FROM bakery_club_event WHERE starts_at <= {}) RETURNING id",
            now(kernel),
        )
    return len(rows)

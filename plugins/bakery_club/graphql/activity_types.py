"""GraphQL types of the club's activities: events, samples, posts, points (``BakeryClub*``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from plugins.bakery_club.graphql.types import (
    BakeryClubEventKind,
    BakeryClubPostKind,
    BakeryClubSampleMethod,
    gid,
)
from plugins.bakery_club.service.posts import photo_urls

__all__ = [
    "ACTIVITY_TYPES",
    "BakeryClubAttendance",
    "BakeryClubEventInput",
    "BakeryClubEventType",
    "BakeryClubPointsEntryType",
    "BakeryClubPostInput",
    "BakeryClubPostType",
    "BakeryClubRedemptionType",
    "BakeryClubRegistrationType",
    "BakeryClubSampleBatchType",
    "BakeryClubSampleClaimType",
]


@strawberry.type(name="BakeryClubEvent")
class BakeryClubEventType:
    id: strawberry.ID
    kind: BakeryClubEventKind
    title: str
    description: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    seats: int
    seats_taken: int
    waitlisted: int
    my_status: str | None

    @strawberry.field
    def seats_left(self) -> int:
        return max(self.seats - self.seats_taken, 0)

    @classmethod
    def from_row(
        cls, row: dict[str, Any], waitlisted: int = 0, my_status: str | None = None
    ) -> BakeryClubEventType:
        return cls(
            id=gid("BakeryClubEvent", row["id"]),
            kind=BakeryClubEventKind(row["kind"]),
            title=row["title"],
            description=row["description"],
            place=row["place"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            seats=row["seats"],
            seats_taken=row["seats_taken"],
            waitlisted=waitlisted,
            my_status=my_status,
        )


@strawberry.type(name="BakeryClubRegistration")
class BakeryClubRegistrationType:
    id: strawberry.ID
    event_id: strawberry.ID
    user_id: strawberry.ID
    status: str
    registered_at: dt.datetime
    promoted_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    checked_in_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> BakeryClubRegistrationType:
        return cls(
            id=gid("BakeryClubRegistration", row["id"]),
            event_id=gid("BakeryClubEvent", row["event"]),
            user_id=gid("User", row["user"]),
            status=row["status"],
            registered_at=row["registered_at"],
            promoted_at=row["promoted_at"],
            cancelled_at=row["cancelled_at"],
            checked_in_at=row["checked_in_at"],
        )


@strawberry.type
class BakeryClubAttendance:
    event: BakeryClubEventType
    registered: int
    waitlisted: int
    checked_in: int
    registrations: list[BakeryClubRegistrationType]


@strawberry.type(name="BakeryClubSampleBatch")
class BakeryClubSampleBatchType:
    id: strawberry.ID
    product: str
    quantity: int
    allocated: int
    method: BakeryClubSampleMethod
    status: str
    my_claim: str | None

    @classmethod
    def from_row(
        cls, row: dict[str, Any], my_claim: str | None = None
    ) -> BakeryClubSampleBatchType:
        return cls(
            id=gid("BakeryClubSampleBatch", row["id"]),
            product=row["product"],
            quantity=row["quantity"],
            allocated=row["allocated"],
            method=BakeryClubSampleMethod(row["method"]),
            status=row["status"],
            my_claim=my_claim,
        )


@strawberry.type(name="BakeryClubSampleClaim")
class BakeryClubSampleClaimType:
    batch_id: strawberry.ID
    status: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> BakeryClubSampleClaimType:
        return cls(batch_id=gid("BakeryClubSampleBatch", row["batch"]), status=row["status"])


@strawberry.type(name="BakeryClubPost")
class BakeryClubPostType:
    id: strawberry.ID
    author_id: strawberry.ID
    kind: BakeryClubPostKind
    title: str
    body: str
    photo_urls: list[str]
    status: str
    submitted_at: dt.datetime
    moderated_at: dt.datetime | None
    reject_reason: str
    likes: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> BakeryClubPostType:
        return cls(
            id=gid("BakeryClubPost", row["id"]),
            author_id=gid("User", row["author"]),
            kind=BakeryClubPostKind(row["kind"]),
            title=row["title"],
            body=row["body"],
            photo_urls=photo_urls(row),
            status=row["status"],
            submitted_at=row["submitted_at"],
            moderated_at=row["moderated_at"],
            reject_reason=row["reject_reason"],
            likes=row["likes"],
        )


@strawberry.type(name="BakeryClubPointsEntry")
class BakeryClubPointsEntryType:
    id: strawberry.ID
    delta: int
    reason: str
    ref: str
    balance_after: int
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> BakeryClubPointsEntryType:
        return cls(
            id=gid("BakeryClubPointsEntry", row["id"]),
            delta=row["delta"],
            reason=row["reason"],
            ref=row["reference"],
            balance_after=row["balance_after"],
            created_at=row["created_at"],
        )


@strawberry.type(name="BakeryClubRedemption")
class BakeryClubRedemptionType:
    id: strawberry.ID
    reward_id: strawberry.ID
    points: int
    code: str
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> BakeryClubRedemptionType:
        return cls(
            id=gid("BakeryClubRedemption", row["id"]),
            reward_id=gid("BakeryClubReward", row["reward"]),
            points=row["points"],
            code=row["code"],
            created_at=row["created_at"],
        )


@strawberry.input
class BakeryClubEventInput:
    kind: BakeryClubEventKind
    title: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    seats: int
    description: str = ""


@strawberry.input
class BakeryClubPostInput:
    kind: BakeryClubPostKind
    title: str
    body: str = ""
    photo_urls: list[str] = strawberry.field(default_factory=list)


ACTIVITY_TYPES: tuple[type, ...] = (
    BakeryClubEventType,
    BakeryClubRegistrationType,
    BakeryClubAttendance,
    BakeryClubSampleBatchType,
    BakeryClubSampleClaimType,
    BakeryClubPostType,
    BakeryClubPointsEntryType,
    BakeryClubRedemptionType,
)

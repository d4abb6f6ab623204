"""GraphQL types of the club itself: tiers, rewards, memberships, ambassadors, and the
enums (every name prefixed ``BakeryClub``)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import strawberry

from alliance_sdk import encode_id
from plugins.bakery_club.service.ambassadors import referral_link

__all__ = [
    "TYPES",
    "BakeryClubAmbassadorType",
    "BakeryClubEventKind",
    "BakeryClubInfo",
    "BakeryClubMe",
    "BakeryClubMembershipType",
    "BakeryClubPostKind",
    "BakeryClubRewardType",
    "BakeryClubSampleMethod",
    "BakeryClubTierType",
    "gid",
]


def gid(type_name: str, pk: Any) -> strawberry.ID:
    return encode_id(type_name, int(pk))


@strawberry.enum(name="BakeryClubEventKind")
class BakeryClubEventKind(enum.Enum):
    TASTING = "tasting"
    WORKSHOP = "workshop"


@strawberry.enum(name="BakeryClubSampleMethod")
class BakeryClubSampleMethod(enum.Enum):
    FIRST_COME = "first_come"
    LOTTERY = "lottery"


@strawberry.enum(name="BakeryClubPostKind")
class BakeryClubPostKind(enum.Enum):
    PHOTO = "photo"
    RECIPE = "recipe"


@strawberry.type(name="BakeryClubTier")
class BakeryClubTierType:
    id: strawberry.ID
    name: str
    discount_bp: int
    min_points: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> BakeryClubTierType:
        return cls(
            id=gid("BakeryClubTier", row["id"]),
            name=row["name"],
            discount_bp=row["discount_bp"],
            min_points=row["min_points"],
        )


@strawberry.type(name="BakeryClubReward")
class BakeryClubRewardType:
    id: strawberry.ID
    name: str
    cost_points: int
    stock: int | None
    redeemed: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> BakeryClubRewardType:
        return cls(
            id=gid("BakeryClubReward", row["id"]),
            name=row["name"],
            cost_points=row["cost_points"],
            stock=row["stock"],
            redeemed=row["redeemed"],
        )


@strawberry.type
class BakeryClubInfo:
    name: str
    points_per_post: int
    tiers: list[BakeryClubTierType]
    rewards: list[BakeryClubRewardType]


@strawberry.type(name="BakeryClubMembership")
class BakeryClubMembershipType:
    id: strawberry.ID
    user_id: strawberry.ID
    status: str
    tier_id: strawberry.ID | None
    tier_name: str | None
    discount_bp: int
    joined_at: dt.datetime
    left_at: dt.datetime | None
    points_balance: int
    points_earned: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> BakeryClubMembershipType:
        return cls(
            id=gid("BakeryClubMembership", row["id"]),
            user_id=gid("User", row["user"]),
            status=row["status"],
            tier_id=gid("BakeryClubTier", row["tier"]) if row.get("tier") else None,
            tier_name=row.get("tier_name"),
            discount_bp=int(row.get("tier_discount_bp") or 0),
            joined_at=row["joined_at"],
            left_at=row["left_at"],
            points_balance=row["points_balance"],
            points_earned=row["points_earned"],
        )


@strawberry.type
class BakeryClubMe:
    membership: BakeryClubMembershipType | None
    ambassador_code: str | None
    referral_link: str | None


@strawberry.type(name="BakeryClubAmbassador")
class BakeryClubAmbassadorType:
    user_id: strawberry.ID
    code: str
    referral_link: str
    active: bool
    promoted_at: dt.datetime
    referrals: int
    conversions: int
    converted_fen: int

    @classmethod
    def from_row(cls, row: dict[str, Any], template: str) -> BakeryClubAmbassadorType:
        return cls(
            user_id=gid("User", row["user"]),
            code=row["code"],
            referral_link=referral_link(template, row["code"]),
            active=row["revoked_at"] is None,
            promoted_at=_instant(row["promoted_at"]),
            referrals=int(row.get("referrals") or 0),
            conversions=int(row.get("conversions") or 0),
            converted_fen=int(row.get("converted_fen") or 0),
        )


def _instant(value: Any) -> dt.datetime:
    """Raw SQL on SQLite answers text: parse it; PostgreSQL answers datetimes."""
    if isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


TYPES: tuple[type, ...] = (
    BakeryClubTierType,
    BakeryClubRewardType,
    BakeryClubInfo,
    BakeryClubMembershipType,
    BakeryClubMe,
    BakeryClubAmbassadorType,
)

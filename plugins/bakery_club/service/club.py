"""The club itself: its settings row, tiers, residents joining and leaving, the discount."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alliance_sdk import BadUserInput, NotFound, publish, scoped
from plugins.bakery_club.events import BakeryClubMemberJoined, BakeryClubMemberLeft
from plugins.bakery_club.service.common import check_text, first, now, raise_if
from plugins.bakery_club.tables import (
    BakeryClubAmbassador,
    BakeryClubClub,
    BakeryClubMembership,
    BakeryClubTier,
)

__all__ = [
    "best_tier",
    "create_tier",
    "join",
    "leave",
    "member_discount",
    "save_club",
    "set_member_tier",
    "tiers",
    "update_tier",
]

DEFAULT_TIER = "Member"


async def save_club(kernel: Any, member_id: int, config: Mapping[str, Any]) -> None:
    """Create or update the club row from the plugin's configuration; a new club gets a
    default tier so that joining always lands somewhere."""
    values = {
        BakeryClubClub.name: config["club_name"],
        BakeryClubClub.points_per_post: config["points_per_post"],
        BakeryClubClub.referral_link_template: config["referral_link_template"],
    }
    async with kernel.db.write():
        if await scoped(BakeryClubClub, member_id).exists():
            await scoped(BakeryClubClub, member_id).update(values)
        else:
            row = BakeryClubClub(member=member_id, created_at=now(kernel))
            for column, value in values.items():
                setattr(row, column._meta.name, value)
            await scoped(BakeryClubClub, member_id).insert(row)
        if not await scoped(BakeryClubTier, member_id).exists():
            await scoped(BakeryClubTier, member_id).insert(
                BakeryClubTier(
                    member=member_id,
                    name=DEFAULT_TIER,
                    discount_bp=0,
                    min_points=0,
                    created_at=now(kernel),
                )
            )


async def tiers(member_id: int) -> list[dict[str, Any]]:
    return list(
        await scoped(BakeryClubTier, member_id)
        .select()
        .order_by(BakeryClubTier.min_points)
        .order_by(BakeryClubTier.id)
    )


def _check_tier(name: str, discount_bp: int, min_points: int) -> None:
    errors: dict[str, str] = {}
    check_text(errors, "name", name, 80)
    if not 0 <= discount_bp <= 10_000:
        errors["discountBp"] = "between 0 and 10000 basis points"
    if not 0 <= min_points <= 100_000_000:
        errors["minPoints"] = "between 0 and 100000000"
    raise_if(errors)


async def _name_taken(member_id: int, name: str, other_than: int | None = None) -> bool:
    query = scoped(BakeryClubTier, member_id).select(BakeryClubTier.id)
    rows = await query.where(BakeryClubTier.name == name)
    return any(row["id"] != other_than for row in rows)


async def create_tier(
    kernel: Any, member_id: int, name: str, discount_bp: int, min_points: int
) -> dict[str, Any]:
    _check_tier(name, discount_bp, min_points)
    async with kernel.db.write():
        if await _name_taken(member_id, name.strip()):
            raise BadUserInput("invalid input", field_errors={"name": "already a tier"})
        row = BakeryClubTier(
            member=member_id,
            name=name.strip(),
            discount_bp=discount_bp,
            min_points=min_points,
            created_at=now(kernel),
        )
        await scoped(BakeryClubTier, member_id).insert(row)
    return row.to_dict()


async def update_tier(
    kernel: Any, member_id: int, tier_id: int, name: str, discount_bp: int, min_points: int
) -> dict[str, Any]:
    _check_tier(name, discount_bp, min_points)
    async with kernel.db.write():
        if await _name_taken(member_id, name.strip(), other_than=tier_id):
            raise BadUserInput("invalid input", field_errors={"name": "already a tier"})
        rows = await (
            scoped(BakeryClubTier, member_id)
            .update(
                {
                    BakeryClubTier.name: name.strip(),
                    BakeryClubTier.discount_bp: discount_bp,
                    BakeryClubTier.min_points: min_points,
                }
            )
            .where(BakeryClubTier.id == tier_id)
            .returning(*BakeryClubTier.all_columns())
        )
    if not rows:
        raise NotFound("tier not found")
    return dict(rows[0])


async def best_tier(member_id: int, points_earned: int) -> dict[str, Any] | None:
    """The highest tier ``points_earned`` reaches."""
    reached = [t for t in await tiers(member_id) if t["min_points"] <= points_earned]
    return reached[-1] if reached else None


async def join(kernel: Any, member_id: int, user_id: int) -> dict[str, Any]:
    """The resident joins (or rejoins, keeping their points); joining twice is a no-op."""
    async with kernel.db.write():
        existing = first(
            await scoped(BakeryClubMembership, member_id)
            .select()
            .where(BakeryClubMembership.user == user_id)
        )
        if existing is not None and existing["status"] == "active":
            return existing
        earned = existing["points_earned"] if existing else 0
        tier = await best_tier(member_id, earned)
        tier_id = tier["id"] if tier else None
        if existing is None:
            row = BakeryClubMembership(
                member=member_id,
                user=user_id,
                tier=tier_id,
                status="active",
                joined_at=now(kernel),
            )
            await scoped(BakeryClubMembership, member_id).insert(row)
        else:
            await (
                scoped(BakeryClubMembership, member_id)
                .update(
                    {
                        BakeryClubMembership.status: "active",
                        BakeryClubMembership.joined_at: now(kernel),
                        BakeryClubMembership.left_at: None,
                        BakeryClubMembership.tier: tier_id,
                    }
                )
                .where(BakeryClubMembership.id == existing["id"])
            )
        await publish(
            kernel, BakeryClubMemberJoined(member_id=member_id, user_id=user_id, tier_id=tier_id)
        )
        row_now = first(
            await scoped(BakeryClubMembership, member_id)
            .select()
            .where(BakeryClubMembership.user == user_id)
        )
    assert row_now is not None
    return row_now


async def leave(kernel: Any, member_id: int, user_id: int) -> bool:
    """The resident leaves: points stay on the ledger (for a return), an ambassadorship ends.
    Registrations stay as they are (the resident cancels them if they wish)."""
    async with kernel.db.write():
        rows = await (
            scoped(BakeryClubMembership, member_id)
            .update(
                {BakeryClubMembership.status: "left", BakeryClubMembership.left_at: now(kernel)}
            )
            .where(
                (BakeryClubMembership.user == user_id) & (BakeryClubMembership.status == "active")
            )
            .returning(BakeryClubMembership.id)
        )
        if not rows:
            return False
        await (
            scoped(BakeryClubAmbassador, member_id)
            .update({BakeryClubAmbassador.revoked_at: now(kernel)})
            .where(
                (BakeryClubAmbassador.user == user_id) & BakeryClubAmbassador.revoked_at.is_null()
            )
        )
        await publish(kernel, BakeryClubMemberLeft(member_id=member_id, user_id=user_id))
    return True


async def set_member_tier(
    kernel: Any, member_id: int, user_id: int, tier_id: int
) -> dict[str, Any]:
    async with kernel.db.write():
        if not await scoped(BakeryClubTier, member_id).exists().where(BakeryClubTier.id == tier_id):
            raise NotFound("tier not found")
        rows = await (
            scoped(BakeryClubMembership, member_id)
            .update({BakeryClubMembership.tier: tier_id})
            .where(BakeryClubMembership.user == user_id)
            .returning(*BakeryClubMembership.all_columns())
        )
    if not rows:
        raise NotFound("club member not found")
    return dict(rows[0])


async def member_discount(member_id: int, buyer_user_id: int) -> int | None:
    """The active member's tier discount in basis points; None for anyone else, and for a
    0 bp tier (so another plugin's discount may answer)."""
    rows = await (
        scoped(BakeryClubMembership, member_id)
        .select(BakeryClubMembership.tier.discount_bp.as_alias("discount_bp"))
        .where(
            (BakeryClubMembership.user == buyer_user_id) & (BakeryClubMembership.status == "active")
        )
    )
    if not rows or not rows[0]["discount_bp"]:
        return None
    return int(rows[0]["discount_bp"])

"""The points ledger and rewards.

Entries are only ever inserted. The membership row carries the running balance, changed in
the same transaction as the entry by a conditional update (``balance >= cost`` for a debit),
so the balance is always the sum of the entries and never goes below zero, even when
redemptions race: the second waits for the first's row lock, then re-checks the condition.
"""

from __future__ import annotations

from typing import Any

from alliance_sdk import NotFound, publish, scoped
from plugins.bakery_club.events import BakeryClubRewardRedeemed
from plugins.bakery_club.service.club import best_tier
from plugins.bakery_club.service.common import (
    NotEnoughPoints,
    RewardOutOfStock,
    active_membership,
    check_text,
    first,
    new_code,
    now,
    raise_if,
)
from plugins.bakery_club.tables import (
    BakeryClubMembership,
    BakeryClubPointsEntry,
    BakeryClubRedemption,
    BakeryClubReward,
)

__all__ = ["create_reward", "credit", "debit", "redeem"]

M = BakeryClubMembership
W = BakeryClubReward


async def _entry(
    kernel: Any, member_id: int, user_id: int, delta: int, reason: str, ref: str, balance: int
) -> None:
    await scoped(BakeryClubPointsEntry, member_id).insert(
        BakeryClubPointsEntry(
            member=member_id,
            user=user_id,
            delta=delta,
            reason=reason,
            reference=ref,
            balance_after=balance,
            created_at=now(kernel),
        )
    )


async def credit(
    kernel: Any, member_id: int, user_id: int, points: int, reason: str, ref: str
) -> int | None:
    """Add points (inside the caller's transaction); a tier reached is granted at once.
    Returns the new balance, or None when the resident never joined."""
    if points <= 0:
        raise ValueError("credit a positive number of points")
    rows = await (
        scoped(M, member_id)
        .update(
            {M.points_balance: M.points_balance + points, M.points_earned: M.points_earned + points}
        )
        .where(M.user == user_id)
        .returning(M.points_balance, M.points_earned, M.tier)
    )
    if not rows:
        return None
    balance, earned = int(rows[0]["points_balance"]), int(rows[0]["points_earned"])
    await _entry(kernel, member_id, user_id, points, reason, ref, balance)
    tier = await best_tier(member_id, earned)
    if tier is not None and tier["id"] != rows[0]["tier"]:
        current = first(
            await scoped(M, member_id)
            .select(M.tier.min_points.as_alias("min_points"))
            .where(M.user == user_id)
        )
        if (
            current is None
            or current["min_points"] is None
            or tier["min_points"] > current["min_points"]
        ):
            await scoped(M, member_id).update({M.tier: tier["id"]}).where(M.user == user_id)
    return balance


async def debit(
    kernel: Any, member_id: int, user_id: int, points: int, reason: str, ref: str
) -> int:
    """Take points (inside the caller's transaction), or NotEnoughPoints; returns the balance."""
    if points <= 0:
        raise ValueError("debit a positive number of points")
    rows = await (
        scoped(M, member_id)
        .update({M.points_balance: M.points_balance - points})
        .where((M.user == user_id) & (M.points_balance >= points))
        .returning(M.points_balance)
    )
    if not rows:
        raise NotEnoughPoints()
    balance = int(rows[0]["points_balance"])
    await _entry(kernel, member_id, user_id, -points, reason, ref, balance)
    return balance


async def create_reward(
    kernel: Any, member_id: int, name: str, cost_points: int, stock: int | None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    check_text(errors, "name", name, 200)
    if not 1 <= cost_points <= 1_000_000:
        errors["costPoints"] = "between 1 and 1000000"
    if stock is not None and not 0 <= stock <= 1_000_000:
        errors["stock"] = "between 0 and 1000000, or null for unlimited"
    raise_if(errors)
    row = W(
        member=member_id,
        name=name.strip(),
        cost_points=cost_points,
        stock=stock,
        redeemed=0,
        active=True,
        created_at=now(kernel),
    )
    async with kernel.db.write():
        await scoped(W, member_id).insert(row)
    return row.to_dict()


async def redeem(kernel: Any, member_id: int, user_id: int, reward_id: int) -> dict[str, Any]:
    """Spend points on a reward: stock taken, points debited, voucher written, all or none."""
    async with kernel.db.write():
        await active_membership(member_id, user_id)
        reward = first(
            await scoped(W, member_id).select().where((W.id == reward_id) & W.active.eq(True))
        )
        if reward is None:
            raise NotFound("reward not found")
        condition: Any = W.id == reward_id
        if reward["stock"] is not None:
            condition &= W.redeemed < W.stock
        taken = await (
            scoped(W, member_id)
            .update({W.redeemed: W.redeemed + 1})
            .where(condition)
            .returning(W.id)
        )
        if not taken:
            raise RewardOutOfStock()
        row = BakeryClubRedemption(
            member=member_id,
            reward=reward_id,
            user=user_id,
            points=reward["cost_points"],
            code=new_code(10),
            created_at=now(kernel),
        )
        await scoped(BakeryClubRedemption, member_id).insert(row)
        await debit(
            kernel, member_id, user_id, reward["cost_points"], "redemption", f"redemption:{row.id}"
        )
        await publish(
            kernel,
            BakeryClubRewardRedeemed(
                member_id=member_id,
                reward_id=reward_id,
                user_id=user_id,
                points=reward["cost_points"],
            ),
        )
    return row.to_dict()

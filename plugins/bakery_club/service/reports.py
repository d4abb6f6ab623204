"""Reads: what the bakery sees of its club, and what a member sees of their own part."""

from __future__ import annotations

import datetime as dt
from typing import Any

from alliance_sdk import NotFound, placeholders, run_sql, scoped
from plugins.bakery_club.service.common import first
from plugins.bakery_club.tables import (
    BakeryClubAmbassador,
    BakeryClubEvent,
    BakeryClubMembership,
    BakeryClubPointsEntry,
    BakeryClubPost,
    BakeryClubRegistration,
    BakeryClubReward,
    BakeryClubSampleBatch,
    BakeryClubSampleClaim,
)

__all__ = [
    "ambassador_of",
    "ambassadors",
    "attendance",
    "batches",
    "events",
    "ledger_page",
    "members_page",
    "membership_of",
    "my_claims",
    "my_registrations",
    "posts_page",
    "rewards",
    "top_posts",
    "waitlist_counts",
]

M = BakeryClubMembership
E = BakeryClubEvent
R = BakeryClubRegistration


def _with_tier(query: Any) -> Any:
    return query.select(
        *M.all_columns(),
        M.tier.name.as_alias("tier_name"),
        M.tier.discount_bp.as_alias("tier_discount_bp"),
    )


async def membership_of(member_id: int, user_id: int) -> dict[str, Any] | None:
    query = scoped(M, member_id)
    rows = await _with_tier(query).where(M.user == user_id)
    return first(rows)


async def members_page(
    member_id: int, after_id: int, limit: int, status: str | None
) -> list[dict[str, Any]]:
    condition: Any = M.id > after_id
    if status is not None:
        condition &= M.status == status
    rows = await _with_tier(scoped(M, member_id)).where(condition).order_by(M.id).limit(limit)
    return list(rows)


async def ambassadors(kernel: Any, member_id: int) -> list[dict[str, Any]]:
    """Ambassadors with their referrals (orders placed with their code, not cancelled) and
    conversions (those picked up)."""
    rows = await run_sql(
        kernel.db,
        'SELECT a.id, a."user", a.code, a.promoted_at, a.revoked_at, '
        "COUNT(r.id) FILTER (WHERE r.status <> 'cancelled') AS referrals, "
        "COUNT(r.id) FILTER (WHERE r.status = 'picked_up') AS conversions, "
        "COALESCE(SUM(r.total_fen) FILTER (WHERE r.status = 'picked_up'), 0) AS converted_fen "
        "FROM bakery_club_ambassador a LEFT JOIN bakery_club_referral r "
        "ON r.ambassador = a.id AND r.member = a.member "
        'WHERE a.member = {} GROUP BY a.id, a."user", a.code, a.promoted_at, a.revoked_at '
        "ORDER BY a.id",
        member_id,
    )
    return [{**row, "user": int(row["user"])} for row in rows]


async def events(member_id: int, after: dt.datetime | None) -> list[dict[str, Any]]:
    query = scoped(E, member_id).select()
    if after is not None:
        query = query.where(E.starts_at > after)
    return list(await query.order_by(E.starts_at).order_by(E.id).limit(100))


async def waitlist_counts(kernel: Any, member_id: int, event_ids: list[int]) -> dict[int, int]:
    if not event_ids:
        return {}
    rows = await run_sql(
        kernel.db,
        "SELECT event, COUNT(*) AS n FROM bakery_club_registration WHERE member = {} "
        f"AND status = 'waitlisted' AND event IN ({placeholders(event_ids)}) GROUP BY event",
        member_id,
        *event_ids,
    )
    return {int(row["event"]): int(row["n"]) for row in rows}


async def my_registrations(
    member_id: int, user_id: int, event_ids: list[int]
) -> dict[int, dict[str, Any]]:
    if not event_ids:
        return {}
    rows = await scoped(R, member_id).select().where((R.user == user_id) & R.event.is_in(event_ids))
    return {int(row["event"]): row for row in rows}


async def attendance(member_id: int, event_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The event and every registration (registered first, then the waitlist in order)."""
    event = first(await scoped(E, member_id).select().where(E.id == event_id))
    if event is None:
        raise NotFound("event not found")
    rows = await (
        scoped(R, member_id)
        .select()
        .where(R.event == event_id)
        .order_by(R.registered_at)
        .order_by(R.id)
    )
    rank = {"registered": 0, "waitlisted": 1, "expired": 2, "cancelled": 3}
    return event, sorted(rows, key=lambda r: rank.get(r["status"], 9))


async def top_posts(member_id: int, limit: int) -> list[dict[str, Any]]:
    P = BakeryClubPost
    return list(
        await scoped(P, member_id)
        .select()
        .where(P.status == "approved")
        .order_by(P.likes, ascending=False)
        .order_by(P.id, ascending=False)
        .limit(limit)
    )


async def posts_page(
    member_id: int, status: str, after_id: int, limit: int
) -> list[dict[str, Any]]:
    P = BakeryClubPost
    return list(
        await scoped(P, member_id)
        .select()
        .where((P.status == status) & (P.id > after_id))
        .order_by(P.id)
        .limit(limit)
    )


async def ledger_page(
    member_id: int, user_id: int, after_id: int, limit: int
) -> list[dict[str, Any]]:
    L = BakeryClubPointsEntry
    return list(
        await scoped(L, member_id)
        .select()
        .where((L.user == user_id) & (L.id > after_id))
        .order_by(L.id)
        .limit(limit)
    )


async def rewards(member_id: int) -> list[dict[str, Any]]:
    W = BakeryClubReward
    return list(
        await scoped(W, member_id).select().where(W.active.eq(True)).order_by(W.cost_points)
    )


async def batches(member_id: int) -> list[dict[str, Any]]:
    B = BakeryClubSampleBatch
    return list(await scoped(B, member_id).select().order_by(B.id, ascending=False).limit(100))


async def my_claims(member_id: int, user_id: int) -> dict[int, str]:
    C = BakeryClubSampleClaim
    rows = await scoped(C, member_id).select(C.batch, C.status).where(C.user == user_id)
    return {int(row["batch"]): str(row["status"]) for row in rows}


async def ambassador_of(member_id: int, user_id: int) -> dict[str, Any] | None:
    A = BakeryClubAmbassador
    return first(await scoped(A, member_id).select().where(A.user == user_id))

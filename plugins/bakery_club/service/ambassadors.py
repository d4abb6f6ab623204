"""Ambassadors (推广大使): promotion, referral codes, order attribution and referral counts.

Attribution answers ``attribute_order`` for orders arriving with an active ambassador's
code; counting listens to groupbuy's events (subscribed by type string, never imported), so
referrals are counted whether or not ``revenue_share`` pays anyone for them.
"""

from __future__ import annotations

from typing import Any

from alliance_sdk import Attribution, NotFound, publish, scoped
from plugins.bakery_club.events import BakeryClubAmbassadorPromoted, BakeryClubReferralRecorded
from plugins.bakery_club.service.common import first, new_code, now
from plugins.bakery_club.tables import (
    BakeryClubAmbassador,
    BakeryClubMembership,
    BakeryClubReferral,
)

__all__ = [
    "attribution",
    "normalise_code",
    "order_cancelled",
    "order_seen",
    "promote",
    "referral_link",
    "revoke",
]


def normalise_code(code: str | None) -> str:
    return (code or "").strip().upper()


def referral_link(template: str, code: str) -> str:
    return template.replace("{code}", code)


async def promote(kernel: Any, member_id: int, user_id: int) -> dict[str, Any]:
    """Make an active club member an ambassador (again: a returning one keeps their code)."""
    async with kernel.db.write():
        member = (
            await scoped(BakeryClubMembership, member_id)
            .exists()
            .where(
                (BakeryClubMembership.user == user_id) & (BakeryClubMembership.status == "active")
            )
        )
        if not member:
            raise NotFound("club member not found")
        existing = first(
            await scoped(BakeryClubAmbassador, member_id)
            .select()
            .where(BakeryClubAmbassador.user == user_id)
        )
        if existing is not None and existing["revoked_at"] is None:
            return existing
        if existing is None:
            row = BakeryClubAmbassador(
                member=member_id, user=user_id, code=new_code(), promoted_at=now(kernel)
            )
            await scoped(BakeryClubAmbassador, member_id).insert(row)
            code = row.code
        else:
            code = existing["code"]
            await (
                scoped(BakeryClubAmbassador, member_id)
                .update(
                    {
                        BakeryClubAmbassador.revoked_at: None,
                        BakeryClubAmbassador.promoted_at: now(kernel),
                    }
                )
                .where(BakeryClubAmbassador.id == existing["id"])
            )
        await publish(
            kernel,
            BakeryClubAmbassadorPromoted(member_id=member_id, user_id=user_id, code=code),
        )
        found = first(
            await scoped(BakeryClubAmbassador, member_id)
            .select()
            .where(BakeryClubAmbassador.user == user_id)
        )
    assert found is not None
    return found


async def revoke(kernel: Any, member_id: int, user_id: int) -> dict[str, Any]:
    """End an ambassadorship: the code stops attributing; past referrals stay counted."""
    async with kernel.db.write():
        rows = await (
            scoped(BakeryClubAmbassador, member_id)
            .update({BakeryClubAmbassador.revoked_at: now(kernel)})
            .where(
                (BakeryClubAmbassador.user == user_id) & BakeryClubAmbassador.revoked_at.is_null()
            )
            .returning(*BakeryClubAmbassador.all_columns())
        )
        if rows:
            return dict(rows[0])
        found = first(
            await scoped(BakeryClubAmbassador, member_id)
            .select()
            .where(BakeryClubAmbassador.user == user_id)
        )
    if found is None:
        raise NotFound("ambassador not found")
    return found


async def _ambassador_by_code(
    member_id: int, code: str, *, active_only: bool
) -> dict[str, Any] | None:
    if not code:
        return None
    condition: Any = BakeryClubAmbassador.code == code
    if active_only:
        condition &= BakeryClubAmbassador.revoked_at.is_null()
    return first(await scoped(BakeryClubAmbassador, member_id).select().where(condition))


async def attribution(
    member_id: int, buyer_user_id: int, leaders: list[int], referral_code: str | None
) -> Attribution | None:
    """The ambassador credited for an order with ``referral_code``, keeping the leader the
    kernel would credit; None (pass) for no code, an unknown or revoked code, or an
    ambassador buying with their own code."""
    ambassador = await _ambassador_by_code(
        member_id, normalise_code(referral_code), active_only=True
    )
    if ambassador is None or ambassador["user"] == buyer_user_id:
        return None
    return Attribution(
        reason="referral_code",
        leader_member_id=leaders[0] if leaders else None,
        ambassador_user_id=int(ambassador["user"]),
        source="bakery_club",
    )


async def order_seen(kernel: Any, member_id: int, order: dict[str, Any], picked_up: bool) -> bool:
    """Record an order placed (or picked up: a conversion) with one of the bakery's codes.
    Idempotent: the referral is keyed by the order's reference, and a status only advances."""
    ambassador = await _ambassador_by_code(
        member_id, normalise_code(order.get("referral_code")), active_only=False
    )
    if ambassador is None:
        return False
    order_ref = str(order["order_ref"])
    status = "picked_up" if picked_up else "placed"
    async with kernel.db.write():
        existing = first(
            await scoped(BakeryClubReferral, member_id)
            .select()
            .where(BakeryClubReferral.order_ref == order_ref)
        )
        if existing is None:
            await scoped(BakeryClubReferral, member_id).insert(
                BakeryClubReferral(
                    member=member_id,
                    ambassador=ambassador["id"],
                    order_ref=order_ref,
                    buyer_user_id=int(order["buyer_user_id"]),
                    total_fen=int(order.get("total_fen") or 0),
                    status=status,
                    placed_at=now(kernel),
                    picked_up_at=now(kernel) if picked_up else None,
                )
            )
        elif picked_up and existing["status"] != "picked_up":
            await (
                scoped(BakeryClubReferral, member_id)
                .update(
                    {
                        BakeryClubReferral.status: "picked_up",
                        BakeryClubReferral.picked_up_at: now(kernel),
                    }
                )
                .where(BakeryClubReferral.id == existing["id"])
            )
        else:
            return False
        await publish(
            kernel,
            BakeryClubReferralRecorded(
                member_id=member_id,
                ambassador_user_id=int(ambassador["user"]),
                order_ref=order_ref,
                status="converted" if picked_up else "placed",
            ),
        )
    return True


async def order_cancelled(kernel: Any, member_id: int, order_ref: str) -> bool:
    """A referred order that will never be picked up stops counting as pending."""
    async with kernel.db.write():
        rows = await (
            scoped(BakeryClubReferral, member_id)
            .update({BakeryClubReferral.status: "cancelled"})
            .where(
                (BakeryClubReferral.order_ref == order_ref)
                & (BakeryClubReferral.status == "placed")
            )
            .returning(BakeryClubReferral.id)
        )
    return bool(rows)

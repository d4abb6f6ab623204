"""Accrual on pickup and proportional reversal on refund, from groupbuy's events.

The order's one attribution (leader, ambassador, reason) comes from the event: groupbuy asked
``attribute_order`` before writing the order. Bookings are dated when they are processed
(``at``), never back-dated, so a settled period's statement cannot change afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from alliance_sdk import publish, scoped
from plugins.revenue_share.events import CommissionAccrued, CommissionReversed
from plugins.revenue_share.ledger import Leg, Party, lock_payer, post
from plugins.revenue_share.money import round_fraction
from plugins.revenue_share.periods import period_of
from plugins.revenue_share.rules import commission, rule_at
from plugins.revenue_share.settings import settings_of
from plugins.revenue_share.tables import RevenueShareEntry, RevenueShareOrder

__all__ = ["record_pickup", "record_refund"]


def _instant(value: Any, default: dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and value:
        moment = dt.datetime.fromisoformat(value)
    else:
        return default
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _parties(order: Mapping[str, Any]) -> list[tuple[Party, int]]:
    found: list[tuple[Party, int]] = []
    if order["leader_member_id"] is not None and order["commission_fen"]:
        found.append((Party("leader", int(order["leader_member_id"])), order["commission_fen"]))
    if order["ambassador_user_id"] is not None and order["ambassador_commission_fen"]:
        found.append(
            (
                Party("ambassador", int(order["ambassador_user_id"])),
                order["ambassador_commission_fen"],
            )
        )
    return found


async def _leader_gmv(payer_id: int, leader_id: int, kind: str, at: dt.datetime) -> int:
    period = period_of(kind, at)
    rows = await RevenueShareOrder.raw(
        "SELECT COALESCE(SUM(total_fen), 0) AS gmv FROM revenue_share_order "
        "WHERE member = {} AND leader_member_id = {} AND recorded_at >= {} AND recorded_at < {}",
        payer_id,
        leader_id,
        period.starts_at,
        period.ends_at,
    )
    return int(rows[0]["gmv"])


async def record_pickup(
    kernel: Any, payer_id: int, data: Mapping[str, Any], *, at: dt.datetime | None = None
) -> dict[str, Any] | None:
    """Record a picked-up order (a ``groupbuy.order_picked_up`` payload) and accrue its
    commission, frozen for the payer's freeze period. Once per order: a repeat answers None."""
    at = at or kernel.clock()
    order_ref = str(data["order_ref"])
    leader = data.get("leader_member_id")
    ambassador = data.get("ambassador_user_id")
    async with kernel.db.write():
        await lock_payer(kernel, payer_id)
        orders = scoped(RevenueShareOrder, payer_id)
        if await orders.exists().where(RevenueShareOrder.order_ref == order_ref):
            return None
        settings = await settings_of(payer_id)
        picked_up_at = _instant(data.get("picked_up_at"), at)
        rule = await rule_at(payer_id, picked_up_at)
        total = int(data["total_fen"])
        gmv = total + (
            await _leader_gmv(payer_id, int(leader), settings.settlement_period, at)
            if leader is not None
            else 0
        )
        earned = commission(
            rule,
            total_fen=total,
            lines=list(data.get("lines") or []),
            leader_gmv_fen=gmv,
            has_leader=leader is not None,
            has_ambassador=ambassador is not None,
            rounding=settings.rounding,
        )
        order: dict[str, Any] = {
            "order_ref": order_ref,
            "leader_member_id": leader,
            "ambassador_user_id": ambassador,
            "commission_fen": earned.leader_fen,
            "ambassador_commission_fen": earned.ambassador_fen,
        }
        await orders.insert(
            RevenueShareOrder(
                member=payer_id,
                order_id=int(data.get("order_id") or 0),
                buyer_user_id=int(data["buyer_user_id"]),
                community_id=int(data.get("community_id") or 0),
                attribution_reason=str(data.get("attribution_reason") or "none")[:40],
                referral_code=data.get("referral_code"),
                total_fen=total,
                refunded_fen=0,
                rule_id=earned.detail["rule"],
                rates=earned.detail,
                picked_up_at=picked_up_at,
                recorded_at=at,
                **order,
            )
        )
        release_at = at + dt.timedelta(days=settings.freeze_days)
        for party, amount in _parties(order):
            await post(
                payer_id,
                kind="accrual",
                ref=f"accrual:{order_ref}:{party.kind}:{party.id}",
                party=party,
                legs=[Leg("expense", amount), Leg("frozen", -amount)],
                at=at,
                order_ref=order_ref,
                release_at=release_at,
            )
            await publish(
                kernel,
                CommissionAccrued(
                    member_id=payer_id,
                    order_ref=order_ref,
                    party_kind=party.kind,
                    party_id=party.id,
                    amount_fen=amount,
                    attribution_reason=str(data.get("attribution_reason") or "none"),
                ),
            )
        return order


async def _reversed_and_released(
    payer_id: int, order_ref: str
) -> tuple[dict[Party, int], set[Party]]:
    rows = (
        await scoped(RevenueShareEntry, payer_id)
        .select(
            RevenueShareEntry.kind,
            RevenueShareEntry.party_kind,
            RevenueShareEntry.party_id,
            RevenueShareEntry.amount_fen,
        )
        .where(
            (RevenueShareEntry.order_ref == order_ref)
            & RevenueShareEntry.kind.is_in(["reversal", "release"])
        )
    )
    reversed_: dict[Party, int] = {}
    released: set[Party] = set()
    for row in rows:
        party = Party(row["party_kind"], int(row["party_id"]))
        if row["kind"] == "reversal":
            reversed_[party] = reversed_.get(party, 0) + int(row["amount_fen"])
        else:
            released.add(party)
    return reversed_, released


async def record_refund(
    kernel: Any, payer_id: int, data: Mapping[str, Any], *, at: dt.datetime | None = None
) -> int:
    """Reverse the commission of a refunded order in proportion to what was refunded so far
    (a ``groupbuy.order_refunded`` payload): from ``frozen`` while the freeze lasts, else
    from ``available``. Cumulative, so repeats and re-orderings of refunds reverse each fen
    once and a full refund reverses exactly what was accrued. Returns the fen reversed."""
    at = at or kernel.clock()
    order_ref = str(data["order_ref"])
    async with kernel.db.write():
        await lock_payer(kernel, payer_id)
        orders = scoped(RevenueShareOrder, payer_id)
        order = (
            await orders.select(
                RevenueShareOrder.leader_member_id,
                RevenueShareOrder.ambassador_user_id,
                RevenueShareOrder.commission_fen,
                RevenueShareOrder.ambassador_commission_fen,
                RevenueShareOrder.total_fen,
                RevenueShareOrder.refunded_fen,
            )
            .where(RevenueShareOrder.order_ref == order_ref)
            .first()
        )
        if order is None or order["total_fen"] <= 0:
            return 0  # never picked up (or nothing to share): nothing accrued
        refunded = min(int(data["refunded_total_fen"]), int(order["total_fen"]))
        if refunded <= order["refunded_fen"]:
            return 0  # a repeat, or older than what we know
        await orders.update({RevenueShareOrder.refunded_fen: refunded}).where(
            RevenueShareOrder.order_ref == order_ref
        )
        rounding = (await settings_of(payer_id)).rounding
        reversed_, released = await _reversed_and_released(payer_id, order_ref)
        total = 0
        for party, accrued in _parties({**order, "order_ref": order_ref}):
            target = round_fraction(Fraction(accrued * refunded, int(order["total_fen"])), rounding)
            delta = min(target, accrued) - reversed_.get(party, 0)
            if delta <= 0:
                continue
            account = "available" if party in released else "frozen"
            await post(
                payer_id,
                kind="reversal",
                ref=f"reversal:{order_ref}:{party.kind}:{party.id}:{refunded}",
                party=party,
                legs=[Leg(account, delta), Leg("expense", -delta)],
                at=at,
                order_ref=order_ref,
            )
            await publish(
                kernel,
                CommissionReversed(
                    member_id=payer_id,
                    order_ref=order_ref,
                    party_kind=party.kind,
                    party_id=party.id,
                    amount_fen=delta,
                    refunded_total_fen=refunded,
                ),
            )
            total += delta
        return total

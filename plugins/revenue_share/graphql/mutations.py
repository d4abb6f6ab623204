"""Root mutation fields, each in the paying member named by ``memberId``."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import context_of, decode_id, member_arg, requires
from plugins.revenue_share import payouts, settlement
from plugins.revenue_share.attribution import create_referral_code
from plugins.revenue_share.graphql.types import (
    Fen,
    RevenueSharePartyKind,
    RevenueSharePayout,
    RevenueShareReferralCode,
    RevenueShareRule,
    RevenueShareRuleInput,
    RevenueShareSettlement,
    party_of,
)
from plugins.revenue_share.rules import RuleInput, set_rule

__all__ = ["RevenueShareMutation"]


def _user(info: Info[Any, Any]) -> int | None:
    return context_of(info).require_principal().user_id


@strawberry.type
class RevenueShareMutation:
    @strawberry.mutation(
        description="Add a version of the payer's commission rules (in force from "
        "effectiveFrom, now by default; past accruals keep their rates).",
        extensions=[requires("revenue_share.rules.manage", member=member_arg())],
    )
    async def set_revenue_share_rule(
        self, info: Info[Any, Any], member_id: strawberry.ID, input: RevenueShareRuleInput
    ) -> RevenueShareRule:
        rule = RuleInput(
            default_rate_bp=input.default_rate_bp,
            ambassador_rate_bp=input.ambassador_rate_bp,
            category_rates={r.key: r.rate_bp for r in input.category_rates},
            sku_rates={r.key: r.rate_bp for r in input.sku_rates},
            tiers=[(int(t.min_gmv_fen), t.rate_bp) for t in input.tiers],
            effective_from=input.effective_from,
        )
        row = await set_rule(
            context_of(info).kernel, decode_id("Member", member_id), rule, actor_user_id=_user(info)
        )
        return RevenueShareRule.of(row)

    @strawberry.mutation(
        description="A referral code of the payer crediting a leader and/or an ambassador.",
        extensions=[requires("revenue_share.rules.manage", member=member_arg())],
    )
    async def create_revenue_share_referral_code(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        code: str,
        leader_member_id: strawberry.ID | None = None,
        ambassador_user_id: strawberry.ID | None = None,
    ) -> RevenueShareReferralCode:
        row = await create_referral_code(
            context_of(info).kernel,
            decode_id("Member", member_id),
            code=code,
            leader_member_id=decode_id("Member", leader_member_id) if leader_member_id else None,
            ambassador_user_id=decode_id("User", ambassador_user_id)
            if ambassador_user_id
            else None,
        )
        return RevenueShareReferralCode.of(row)

    @strawberry.mutation(
        description="Settle a period that is over; settling it again returns the same statements.",
        extensions=[requires("revenue_share.settlements.run", member=member_arg())],
    )
    async def settle_revenue_share_period(
        self, info: Info[Any, Any], member_id: strawberry.ID, period: str
    ) -> RevenueShareSettlement:
        row = await settlement.settle(
            context_of(info).kernel, decode_id("Member", member_id), period
        )
        return RevenueShareSettlement.of(row)

    @strawberry.mutation(
        description="Record a payout from a party's available balance. A replay of "
        "idempotencyKey returns the first payout; the key with other input is CONFLICT.",
        extensions=[requires("revenue_share.payouts.record", member=member_arg())],
    )
    async def record_revenue_share_payout(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        idempotency_key: str,
        party_kind: RevenueSharePartyKind,
        party_id: strawberry.ID,
        amount_fen: Fen,
        period: str | None = None,
        reference: str = "",
    ) -> RevenueSharePayout:
        row = await payouts.record_payout(
            context_of(info).kernel,
            decode_id("Member", member_id),
            party=party_of(party_kind, party_id),
            amount_fen=int(amount_fen),
            idempotency_key=idempotency_key,
            period=period,
            reference=reference,
            actor_user_id=_user(info),
        )
        return RevenueSharePayout.of(row)

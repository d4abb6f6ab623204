"""Root query fields. Each names its member in ``memberId`` and declares its permission:
payers' fields need ``revenue_share.ledger.read`` (owners, admins) in the payer, leaders'
fields ``revenue_share.earnings.read`` in the leader. A field only ever reads rows of that
member's books (payer) or naming that member (leader)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import context_of, decode_id, member_arg, requires
from plugins.revenue_share import dashboards, payouts, settlement
from plugins.revenue_share.attribution import list_referral_codes
from plugins.revenue_share.graphql.types import (
    RevenueShareFigures,
    RevenueShareLeaderDashboard,
    RevenueShareOrder,
    RevenueSharePartyFigures,
    RevenueSharePayerFigures,
    RevenueSharePayout,
    RevenueShareReferralCode,
    RevenueShareRule,
    RevenueShareSettlement,
    RevenueShareStatement,
)
from plugins.revenue_share.rules import list_rules
from plugins.revenue_share.statements import Figures

__all__ = ["RevenueShareQuery"]

PAYER = "revenue_share.ledger.read"
LEADER = "revenue_share.earnings.read"


def _member(member_id: strawberry.ID) -> int:
    return decode_id("Member", member_id)


@strawberry.type
class RevenueShareQuery:
    @strawberry.field(
        description="Every version of the payer's commission rules, newest first.",
        extensions=[requires(PAYER, member=member_arg())],
    )
    async def revenue_share_rules(
        self, info: Info[Any, Any], member_id: strawberry.ID
    ) -> list[RevenueShareRule]:
        return [RevenueShareRule.of(row) for row in await list_rules(_member(member_id))]

    @strawberry.field(
        description="The payer's referral codes.",
        extensions=[requires(PAYER, member=member_arg())],
    )
    async def revenue_share_referral_codes(
        self, info: Info[Any, Any], member_id: strawberry.ID
    ) -> list[RevenueShareReferralCode]:
        rows = await list_referral_codes(_member(member_id))
        return [RevenueShareReferralCode.of(row) for row in rows]

    @strawberry.field(
        description="What the payer owes, per leader and ambassador, for a period "
        "(2026-11 or 2026-W47).",
        extensions=[requires(PAYER, member=member_arg())],
    )
    async def revenue_share_payer_view(
        self, info: Info[Any, Any], member_id: strawberry.ID, period: str
    ) -> list[RevenueSharePartyFigures]:
        parties = await dashboards.payer_view(_member(member_id), period)
        return [
            RevenueSharePartyFigures.of(p.kind, p.id, RevenueShareFigures.of(f))
            for p, f in parties.items()
        ]

    @strawberry.field(
        description="The payer's settled period, if settled.",
        extensions=[requires(PAYER, member=member_arg())],
    )
    async def revenue_share_settlement(
        self, info: Info[Any, Any], member_id: strawberry.ID, period: str
    ) -> RevenueShareSettlement | None:
        row = await settlement.get_settlement(_member(member_id), period)
        return RevenueShareSettlement.of(row) if row else None

    @strawberry.field(
        description="The payer's payouts (of a period, when given), oldest first.",
        extensions=[requires(PAYER, member=member_arg())],
    )
    async def revenue_share_payouts(
        self, info: Info[Any, Any], member_id: strawberry.ID, period: str | None = None
    ) -> list[RevenueSharePayout]:
        rows = await payouts.list_payouts(_member(member_id), period)
        return [RevenueSharePayout.of(row) for row in rows]

    @strawberry.field(
        description="The payout batch of a period as CSV (a header line, one line a payout).",
        extensions=[requires(PAYER, member=member_arg())],
    )
    async def revenue_share_payout_batch_csv(
        self, info: Info[Any, Any], member_id: strawberry.ID, period: str
    ) -> str:
        return await payouts.payout_batch_csv(_member(member_id), period)

    @strawberry.field(
        description="The leader's own figures for a period, per payer and in total.",
        extensions=[requires(LEADER, member=member_arg())],
    )
    async def revenue_share_leader_dashboard(
        self, info: Info[Any, Any], member_id: strawberry.ID, period: str
    ) -> RevenueShareLeaderDashboard:
        context = context_of(info)
        rows = await dashboards.leader_dashboard(
            context.kernel, _member(member_id), period, context.memo
        )
        total = Figures()
        payers = []
        for payer_id, figures, visible in rows:
            total.add(figures)
            payers.append(
                RevenueSharePayerFigures(
                    payer_member_id=strawberry.ID(_gid(payer_id)),
                    order_details_visible=visible,
                    figures=RevenueShareFigures.of(figures),
                )
            )
        return RevenueShareLeaderDashboard(
            period=period, payers=payers, totals=RevenueShareFigures.of(total)
        )

    @strawberry.field(
        description="The orders the leader brought in a period, of the payers whose live "
        "orders:read grant (purpose revenue-share) allows it; each read is audited.",
        extensions=[requires(LEADER, member=member_arg())],
    )
    async def revenue_share_leader_orders(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        period: str,
        payer_member_id: strawberry.ID | None = None,
    ) -> list[RevenueShareOrder]:
        context = context_of(info)
        rows = await dashboards.leader_orders(
            context.kernel,
            _member(member_id),
            period,
            actor=context.require_principal(),
            payer_id=_member(payer_member_id) if payer_member_id is not None else None,
            memo=context.memo,
        )
        return [RevenueShareOrder.of(row) for row in rows]

    @strawberry.field(
        description="The leader's statements of a settled period, one per payer.",
        extensions=[requires(LEADER, member=member_arg())],
    )
    async def revenue_share_leader_statements(
        self, info: Info[Any, Any], member_id: strawberry.ID, period: str
    ) -> list[RevenueShareStatement]:
        rows = await dashboards.leader_statements(_member(member_id), period)
        return [RevenueShareStatement.of(row) for row in rows]


def _gid(member_id: int) -> str:
    from alliance_sdk import encode_id

    return str(encode_id("Member", member_id))

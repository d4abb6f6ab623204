"""Shared helpers of the revenue_share tests: a payer with a leader, groupbuy-typed events
published as groupbuy would, GraphQL documents."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from alliance_sdk import publish
from alliance_sdk.testkit import AllianceClient, AllianceFactory
from plugins.revenue_share.tests.fake_groupbuy import OrderPickedUp, OrderRefunded

PLUGINS = ("plugins.revenue_share", "plugins.revenue_share.tests.fake_groupbuy")
_ids = itertools.count(1)


@dataclass
class World:
    alliance: Any
    payer: Any
    payer_owner: Any
    leader: Any
    leader_owner: Any
    community: Any
    buyers: list[Any]


async def world(
    factory: AllianceFactory, *, config: dict[str, Any] | None = None, alliance: Any = None
) -> World:
    alliance = alliance or await factory.alliance()
    payer = await factory.member(alliance, kind="store")
    leader = await factory.member(alliance, kind="leader")
    payer_owner, leader_owner = await factory.user(), await factory.user()
    await factory.membership(payer, payer_owner, "owner")
    await factory.membership(leader, leader_owner, "owner")
    await factory.enable_plugin(payer, "revenue_share", config or {"freeze_days": 7})
    await factory.enable_plugin(leader, "revenue_share")
    community = await factory.community(alliance)
    buyers = [await factory.user() for _ in range(3)]
    return World(alliance, payer, payer_owner, leader, leader_owner, community, buyers)


def line(sku: str, category: str, total_fen: int, quantity: int = 1) -> dict[str, Any]:
    return {
        "sku": sku,
        "product_name": sku.title(),
        "category": category,
        "quantity": quantity,
        "unit_price_fen": total_fen // quantity,
        "total_fen": total_fen,
    }


async def pick_up(
    kernel: Any,
    w: World,
    total_fen: int,
    *,
    ref: str | None = None,
    lines: list[dict[str, Any]] | None = None,
    leader: int | str | None = "default",
    ambassador: int | None = None,
    buyer: Any = None,
    payer: Any = None,
) -> str:
    """Publish ``groupbuy.order_picked_up`` in the payer's stream (as groupbuy would)."""
    n = next(_ids)
    ref = ref or f"gb-{n}"
    payer = payer or w.payer
    async with kernel.db.write():
        await publish(
            kernel,
            OrderPickedUp(
                member_id=payer.id,
                order_id=n,
                order_ref=ref,
                campaign_id=1,
                community_id=w.community.id,
                buyer_user_id=(buyer or w.buyers[0]).id,
                total_fen=total_fen,
                lines=lines or [],
                leader_member_id=w.leader.id if leader == "default" else leader,
                ambassador_user_id=ambassador,
                attribution_reason="referral_code" if ambassador else "community_leader",
                picked_up_at=kernel.clock(),
                pickup_member_id=w.leader.id,
            ),
        )
    return ref


async def refund(
    kernel: Any, w: World, ref: str, *, refunded_total_fen: int, total_fen: int, refund_fen: int = 0
) -> None:
    async with kernel.db.write():
        await publish(
            kernel,
            OrderRefunded(
                member_id=w.payer.id,
                order_id=0,
                order_ref=ref,
                buyer_user_id=w.buyers[0].id,
                refund_fen=refund_fen or refunded_total_fen,
                refunded_total_fen=refunded_total_fen,
                total_fen=total_fen,
                leader_member_id=w.leader.id,
            ),
        )


def later(kernel: Any, **delta: float) -> dt.datetime:
    """Move the kernel's clock forward (tests move time instead of sleeping)."""
    moment = kernel.clock() + dt.timedelta(**delta)
    kernel.clock = lambda: moment
    return moment


async def sign_in(client: AllianceClient, user: Any) -> None:
    """``client.sign_in(user)`` with a token issued at the kernel's (moved) clock: the
    testkit signs with the real clock, which a clock moved weeks ahead finds expired."""
    tokens = client.kernel.tokens
    claims = tokens.decode_access(await client.sign_in(user))
    client.token = tokens.issue_access(
        user_id=user.id, session_id=claims.session_id, now=client.kernel.clock()
    )


def gid(type_name: str, row: Any) -> str:
    return AllianceClient.gid(type_name, row)


SET_RULE = """mutation($m: ID!, $input: RevenueShareRuleInput!) {
  setRevenueShareRule(memberId: $m, input: $input) { id defaultRateBp effectiveFrom
    categoryRates { key rateBp } skuRates { key rateBp } tiers { minGmvFen rateBp } } }"""
FIGURES = """gmvFen orders households repurchaseRateBp accruedFen reversedFen releasedFen
  paidFen frozenFen availableFen paidTotalFen owedFen"""
PAYER_VIEW = f"""query($m: ID!, $p: String!) {{ revenueSharePayerView(memberId: $m, period: $p) {{
  partyKind partyId figures {{ {FIGURES} }} }} }}"""
DASHBOARD = f"""query($m: ID!, $p: String!) {{
  revenueShareLeaderDashboard(memberId: $m, period: $p) {{ period
    payers {{ payerMemberId orderDetailsVisible figures {{ {FIGURES} }} }}
    totals {{ {FIGURES} }} }} }}"""
LEADER_ORDERS = """query($m: ID!, $p: String!) {
  revenueShareLeaderOrders(memberId: $m, period: $p) {
    payerMemberId orderRef totalFen refundedFen commissionFen attributionReason } }"""
SETTLE = f"""mutation($m: ID!, $p: String!) {{ settleRevenueSharePeriod(memberId: $m, period: $p) {{
  period parties settledAt totals {{ {FIGURES} }}
  statements {{ partyKind partyId figures {{ {FIGURES} }} }} }} }}"""
PAYOUT = """mutation($m: ID!, $k: String!, $kind: RevenueSharePartyKind!, $party: ID!,
  $amount: Int!, $period: String) {
  recordRevenueSharePayout(memberId: $m, idempotencyKey: $k, partyKind: $kind, partyId: $party,
    amountFen: $amount, period: $period) {
    id idempotencyKey partyKind partyId amountFen period reference createdAt } }"""

"""The whole life of a commission through the real GraphQL stack and real events: rule,
pickup, freeze, release, partial refund, settlement, payout, CSV."""

from __future__ import annotations

import pytest

from alliance_sdk.testkit import AllianceClient, AllianceFactory, CapturedEvents
from plugins.revenue_share.freeze import release_due
from plugins.revenue_share.ledger import Party, balances
from plugins.revenue_share.periods import period_of
from plugins.revenue_share.tests.helpers import (
    DASHBOARD,
    PAYER_VIEW,
    PAYOUT,
    PLUGINS,
    SET_RULE,
    SETTLE,
    gid,
    later,
    line,
    pick_up,
    refund,
    sign_in,
    world,
)

pytestmark = pytest.mark.alliance_plugins(*PLUGINS)


async def test_accrue_freeze_release_refund_settle_pay(
    alliance_kernel,
    alliance_factory: AllianceFactory,
    alliance_client: AllianceClient,
    captured_events: CapturedEvents,
) -> None:
    kernel = alliance_kernel
    w = await world(alliance_factory)
    payer, leader = gid("Member", w.payer), gid("Member", w.leader)
    await sign_in(alliance_client, w.payer_owner)
    rule = {
        "defaultRateBp": 600,
        "categoryRates": [{"key": "dairy", "rateBp": 800}],
        "skuRates": [{"key": "EGG-30", "rateBp": 400}],
    }
    result = (await alliance_client(SET_RULE, {"m": payer, "input": rule})).ok()
    assert result["setRevenueShareRule"]["categoryRates"] == [{"key": "dairy", "rateBp": 800}]

    later(kernel, seconds=1)
    # 10,000 fen over two lines of 5,000: 5,000 x 8% + 5,000 x 6% = 700 fen.
    ref = await pick_up(
        kernel, w, 10_000, lines=[line("MILK-1L", "dairy", 5_000), line("PORK", "meat", 5_000)]
    )
    await captured_events.deliver()
    await captured_events.deliver()  # a second delivery round changes nothing
    period = period_of("monthly", kernel.clock()).key
    view = (await alliance_client(PAYER_VIEW, {"m": payer, "p": period})).ok()
    [row] = view["revenueSharePayerView"]
    assert row["partyKind"] == "LEADER" and row["partyId"] == leader
    assert row["figures"]["accruedFen"] == 700
    assert row["figures"]["frozenFen"] == 700 and row["figures"]["availableFen"] == 0
    assert row["figures"]["gmvFen"] == 10_000 and row["figures"]["orders"] == 1

    assert await release_due(kernel) == 0  # still frozen
    later(kernel, days=7, seconds=1)
    assert await release_due(kernel) == 1
    assert await release_due(kernel) == 0  # idempotent
    owed = (await balances(w.payer.id))[Party("leader", w.leader.id)]
    assert owed == {"expense": 700, "frozen": 0, "available": 700, "paid": 0}

    # A partial refund of 30% reverses 30% of the commission, from available now.
    await refund(kernel, w, ref, refunded_total_fen=3_000, total_fen=10_000)
    await captured_events.deliver()
    owed = (await balances(w.payer.id))[Party("leader", w.leader.id)]
    assert owed == {"expense": 490, "frozen": 0, "available": 490, "paid": 0}

    await sign_in(alliance_client, w.payer_owner)  # the clock moved: a fresh token
    pay = {"m": payer, "k": "batch-1", "kind": "LEADER", "party": leader, "amount": 400}
    first = (await alliance_client(PAYOUT, pay)).ok()["recordRevenueSharePayout"]
    assert first["amountFen"] == 400
    again = (await alliance_client(PAYOUT, pay)).ok()["recordRevenueSharePayout"]
    assert again == first
    assert (await alliance_client(PAYOUT, {**pay, "amount": 401})).code == "CONFLICT"
    too_much = {**pay, "k": "batch-2", "amount": 91}
    assert (await alliance_client(PAYOUT, too_much)).code == "BAD_USER_INPUT"

    # The leader sees its own numbers.
    await sign_in(alliance_client, w.leader_owner)
    dash = (await alliance_client(DASHBOARD, {"m": leader, "p": period})).ok()
    totals = dash["revenueShareLeaderDashboard"]["totals"]
    assert (totals["accruedFen"], totals["reversedFen"], totals["paidFen"]) == (700, 210, 400)
    assert totals["availableFen"] == 90
    [payer_row] = dash["revenueShareLeaderDashboard"]["payers"]
    assert payer_row["payerMemberId"] == payer and payer_row["orderDetailsVisible"] is False

    # The month is over: settle it, twice.
    later(kernel, days=40)
    await sign_in(alliance_client, w.payer_owner)
    settled = (await alliance_client(SETTLE, {"m": payer, "p": period})).ok()
    again_settled = (await alliance_client(SETTLE, {"m": payer, "p": period})).ok()
    assert settled == again_settled
    [statement] = settled["settleRevenueSharePeriod"]["statements"]
    assert statement["figures"]["accruedFen"] == 700
    assert statement["figures"]["availableFen"] == 90
    types = await captured_events.types()
    assert "revenue_share.commission_accrued" in types
    assert "revenue_share.period_settled" in types
    assert types.count("revenue_share.payout_recorded") == 1

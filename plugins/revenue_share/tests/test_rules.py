"""Commission rules: overrides, tiers, versions that never re-rate the past, the second
level (ambassadors), referral-code attribution, input errors, refunds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from alliance_sdk import decide, scoped
from alliance_sdk.testkit import AllianceClient, AllianceFactory, CapturedEvents
from plugins.revenue_share.ledger import Party, balances
from plugins.revenue_share.rules import RuleInput, set_rule
from plugins.revenue_share.tables import RevenueShareOrder
from plugins.revenue_share.tests.helpers import (
    PLUGINS,
    SET_RULE,
    gid,
    later,
    line,
    pick_up,
    refund,
    sign_in,
    world,
)

pytestmark = pytest.mark.alliance_plugins(*PLUGINS)

REFERRAL = """mutation($m: ID!, $c: String!, $a: ID) {
  createRevenueShareReferralCode(memberId: $m, code: $c, ambassadorUserId: $a) {
    code leaderMemberId ambassadorUserId } }"""


async def _order(payer_id: int, ref: str) -> dict[str, Any]:
    row = (
        await scoped(RevenueShareOrder, payer_id)
        .select()
        .where(RevenueShareOrder.order_ref == ref)
        .first()
    )
    assert row is not None
    return dict(row)


async def test_overrides_tiers_and_versions(
    alliance_kernel: Any, alliance_factory: AllianceFactory, captured_events: CapturedEvents
) -> None:
    kernel = alliance_kernel
    w = await world(alliance_factory)
    await set_rule(
        kernel,
        w.payer.id,
        RuleInput(
            default_rate_bp=500,
            sku_rates={"EGG": 300},
            category_rates={"dairy": 900},
            tiers=[(100_000, 700)],
        ),
        actor_user_id=None,
    )
    later(kernel, seconds=1)
    lines = [
        line("EGG", "dairy", 1_000),
        line("MILK", "dairy", 1_000),
        line("RICE", "grain", 2_000),
    ]
    first = await pick_up(kernel, w, 4_000, lines=lines)  # 30 + 90 + 100 fen
    second = await pick_up(kernel, w, 100_000)  # the leader's GMV reaches the 7% tier
    await captured_events.deliver()
    assert (await _order(w.payer.id, first))["commission_fen"] == 220
    assert (await _order(w.payer.id, second))["commission_fen"] == 7_000

    # A new version from now on: the past keeps its rates.
    later(kernel, seconds=1)
    await set_rule(kernel, w.payer.id, RuleInput(default_rate_bp=100), actor_user_id=None)
    later(kernel, seconds=1)
    third = await pick_up(kernel, w, 10_000)
    await captured_events.deliver()
    assert (await _order(w.payer.id, third))["commission_fen"] == 100
    assert (await _order(w.payer.id, first))["commission_fen"] == 220
    owed = (await balances(w.payer.id))[Party("leader", w.leader.id)]
    assert owed["expense"] == owed["frozen"] == 220 + 7_000 + 100


async def test_second_level_and_referral_codes(
    alliance_kernel: Any,
    alliance_factory: AllianceFactory,
    alliance_client: AllianceClient,
    captured_events: CapturedEvents,
) -> None:
    kernel = alliance_kernel
    w = await world(alliance_factory, config={"rounding": "down"})
    ambassador = w.buyers[2]
    await set_rule(
        kernel,
        w.payer.id,
        RuleInput(default_rate_bp=550, ambassador_rate_bp=250),
        actor_user_id=None,
    )
    await sign_in(alliance_client, w.payer_owner)
    made = await alliance_client(
        REFERRAL, {"m": gid("Member", w.payer), "c": "SUN-01", "a": gid("User", ambassador)}
    )
    assert made.ok()["createRevenueShareReferralCode"]["leaderMemberId"] is None
    again = await alliance_client(
        REFERRAL, {"m": gid("Member", w.payer), "c": "SUN-01", "a": gid("User", ambassador)}
    )
    assert again.code == "CONFLICT"
    bad = await alliance_client(REFERRAL, {"m": gid("Member", w.payer), "c": "x"})
    assert bad.code == "BAD_USER_INPUT"

    common = {"buyer_user_id": w.buyers[0].id, "community_id": w.community.id}
    answer = await decide(
        kernel,
        "attribute_order",
        member_id=w.payer.id,
        leaders=[w.leader.id],
        referral_code="SUN-01",
        **common,
    )
    assert (answer.reason, answer.leader_member_id, answer.ambassador_user_id) == (
        "referral_code",
        w.leader.id,
        ambassador.id,
    )
    fallback = await decide(
        kernel,
        "attribute_order",
        member_id=w.payer.id,
        leaders=[w.leader.id],
        referral_code="NOPE",
        **common,
    )
    assert (fallback.reason, fallback.leader_member_id) == ("community_leader", w.leader.id)

    later(kernel, seconds=1)
    ref = await pick_up(kernel, w, 3_333, ambassador=ambassador.id)
    await captured_events.deliver()
    order = await _order(w.payer.id, ref)
    # 3,333 x 5.5% = 183.315 and x 2.5% = 83.325, both rounded down.
    assert (order["commission_fen"], order["ambassador_commission_fen"]) == (183, 83)
    assert order["attribution_reason"] == "referral_code"

    # A full refund while frozen reverses both levels exactly.
    await refund(kernel, w, ref, refunded_total_fen=1_000, total_fen=3_333)
    await refund(kernel, w, ref, refunded_total_fen=1_000, total_fen=3_333)  # a repeat
    await refund(kernel, w, ref, refunded_total_fen=3_333, total_fen=3_333)
    await refund(kernel, w, "gb-never-picked-up", refunded_total_fen=10, total_fen=10)
    await captured_events.deliver()
    books = await balances(w.payer.id)
    assert books[Party("leader", w.leader.id)]["expense"] == 0
    assert books[Party("ambassador", ambassador.id)] == dict.fromkeys(
        books[Party("leader", w.leader.id)], 0
    )


async def test_rule_input_errors(
    alliance_kernel: Any, alliance_factory: AllianceFactory, alliance_client: AllianceClient
) -> None:
    w = await world(alliance_factory)
    await sign_in(alliance_client, w.payer_owner)
    past = (alliance_kernel.clock() - dt.timedelta(days=1)).isoformat()
    bad = {
        "defaultRateBp": 10_001,
        "tiers": [{"minGmvFen": 500, "rateBp": 1}, {"minGmvFen": 100, "rateBp": 2}],
        "effectiveFrom": past,
    }
    result = await alliance_client(SET_RULE, {"m": gid("Member", w.payer), "input": bad})
    assert result.code == "BAD_USER_INPUT"
    fields = {e["field"] for e in result.errors[0]["extensions"]["fieldErrors"]}
    assert fields >= {"default_rate_bp", "tiers", "effective_from"}
    staff = await alliance_factory.user()
    await alliance_factory.membership(w.payer, staff, "staff")
    await sign_in(alliance_client, staff)
    denied = await alliance_client(
        SET_RULE, {"m": gid("Member", w.payer), "input": {"defaultRateBp": 1}}
    )
    assert denied.code == "FORBIDDEN"

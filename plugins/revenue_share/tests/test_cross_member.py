"""Cross-member: every root field of the plugin, tried with another member's id by a leader
of the same alliance, another payer, a member of another alliance and an anonymous caller,
answers an error and nothing foreign, and changes no row. Each caller's own fields show
only its own rows."""

from __future__ import annotations

from typing import Any

import pytest

from alliance_sdk.testkit import AllianceClient, AllianceFactory, CapturedEvents
from plugins.revenue_share.freeze import release_due
from plugins.revenue_share.periods import period_of
from plugins.revenue_share.rules import RuleInput, set_rule
from plugins.revenue_share.settlement import settle
from plugins.revenue_share.tables import APPEND_ONLY, RevenueShareReferralCode, RevenueShareRule
from plugins.revenue_share.tests.helpers import (
    DASHBOARD,
    LEADER_ORDERS,
    PAYER_VIEW,
    PAYOUT,
    PLUGINS,
    SET_RULE,
    SETTLE,
    World,
    gid,
    later,
    pick_up,
    sign_in,
    world,
)

pytestmark = pytest.mark.alliance_plugins(*PLUGINS)

PAYER_QUERIES = [
    ("query($m: ID!) { revenueShareRules(memberId: $m) { id } }", {}),
    ("query($m: ID!) { revenueShareReferralCodes(memberId: $m) { code } }", {}),
    (PAYER_VIEW, {"p": "PERIOD"}),
    (
        "query($m: ID!, $p: String!) { revenueShareSettlement(memberId: $m, period: $p) "
        "{ period } }",
        {"p": "PREVIOUS"},
    ),
    ("query($m: ID!) { revenueSharePayouts(memberId: $m) { id } }", {}),
    (
        "query($m: ID!, $p: String!) { revenueSharePayoutBatchCsv(memberId: $m, period: $p) }",
        {"p": "PERIOD"},
    ),
]
LEADER_QUERIES = [
    (DASHBOARD, {"p": "PERIOD"}),
    (LEADER_ORDERS, {"p": "PERIOD"}),
    (
        "query($m: ID!, $p: String!) { revenueShareLeaderStatements(memberId: $m, period: $p) "
        "{ period } }",
        {"p": "PREVIOUS"},
    ),
]
PAYER_MUTATIONS = [
    (SET_RULE, {"input": {"defaultRateBp": 9_999}}),
    (
        'mutation($m: ID!) { createRevenueShareReferralCode(memberId: $m, code: "EVIL-1", '
        'leaderMemberId: "LEADER_ID") { code } }',
        {},
    ),
    (SETTLE, {"p": "PREVIOUS"}),
    (PAYOUT, {"k": "evil", "kind": "LEADER", "party": "LEADER_ID", "amount": 1}),
]
DENIED = {"FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED"}


async def _books(w: World, kernel: Any) -> tuple[Any, ...]:
    counts = []
    for table in (*APPEND_ONLY, RevenueShareRule, RevenueShareReferralCode):
        name = table._meta.tablename
        rows = await table.raw(f'SELECT COUNT(*) AS n FROM "{name}"')
        counts.append(int(rows[0]["n"]))
    return tuple(counts)


async def test_no_member_reads_or_writes_another_members_revenue_share(
    alliance_kernel: Any,
    alliance_factory: AllianceFactory,
    alliance_client: AllianceClient,
    captured_events: CapturedEvents,
) -> None:
    kernel = alliance_kernel
    config = {"freeze_days": 0, "settlement_period": "weekly"}
    w = await world(alliance_factory, config=config)
    other = await world(alliance_factory, config=config, alliance=w.alliance)  # P2 and L2
    foreign = await world(alliance_factory, config=config)  # another alliance
    for each in (w, other, foreign):
        await set_rule(kernel, each.payer.id, RuleInput(default_rate_bp=700), actor_user_id=None)
    later(kernel, seconds=1)
    await pick_up(kernel, w, 10_000)
    await pick_up(kernel, other, 30_000)
    await pick_up(kernel, foreign, 50_000)
    await captured_events.deliver()
    previous = period_of("weekly", kernel.clock()).key  # the week of the orders
    later(kernel, days=8)
    await release_due(kernel)
    for each in (w, other, foreign):
        await settle(kernel, each.payer.id, previous)
    period = period_of("weekly", kernel.clock()).key
    values = {"PERIOD": period, "PREVIOUS": previous, "LEADER_ID": gid("Member", w.leader)}

    def variables(extra: dict[str, Any], member: Any) -> dict[str, Any]:
        resolved = {k: values.get(v, v) if isinstance(v, str) else v for k, v in extra.items()}
        return {"m": gid("Member", member), **resolved}

    before = await _books(w, kernel)
    callers = [w.leader_owner, other.payer_owner, other.leader_owner, foreign.payer_owner, None]
    for caller in callers:
        if caller is None:
            alliance_client.sign_out()
        else:
            await sign_in(alliance_client, caller)
        targets = [(q, x, w.payer) for q, x in PAYER_QUERIES + PAYER_MUTATIONS]
        if caller is not w.leader_owner:
            targets += [(q, x, w.leader) for q, x in LEADER_QUERIES]
        for query, extra, member in targets:
            result = await alliance_client(query, variables(extra, member))
            assert result.code in DENIED, (query, caller, result.body)
            assert not any((result.data or {}).values()), (query, result.body)
    assert await _books(w, kernel) == before

    # Each caller's own fields show its own rows only.
    await sign_in(alliance_client, other.leader_owner)
    dash = (await alliance_client(DASHBOARD, variables({"p": "PERIOD"}, other.leader))).ok()
    payers = dash["revenueShareLeaderDashboard"]["payers"]
    assert [p["payerMemberId"] for p in payers] == [gid("Member", other.payer)]
    assert payers[0]["figures"]["paidTotalFen"] == 0
    statements = (
        await alliance_client(LEADER_QUERIES[2][0], variables({"p": "PREVIOUS"}, other.leader))
    ).ok()
    assert {s["period"] for s in statements["revenueShareLeaderStatements"]} <= {previous}
    await sign_in(alliance_client, other.payer_owner)
    view = (await alliance_client(PAYER_VIEW, variables({"p": "PREVIOUS"}, other.payer))).ok()
    assert [r["partyId"] for r in view["revenueSharePayerView"]] == [gid("Member", other.leader)]
    assert view["revenueSharePayerView"][0]["figures"]["gmvFen"] == 30_000

"""A leader sees a payer's order details only under the payer's live `orders:read` grant
for purpose `revenue-share` (each read audited); without it, still its earnings."""

from __future__ import annotations

from typing import Any

import pytest

from alliance_sdk.testkit import AllianceClient, AllianceFactory, CapturedEvents
from plugins.revenue_share.periods import period_of
from plugins.revenue_share.rules import RuleInput, set_rule
from plugins.revenue_share.tables import RevenueShareOrder
from plugins.revenue_share.tests.helpers import (
    DASHBOARD,
    LEADER_ORDERS,
    PLUGINS,
    gid,
    later,
    pick_up,
    sign_in,
    world,
)

pytestmark = pytest.mark.alliance_plugins(*PLUGINS)

GRANT = """mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }"""
REVOKE = """mutation($m: ID!, $g: ID!) { revokeConsent(memberId: $m, grantId: $g) { id } }"""


async def _reads() -> int:
    rows = await RevenueShareOrder.raw(
        "SELECT COUNT(*) AS n FROM kernel_audit_entry WHERE action = 'consent.read'"
    )
    return int(rows[0]["n"])


async def test_order_details_follow_the_payers_grant(
    alliance_kernel: Any,
    alliance_factory: AllianceFactory,
    alliance_client: AllianceClient,
    captured_events: CapturedEvents,
) -> None:
    kernel = alliance_kernel
    w = await world(alliance_factory)
    await set_rule(kernel, w.payer.id, RuleInput(default_rate_bp=800), actor_user_id=None)
    later(kernel, seconds=1)
    await pick_up(kernel, w, 12_000, ref="gb-consent-1")
    await captured_events.deliver()
    period = period_of("monthly", kernel.clock()).key
    leader = {"m": gid("Member", w.leader), "p": period}

    await sign_in(alliance_client, w.leader_owner)
    assert (await alliance_client(LEADER_ORDERS, leader)).ok() == {"revenueShareLeaderOrders": []}
    dash = (await alliance_client(DASHBOARD, leader)).ok()["revenueShareLeaderDashboard"]
    assert dash["payers"][0]["orderDetailsVisible"] is False
    assert dash["totals"]["accruedFen"] == 960  # earnings stay visible

    await sign_in(alliance_client, w.payer_owner)
    grant = {
        "grantorMemberId": gid("Member", w.payer),
        "granteeMemberId": gid("Member", w.leader),
        "scope": "orders:read",
        "purpose": "revenue-share",
        "legalBasis": "contract",
    }
    grant_id = (await alliance_client(GRANT, {"input": grant})).ok()["grantConsent"]["id"]

    await sign_in(alliance_client, w.leader_owner)
    reads = await _reads()
    orders = (await alliance_client(LEADER_ORDERS, leader)).ok()["revenueShareLeaderOrders"]
    assert [(o["orderRef"], o["totalFen"], o["commissionFen"]) for o in orders] == [
        ("gb-consent-1", 12_000, 960)
    ]
    assert orders[0]["attributionReason"] == "community_leader"
    assert await _reads() == reads + 1
    dash = (await alliance_client(DASHBOARD, leader)).ok()["revenueShareLeaderDashboard"]
    assert dash["payers"][0]["orderDetailsVisible"] is True

    await sign_in(alliance_client, w.payer_owner)
    revoke = {"m": gid("Member", w.payer), "g": grant_id}
    (await alliance_client(REVOKE, revoke)).ok()
    await sign_in(alliance_client, w.leader_owner)
    assert (await alliance_client(LEADER_ORDERS, leader)).ok() == {"revenueShareLeaderOrders": []}

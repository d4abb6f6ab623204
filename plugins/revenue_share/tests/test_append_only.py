"""The ledger is append-only: no API changes or removes its rows, and the database itself
refuses UPDATE and DELETE on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from alliance_sdk.testkit import AllianceFactory, CapturedEvents
from plugins.revenue_share.freeze import release_due
from plugins.revenue_share.graphql.mutations import RevenueShareMutation
from plugins.revenue_share.ledger import Party
from plugins.revenue_share.payouts import record_payout
from plugins.revenue_share.periods import period_of
from plugins.revenue_share.rules import RuleInput, set_rule
from plugins.revenue_share.settlement import settle
from plugins.revenue_share.tables import APPEND_ONLY
from plugins.revenue_share.tests.helpers import PLUGINS, later, pick_up, world

pytestmark = pytest.mark.alliance_plugins(*PLUGINS)


def test_no_mutation_changes_or_removes_ledger_rows() -> None:
    names = {f.name for f in RevenueShareMutation.__strawberry_definition__.fields}
    assert names == {
        "set_revenue_share_rule",
        "create_revenue_share_referral_code",
        "settle_revenue_share_period",
        "record_revenue_share_payout",
    }


async def test_the_database_refuses_update_and_delete(
    alliance_kernel: Any, alliance_factory: AllianceFactory, captured_events: CapturedEvents
) -> None:
    kernel = alliance_kernel
    w = await world(alliance_factory, config={"freeze_days": 0, "settlement_period": "weekly"})
    await set_rule(kernel, w.payer.id, RuleInput(default_rate_bp=500), actor_user_id=None)
    later(kernel, seconds=1)
    await pick_up(kernel, w, 20_000)
    await captured_events.deliver()
    later(kernel, seconds=1)
    await release_due(kernel)
    await record_payout(
        kernel, w.payer.id, party=Party("leader", w.leader.id), amount_fen=100, idempotency_key="k"
    )
    later(kernel, days=8)
    await settle(kernel, w.payer.id, period_of("weekly", kernel.clock()).previous().key)
    for table in APPEND_ONLY:
        name = table._meta.tablename
        rows = await table.raw(f'SELECT COUNT(*) AS n FROM "{name}"')
        assert int(rows[0]["n"]) > 0, name
        for statement in (f'UPDATE "{name}" SET member = member', f'DELETE FROM "{name}"'):
            with pytest.raises(Exception, match="append-only"):
                async with kernel.db.write():
                    await table.raw(statement)
        after = await table.raw(f'SELECT COUNT(*) AS n FROM "{name}"')
        assert after == rows, name

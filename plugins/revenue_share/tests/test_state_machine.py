"""A hypothesis state machine over the service layer on the real database (both engines):
orders picked up, partial and full refunds, rule changes, time passing, freeze releases,
settlements and payouts. After every step: every entry balances, all balances sum to zero,
no frozen, paid or expense balance is negative (nor any order's frozen part), paid equals
the payouts made; settled statements reproduce.

Examples: ``REVENUE_SHARE_EXAMPLES`` per engine (default 500, so 1,000 in CI on both
engines); a nightly run sets it to, say, 20000. Each example uses a fresh payer in the
test's one database (rows of earlier examples are other members' books).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Awaitable
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from alliance_sdk import BadUserInput, Conflict, NotFound
from alliance_sdk.testkit import AllianceFactory
from plugins.revenue_share.accrual import record_pickup, record_refund
from plugins.revenue_share.freeze import release_due
from plugins.revenue_share.ledger import Party, balances
from plugins.revenue_share.payouts import record_payout
from plugins.revenue_share.periods import period_of
from plugins.revenue_share.rules import RuleInput, set_rule
from plugins.revenue_share.settings import save_settings
from plugins.revenue_share.settlement import compute, settle
from plugins.revenue_share.tables import RevenueSharePosting
from plugins.revenue_share.tests.helpers import PLUGINS, line

pytestmark = pytest.mark.alliance_plugins(*PLUGINS)

EXAMPLES = int(os.environ.get("REVENUE_SHARE_EXAMPLES", "500"))
T = TypeVar("T")
START = dt.datetime(2031, 3, 1, tzinfo=dt.UTC)

_CHECK = """
SELECT
  (SELECT COUNT(*) FROM (SELECT entry_id FROM revenue_share_posting WHERE member = {}
     GROUP BY entry_id HAVING SUM(amount_fen) <> 0) u) AS unbalanced,
  (SELECT COALESCE(SUM(amount_fen), 0) FROM revenue_share_posting WHERE member = {}) AS total,
  (SELECT COUNT(*) FROM (SELECT order_ref FROM revenue_share_posting WHERE member = {}
     AND account = 'frozen' GROUP BY order_ref, party_kind, party_id
     HAVING SUM(amount_fen) > 0) f) AS negative_frozen
"""


class LedgerMachine(RuleBasedStateMachine):
    loop: asyncio.AbstractEventLoop
    kernel: Any
    factory: AllianceFactory
    alliance: Any

    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.kernel.clock = lambda: self.now
        payer = self.run(self.factory.member(self.alliance, kind="store"))
        self.payer: int = payer.id
        self.leaders = [900_000 + payer.id * 2, 900_001 + payer.id * 2]
        self.ambassador = 800_000 + payer.id
        self.orders: dict[str, tuple[int, int]] = {}  # ref -> (total, refunded)
        self.paid: dict[Party, int] = {}
        self.keys: dict[str, tuple[Party, int]] = {}
        self.settled: dict[str, dict[str, Any]] = {}
        self.rules = 0
        self.kind = "weekly"

    def run(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable`` on the test's event loop (this thread is hypothesis's)."""

        async def wait() -> T:
            return await awaitable

        return asyncio.run_coroutine_threadsafe(wait(), self.loop).result(timeout=120)

    @initialize(
        kind=st.sampled_from(["weekly", "monthly"]),
        rounding=st.sampled_from(["half_even", "half_up", "down", "up"]),
        freeze=st.integers(0, 3),
    )
    def configure(self, kind: str, rounding: str, freeze: int) -> None:
        self.kind = kind
        config = {"settlement_period": kind, "rounding": rounding, "freeze_days": freeze}
        self.run(save_settings(self.kernel, self.payer, config))
        self.change_rule(600, 0, 300, False)

    @rule(
        rate=st.integers(0, 2_000),
        ambassador=st.integers(0, 500),
        dairy=st.integers(0, 1_500),
        tiered=st.booleans(),
    )
    def change_rule(self, rate: int, ambassador: int, dairy: int, tiered: bool) -> None:
        self.now += dt.timedelta(seconds=1)
        rule_input = RuleInput(
            default_rate_bp=rate,
            ambassador_rate_bp=ambassador,
            category_rates={"dairy": dairy},
            tiers=[(50_000, rate + 100)] if tiered else [],
        )
        self.run(set_rule(self.kernel, self.payer, rule_input, actor_user_id=None))
        self.rules += 1

    @rule(
        total=st.integers(0, 200_000),
        leader=st.sampled_from([0, 1, None]),
        with_ambassador=st.booleans(),
        dairy_share=st.integers(0, 100),
        buyer=st.integers(1, 4),
    )
    def pick_up(
        self, total: int, leader: int | None, with_ambassador: bool, dairy_share: int, buyer: int
    ) -> None:
        ref = f"o{len(self.orders)}"
        lines = [line("MILK", "dairy", dairy_share * 10 + 1), line("RICE", "grain", 1_001)]
        data = {
            "order_ref": ref,
            "order_id": len(self.orders),
            "buyer_user_id": buyer,
            "community_id": 1,
            "total_fen": total,
            "lines": lines,
            "leader_member_id": None if leader is None else self.leaders[leader],
            "ambassador_user_id": self.ambassador if with_ambassador else None,
            "attribution_reason": "community_leader",
            "picked_up_at": self.now.isoformat(),
        }
        assert self.run(record_pickup(self.kernel, self.payer, data)) is not None
        assert self.run(record_pickup(self.kernel, self.payer, data)) is None  # once
        self.orders[ref] = (total, 0)

    @rule(data=st.data())
    @precondition(lambda self: bool(self.orders))
    def refund(self, data: st.DataObject) -> None:
        ref = data.draw(st.sampled_from(sorted(self.orders)))
        total, refunded = self.orders[ref]
        new = data.draw(st.integers(refunded, total))
        payload = {"order_ref": ref, "refunded_total_fen": new}
        self.run(record_refund(self.kernel, self.payer, payload))
        self.orders[ref] = (total, max(refunded, new))
        if new == total:
            rows = self.run(
                RevenueSharePosting.raw(
                    "SELECT COALESCE(SUM(amount_fen), 0) AS s FROM revenue_share_posting "
                    "WHERE member = {} AND order_ref = {} AND account = 'expense'",
                    self.payer,
                    ref,
                )
            )
            assert int(rows[0]["s"]) == 0, "a full refund reverses the whole commission"

    @rule(hours=st.integers(1, 24 * 12))
    def advance(self, hours: int) -> None:
        self.now += dt.timedelta(hours=hours)

    @rule()
    def release(self) -> None:
        self.run(release_due(self.kernel))

    @rule()
    def settle_previous(self) -> None:
        period = period_of(self.kind, self.now).previous()
        first = self.run(settle(self.kernel, self.payer, period.key))
        again = self.run(settle(self.kernel, self.payer, period.key))
        assert first == again
        recomputed = self.run(compute(self.payer, period))
        stored = {(s["party_kind"], s["party_id"]): s for s in first["statements"]}
        assert {(p.kind, p.id) for p in recomputed} == set(stored)
        for party, figures in recomputed.items():
            row = stored[(party.kind, party.id)]
            assert (row["accrued_fen"], row["available_fen"], row["paid_total_fen"]) == (
                figures.accrued_fen,
                figures.available_fen,
                figures.paid_total_fen,
            )

    @rule(data=st.data(), share=st.integers(1, 120), replay=st.booleans())
    def payout(self, data: st.DataObject, share: int, replay: bool) -> None:
        if replay and self.keys:
            key = data.draw(st.sampled_from(sorted(self.keys)))
            party, amount = self.keys[key]
            again = data.draw(st.booleans())
            if not again:
                amount += 1
        else:
            key, again = f"k{len(self.keys)}", False
            party = data.draw(
                st.sampled_from(
                    [Party("leader", self.leaders[0]), Party("ambassador", self.ambassador)]
                )
            )
            owed = self.run(balances(self.payer, party)).get(party)
            amount = max(1, (owed["available"] if owed else 0) * share // 100)
        try:
            self.run(
                record_payout(
                    self.kernel, self.payer, party=party, amount_fen=amount, idempotency_key=key
                )
            )
        except Conflict:
            assert replay and not again
            return
        except (BadUserInput, NotFound):
            assert not (replay and again), "a replay answers what the first call answered"
            return
        if not (replay and again):
            self.keys[key] = (party, amount)
            self.paid[party] = self.paid.get(party, 0) + amount
            owed = self.run(balances(self.payer, party))[party]
            assert owed["available"] >= 0, "a payout never overdraws"

    @invariant()
    def books_balance(self) -> None:
        row = self.run(RevenueSharePosting.raw(_CHECK, self.payer, self.payer, self.payer))[0]
        assert int(row["unbalanced"]) == 0
        assert int(row["total"]) == 0
        assert int(row["negative_frozen"]) == 0

    def teardown(self) -> None:
        if not self.orders and not self.keys:
            return
        for party, figures in self.run(balances(self.payer)).items():
            assert figures["frozen"] >= 0 and figures["paid"] >= 0 and figures["expense"] >= 0
            assert figures["expense"] == figures["frozen"] + figures["available"] + figures["paid"]
            assert figures["paid"] == self.paid.get(party, 0)


async def test_ledger_state_machine(
    alliance_kernel: Any, alliance_factory: AllianceFactory
) -> None:
    LedgerMachine.loop = asyncio.get_running_loop()
    LedgerMachine.kernel = alliance_kernel
    LedgerMachine.factory = alliance_factory
    LedgerMachine.alliance = await alliance_factory.alliance()
    clock = alliance_kernel.clock
    config = settings(
        max_examples=EXAMPLES,
        stateful_step_count=10,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    try:
        await asyncio.to_thread(run_state_machine_as_test, LedgerMachine, settings=config)
    finally:
        alliance_kernel.clock = clock

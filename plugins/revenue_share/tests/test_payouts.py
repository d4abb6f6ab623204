"""Payout idempotency through the real GraphQL stack: sequential replays and 50 concurrent
duplicates make exactly one entry and identical answers; CSV export of the batch."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from alliance_sdk.testkit import AllianceClient, AllianceFactory, CapturedEvents
from plugins.revenue_share.freeze import release_due
from plugins.revenue_share.periods import period_of
from plugins.revenue_share.rules import RuleInput, set_rule
from plugins.revenue_share.tables import RevenueShareEntry, RevenueSharePayout
from plugins.revenue_share.tests.helpers import (
    PAYOUT,
    PLUGINS,
    World,
    gid,
    later,
    pick_up,
    sign_in,
    world,
)

pytestmark = pytest.mark.alliance_plugins(*PLUGINS)

CSV = "query($m: ID!, $p: String!) { revenueSharePayoutBatchCsv(memberId: $m, period: $p) }"


async def _earned(kernel: Any, factory: AllianceFactory, events: CapturedEvents) -> World:
    w = await world(factory, config={"freeze_days": 0})
    await set_rule(kernel, w.payer.id, RuleInput(default_rate_bp=1_000), actor_user_id=None)
    later(kernel, seconds=1)
    await pick_up(kernel, w, 100_000)  # 10,000 fen of commission
    await events.deliver()
    later(kernel, seconds=1)
    assert await release_due(kernel) == 1
    return w


async def _payout_entries(payer_id: int) -> int:
    rows = await RevenueShareEntry.raw(
        "SELECT COUNT(*) AS n FROM revenue_share_entry WHERE member = {} AND kind = 'payout'",
        payer_id,
    )
    return int(rows[0]["n"])


@pytest.mark.parametrize("replays", [1, 2, 3, 4, 5])
async def test_sequential_replays_make_one_payout(
    replays: int,
    alliance_kernel: Any,
    alliance_factory: AllianceFactory,
    alliance_client: AllianceClient,
    captured_events: CapturedEvents,
) -> None:
    w = await _earned(alliance_kernel, alliance_factory, captured_events)
    await sign_in(alliance_client, w.payer_owner)
    args = {
        "m": gid("Member", w.payer),
        "k": "pay-1",
        "kind": "LEADER",
        "party": gid("Member", w.leader),
        "amount": 2_500,
        "period": "2026-11",
    }
    answers = [(await alliance_client(PAYOUT, args)).ok() for _ in range(1 + replays)]
    assert all(answer == answers[0] for answer in answers)
    assert await _payout_entries(w.payer.id) == 1
    conflict = await alliance_client(PAYOUT, {**args, "amount": 2_501})
    assert conflict.code == "CONFLICT"
    assert await _payout_entries(w.payer.id) == 1


async def test_fifty_concurrent_duplicates_make_one_payout(
    alliance_kernel: Any,
    alliance_factory: AllianceFactory,
    alliance_client: AllianceClient,
    captured_events: CapturedEvents,
) -> None:
    w = await _earned(alliance_kernel, alliance_factory, captured_events)
    await sign_in(alliance_client, w.payer_owner)
    args = {
        "m": gid("Member", w.payer),
        "k": "pay-parallel",
        "kind": "LEADER",
        "party": gid("Member", w.leader),
        "amount": 7_000,
    }
    results = await asyncio.gather(*(alliance_client(PAYOUT, args) for _ in range(50)))
    answers = [result.ok() for result in results]
    assert all(answer == answers[0] for answer in answers)
    assert await _payout_entries(w.payer.id) == 1
    rows = await RevenueSharePayout.raw(
        "SELECT COUNT(*) AS n FROM revenue_share_payout WHERE member = {}", w.payer.id
    )
    assert int(rows[0]["n"]) == 1
    # 50 different keys at once cannot overdraw: only what is available is paid.
    many = [{**args, "k": f"pay-{i}", "amount": 1_000} for i in range(50)]
    results = await asyncio.gather(*(alliance_client(PAYOUT, a) for a in many))
    assert sum(1 for r in results if not r.errors) == 3  # 10,000 - 7,000 = 3 x 1,000
    assert {r.code for r in results if r.errors} == {"BAD_USER_INPUT"}


async def test_payout_batch_csv(
    alliance_kernel: Any,
    alliance_factory: AllianceFactory,
    alliance_client: AllianceClient,
    captured_events: CapturedEvents,
) -> None:
    w = await _earned(alliance_kernel, alliance_factory, captured_events)
    await sign_in(alliance_client, w.payer_owner)
    period = period_of("monthly", alliance_kernel.clock()).key
    for key, amount in (("a", 1_234), ("b", 5)):
        args = {
            "m": gid("Member", w.payer),
            "k": key,
            "kind": "LEADER",
            "party": gid("Member", w.leader),
            "amount": amount,
            "period": period,
        }
        (await alliance_client(PAYOUT, args)).ok()
    csv = (await alliance_client(CSV, {"m": gid("Member", w.payer), "p": period})).ok()
    lines = csv["revenueSharePayoutBatchCsv"].splitlines()
    assert lines[0].startswith("payout_id,period,party_kind,party_id,amount_fen,amount_yuan")
    assert [line.split(",")[4:6] for line in lines[1:]] == [["1234", "12.34"], ["5", "0.05"]]
    bad = await alliance_client(
        PAYOUT,
        {
            "m": gid("Member", w.payer),
            "k": "",
            "kind": "LEADER",
            "party": gid("Member", w.leader),
            "amount": 0,
        },
    )
    assert bad.code == "BAD_USER_INPUT"
    unknown = await alliance_client(
        PAYOUT,
        {
            "m": gid("Member", w.payer),
            "k": "x",
            "kind": "AMBASSADOR",
            "party": gid("User", 999_999),
            "amount": 1,
        },
    )
    assert unknown.code == "NOT_FOUND"

"""Fault containment: a raising or slow plugin is logged with its slug and stops nobody;
a member's hooks and events reach only the plugins it enabled."""

from __future__ import annotations

import asyncio
import time

import pytest

from kernel.plugins.calls import call_hook, decide, deliver, run_contained
from kernel.plugins.service import enable_plugin
from kernel.runtime import Kernel
from tests.factories import Factory
from tests.plugins.conftest import BUDGET
from tests.plugins.sample_plugins import alpha, beta, sleepy
from tests.plugins.sample_plugins.alpha import AlphaNoted


def _logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "kernel.plugins"]


async def _member_with(kernel: Kernel, factory: Factory, *slugs: str) -> int:
    member = await factory.member()
    for slug in slugs:
        await enable_plugin(kernel, actor=None, member_id=member.id, slug=slug)
    return member.id


async def test_a_raising_hook_is_contained(
    kernel: Kernel, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    member = await _member_with(kernel, factory, "alpha", "faulty")
    alpha.CALLS.clear()
    caplog.clear()
    # faulty's implementation runs first (tryfirst) and raises; alpha's still runs.
    await call_hook(kernel, "on_plugin_enabled", member_id=member, slug="alpha", config={})
    assert [("enabled", (member, "alpha", {}))] == alpha.CALLS
    assert _logged(caplog) == ["plugin faulty: hook on_plugin_enabled raised"]


async def test_a_raising_decision_passes_to_the_next(
    kernel: Kernel, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    member = await _member_with(kernel, factory, "alpha", "faulty")
    leaders = [7, 8, 9]
    answer = await decide(
        kernel,
        "attribute_order",
        member_id=member,
        buyer_user_id=1,
        community_id=1,
        leaders=leaders,
        referral_code=None,
    )
    assert answer.leader_member_id == 9  # alpha's (async), after faulty raised
    assert "plugin faulty: hook attribute_order raised" in _logged(caplog)
    bare = await _member_with(kernel, factory)
    assert (
        await decide(
            kernel,
            "attribute_order",
            member_id=bare,
            buyer_user_id=1,
            community_id=1,
            leaders=leaders,
            referral_code=None,
        )
    ).leader_member_id == 7  # the kernel's fallback: alpha is not enabled for this member


async def test_a_slow_hook_is_abandoned_after_its_budget(
    kernel: Kernel, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    member = await _member_with(kernel, factory, "alpha", "sleepy")
    alpha.CALLS.clear()
    caplog.clear()
    started = time.perf_counter()
    await call_hook(kernel, "on_plugin_enabled", member_id=member, slug="alpha", config={})
    assert time.perf_counter() - started < BUDGET + 1
    assert sleepy.FINISHED == []
    assert [("enabled", (member, "alpha", {}))] == alpha.CALLS
    assert (
        f"plugin sleepy: hook on_plugin_enabled exceeded its {BUDGET:.3g}s budget; abandoned"
        in (_logged(caplog))
    )


async def test_hooks_run_only_for_members_that_enabled_the_plugin(
    kernel: Kernel, factory: Factory
) -> None:
    with_alpha = await _member_with(kernel, factory, "alpha")
    without = await _member_with(kernel, factory)
    alpha.CALLS.clear()
    await call_hook(kernel, "on_plugin_disabled", member_id=without, slug="x")
    assert alpha.CALLS == []
    await call_hook(kernel, "on_plugin_disabled", member_id=with_alpha, slug="x")
    assert [("disabled", (with_alpha, "x"))] == alpha.CALLS


async def test_events_reach_only_enabled_plugins_and_failures_are_contained(
    kernel: Kernel, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    everything = await _member_with(kernel, factory, "alpha", "beta", "faulty")
    only_alpha = await _member_with(kernel, factory, "alpha")
    nothing = await _member_with(kernel, factory)
    alpha.CALLS.clear()
    beta.CALLS.clear()
    assert await deliver(kernel, AlphaNoted(member_id=everything, text="hi")) == 2
    assert "plugin faulty: handler of alpha.noted raised" in _logged(caplog)
    assert await deliver(kernel, AlphaNoted(member_id=only_alpha, text="hi")) == 1
    assert await deliver(kernel, AlphaNoted(member_id=nothing, text="hi")) == 0
    assert [("event", everything), ("event", only_alpha)] == alpha.CALLS
    assert [("event", everything)] == beta.CALLS


async def test_enabling_survives_failing_notifications(
    kernel: Kernel, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    member = await _member_with(kernel, factory, "faulty", "sleepy")
    row = await enable_plugin(kernel, actor=None, member_id=member, slug="alpha")
    assert row["enabled"]
    logged = _logged(caplog)
    assert "plugin faulty: hook on_plugin_enabled raised" in logged
    assert any(m.startswith("plugin sleepy: hook on_plugin_enabled exceeded") for m in logged)


async def test_a_cancelled_contained_call_stays_cancelled() -> None:
    """Cancelling the task running a plugin call cancels it, at whatever step of the call
    (Python 3.11's ``asyncio.wait_for`` returned the result instead when the call had just
    completed, and a stopping job runner kept running forever)."""

    async def quick() -> int:
        await asyncio.sleep(0)
        return 1

    outcomes = []
    for yields in range(6):
        task = asyncio.create_task(run_contained("demo", "quick", quick, budget=5))
        for _ in range(yields):
            await asyncio.sleep(0)
        if task.done():  # finished before the cancel: nothing to check at this step
            outcomes.append("done")
            continue
        task.cancel()
        try:
            await task
            outcomes.append("swallowed")
        except asyncio.CancelledError:
            outcomes.append("cancelled")
    assert "swallowed" not in outcomes
    assert outcomes.count("cancelled") >= 2, outcomes

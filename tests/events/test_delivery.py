"""Outbox delivery: after commit only, ordered per member, failures contained and retried."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator

import pytest

from kernel.events import (
    Backoff,
    Dispatcher,
    Event,
    EventBus,
    dead_letters,
    publish,
    retry_dead,
    store,
)
from kernel.events.outbox import publish_many
from kernel.events.sql import query
from kernel.runtime import Kernel
from kernel.settings import Settings
from tests.events import Clock, OrderPlaced, Unregistered, started_kernel


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def kernel(settings: Settings, clock: Clock) -> AsyncIterator[Kernel]:
    async with started_kernel(settings, clock) as started:
        yield started


class Recorder:
    """Consumers that record what they receive, and fail on demand."""

    def __init__(self) -> None:
        self.seen: dict[str, list[tuple[int, int]]] = {}
        self.fail: dict[str, set[tuple[int, int]]] = {}

    def handler(self, consumer: str):  # type: ignore[no-untyped-def]
        async def handle(event: Event) -> None:
            assert isinstance(event, OrderPlaced)
            key = (event.member_id, event.number)
            self.seen.setdefault(consumer, []).append(key)
            if key in self.fail.get(consumer, set()):
                raise RuntimeError(f"{consumer} refuses {key}")

        return handle


def make_bus(recorder: Recorder, *consumers: str) -> EventBus:
    bus = EventBus()
    bus.register_event(OrderPlaced)
    for consumer in consumers:
        bus.subscribe(OrderPlaced.type, consumer, recorder.handler(consumer))
    return bus


def by_member(seen: list[tuple[int, int]]) -> dict[int, list[int]]:
    """What a consumer saw, per member in delivery order (order across members is free)."""
    found: dict[int, list[int]] = {}
    for member_id, number in seen:
        found.setdefault(member_id, []).append(number)
    return found


async def publish_orders(kernel: Kernel, *keys: tuple[int, int]) -> None:
    async with kernel.db.write():
        for member_id, number in keys:
            await publish(kernel, OrderPlaced(member_id=member_id, number=number))


async def statuses(kernel: Kernel) -> dict[str, list[str]]:
    rows = await query(kernel.db, "SELECT consumer, status FROM events_delivery ORDER BY id")
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["consumer"], []).append(row["status"])
    return found


async def test_delivered_after_commit_only(kernel: Kernel) -> None:
    recorder = Recorder()
    dispatcher = Dispatcher(kernel, make_bus(recorder, "a"))
    async with kernel.db.write():
        await publish(kernel, OrderPlaced(member_id=1, number=1))
        # A dispatcher outside this transaction (a fresh context, as its own task has).
        early = asyncio.create_task(dispatcher.drain(), context=contextvars.Context())
        await asyncio.sleep(0.05)
        assert recorder.seen == {}
    await early  # SQLite: it waited for the write lock; PostgreSQL: it saw nothing yet
    await dispatcher.drain()
    assert recorder.seen == {"a": [(1, 1)]}
    assert await statuses(kernel) == {"a": ["done"]}


async def test_never_delivered_after_rollback(kernel: Kernel) -> None:
    recorder = Recorder()
    dispatcher = Dispatcher(kernel, make_bus(recorder, "a"))
    with pytest.raises(RuntimeError, match="changed my mind"):
        async with kernel.db.write():
            await publish(kernel, OrderPlaced(member_id=1, number=1))
            raise RuntimeError("changed my mind")
    assert await dispatcher.drain() == 0
    assert recorder.seen == {}
    assert await query(kernel.db, "SELECT id FROM events_outbox") == []


async def test_draining_inside_a_transaction_is_refused(kernel: Kernel) -> None:
    dispatcher = Dispatcher(kernel, make_bus(Recorder(), "a"))
    async with kernel.db.write():
        with pytest.raises(RuntimeError, match="transaction"):
            await dispatcher.drain()


async def test_a_failing_consumer_holds_back_only_its_member(kernel: Kernel, clock: Clock) -> None:
    recorder = Recorder()
    recorder.fail["flaky"] = {(1, 1)}
    dispatcher = Dispatcher(kernel, make_bus(recorder, "flaky", "steady"))
    await publish_orders(kernel, (1, 1), (2, 1), (1, 2), (1, 3), (2, 2))

    await dispatcher.drain()
    # The other consumer got everything, each member in order; the failing one got member 2.
    assert by_member(recorder.seen["steady"]) == {1: [1, 2, 3], 2: [1, 2]}
    assert by_member(recorder.seen["flaky"]) == {1: [1], 2: [1, 2]}

    recorder.fail["flaky"] = set()
    await dispatcher.drain()  # the retry is not due yet
    assert len(recorder.seen["flaky"]) == 3
    clock.advance(2)
    await dispatcher.drain()
    assert recorder.seen["flaky"][3:] == [(1, 1), (1, 2), (1, 3)]
    assert await statuses(kernel) == {"flaky": ["done"] * 5, "steady": ["done"] * 5}


async def test_retries_with_backoff_then_dead_letter_then_retry(
    kernel: Kernel, clock: Clock
) -> None:
    recorder = Recorder()
    recorder.fail["flaky"] = {(1, 1)}
    backoff = Backoff(base=1, cap=4, max_attempts=3, jitter=0)
    dispatcher = Dispatcher(kernel, make_bus(recorder, "flaky", "steady"), backoff=backoff)
    await publish_orders(kernel, (1, 1), (1, 2))

    await dispatcher.drain()
    clock.advance(0.9)
    await dispatcher.drain()  # 1 s backoff: not yet
    assert recorder.seen["flaky"] == [(1, 1)]
    clock.advance(0.2)
    await dispatcher.drain()  # attempt 2, then a 2 s backoff
    clock.advance(2)
    await dispatcher.drain()  # attempt 3 of 3: dead; the member's next event goes through
    assert recorder.seen["flaky"] == [(1, 1)] * 3 + [(1, 2)]
    assert recorder.seen["steady"] == [(1, 1), (1, 2)]

    [letter] = await dead_letters(kernel.db)
    assert (letter.consumer, letter.event_type, letter.member_id) == ("flaky", OrderPlaced.type, 1)
    assert letter.attempts == 3
    assert "RuntimeError: flaky refuses (1, 1)" in letter.last_error

    recorder.fail["flaky"] = set()
    assert await retry_dead(kernel.db, clock(), consumer="other") == 0
    assert await retry_dead(kernel.db, clock(), ids=[letter.id]) == 1
    await dispatcher.drain()
    assert recorder.seen["flaky"][-1] == (1, 1)
    assert await dead_letters(kernel.db) == []
    assert await statuses(kernel) == {"flaky": ["done", "done"], "steady": ["done", "done"]}


async def test_unknown_event_type_is_a_dead_letter(kernel: Kernel) -> None:
    bus = EventBus()

    async def never(event: Event) -> None:
        raise AssertionError("must not run")

    bus.subscribe(Unregistered.type, "c", never)
    dispatcher = Dispatcher(kernel, bus)
    async with kernel.db.write():
        await publish(kernel, Unregistered(member_id=1))
    await dispatcher.drain()
    [letter] = await dead_letters(kernel.db)
    assert "unknown event type 'test.unregistered'" in letter.last_error
    assert letter.attempts == 1


async def test_a_slow_handler_times_out_and_is_retried(kernel: Kernel, clock: Clock) -> None:
    calls: list[int] = []

    async def slow(event: Event) -> None:
        calls.append(1)
        if len(calls) == 1:
            await asyncio.sleep(5)

    bus = EventBus()
    bus.register_event(OrderPlaced)
    bus.subscribe(OrderPlaced.type, "slow", slow)
    dispatcher = Dispatcher(kernel, bus, handler_timeout=0.05)
    await publish_orders(kernel, (1, 1))
    await dispatcher.drain()
    rows = await query(kernel.db, "SELECT status, last_error FROM events_delivery")
    assert rows[0]["status"] == "pending"
    assert "exceeded 0.05 s" in rows[0]["last_error"]
    clock.advance(2)
    await dispatcher.drain()
    assert len(calls) == 2
    assert await statuses(kernel) == {"slow": ["done"]}


async def test_plugin_consumers_skip_members_where_the_plugin_is_off(kernel: Kernel) -> None:
    recorder = Recorder()
    bus = make_bus(recorder, "core")
    bus.subscribe(OrderPlaced.type, "loyalty.points", recorder.handler("points"), plugin="loyalty")
    asked: list[tuple[str, int]] = []

    async def gate(plugin: str, member_id: int) -> bool:
        asked.append((plugin, member_id))
        return member_id == 1

    dispatcher = Dispatcher(kernel, bus, gate=gate)
    await publish_orders(kernel, (1, 1), (2, 1))
    await dispatcher.drain()
    assert recorder.seen["points"] == [(1, 1)]
    assert sorted(recorder.seen["core"]) == [(1, 1), (2, 1)]
    assert set(asked) == {("loyalty", 1), ("loyalty", 2)}
    rows = await query(
        kernel.db,
        "SELECT member_id, status, attempts FROM events_delivery "
        "WHERE consumer = 'loyalty.points' ORDER BY member_id",
    )
    # Member 2's delivery was skipped as it was fanned out: never claimed, never attempted.
    assert rows == [
        {"member_id": 1, "status": "done", "attempts": 1},
        {"member_id": 2, "status": "skipped", "attempts": 0},
    ]


async def test_the_gate_is_asked_again_at_delivery(kernel: Kernel) -> None:
    # Enabled when the event was fanned out, disabled before its delivery: skipped.
    recorder = Recorder()
    bus = make_bus(recorder)
    bus.subscribe(OrderPlaced.type, "loyalty.points", recorder.handler("points"), plugin="loyalty")
    enabled = {"loyalty"}

    async def gate(plugin: str, member_id: int) -> bool:
        return plugin in enabled

    dispatcher = Dispatcher(kernel, bus, gate=gate)
    await publish_orders(kernel, (1, 1))
    async with kernel.db.write():
        await store.fan_out(kernel.db, bus, kernel.clock(), gate=gate)
    enabled.clear()
    await dispatcher.drain()
    assert recorder.seen == {}
    assert await statuses(kernel) == {"loyalty.points": ["skipped"]}


async def test_the_background_task_wakes_up_on_publish(kernel: Kernel) -> None:
    delivered = asyncio.Event()

    async def handle(event: Event) -> None:
        delivered.set()

    bus = EventBus()
    bus.register_event(OrderPlaced)
    bus.subscribe(OrderPlaced.type, "a", handle)
    dispatcher = Dispatcher(kernel, bus, poll_interval=60)
    await dispatcher.start()
    try:
        await asyncio.sleep(0.1)  # the first round found nothing and sleeps for a minute
        await publish_orders(kernel, (1, 1))
        await asyncio.wait_for(delivered.wait(), 5)
    finally:
        await dispatcher.stop()


async def test_a_failing_round_does_not_stop_the_background_task(
    kernel: Kernel, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder()
    dispatcher = Dispatcher(kernel, make_bus(recorder, "a"), poll_interval=0.02)
    real_claim = dispatcher._claim
    failures = [RuntimeError("database hiccup")]

    async def claim() -> list:  # type: ignore[type-arg]
        if failures:
            raise failures.pop()
        return await real_claim()

    dispatcher._claim = claim  # type: ignore[method-assign]
    await dispatcher.start()
    try:
        await publish_orders(kernel, (1, 1))
        for _ in range(250):
            if recorder.seen:
                break
            await asyncio.sleep(0.02)
    finally:
        await dispatcher.stop()
    assert recorder.seen == {"a": [(1, 1)]}
    assert "dispatcher round failed" in caplog.text


async def test_publish_many_is_publish_for_a_batch(kernel: Kernel) -> None:
    recorder = Recorder()
    dispatcher = Dispatcher(kernel, make_bus(recorder, "a"))
    async with kernel.db.write():
        await publish_many(
            kernel, [OrderPlaced(member_id=m, number=n) for m, n in ((1, 1), (2, 1), (1, 2))]
        )
    with pytest.raises(RuntimeError, match="rolled back"):
        async with kernel.db.write():
            await publish_many(kernel, [OrderPlaced(member_id=1, number=99)])
            raise RuntimeError("rolled back")
    await dispatcher.drain()
    assert by_member(recorder.seen["a"]) == {1: [1, 2], 2: [1]}


class CountingRounds:
    """Counts a dispatcher's claim rounds (each is one write transaction)."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.rounds = 0
        real = dispatcher._claim

        async def claim() -> list:  # type: ignore[type-arg]
            self.rounds += 1
            return await real()

        dispatcher._claim = claim  # type: ignore[method-assign]


async def test_a_busy_members_backlog_drains_in_runs(kernel: Kernel) -> None:
    # A flash sale: one seller's events pile up faster than one per round could deliver.
    recorder = Recorder()
    dispatcher = Dispatcher(kernel, make_bus(recorder, "a", "b"), run_size=100)
    rounds = CountingRounds(dispatcher)
    async with kernel.db.write():
        await publish_many(kernel, [OrderPlaced(member_id=1, number=n) for n in range(250)])
        await publish_many(kernel, [OrderPlaced(member_id=2, number=n) for n in range(3)])
    assert await dispatcher.drain() == 2 * 253
    assert rounds.rounds == 4  # 100 + 100 + 50 per queue, then an empty round
    for consumer in ("a", "b"):
        assert by_member(recorder.seen[consumer]) == {1: list(range(250)), 2: [0, 1, 2]}
    assert await statuses(kernel) == {"a": ["done"] * 253, "b": ["done"] * 253}


async def test_a_retried_failure_stops_its_run_and_keeps_the_order(
    kernel: Kernel, clock: Clock
) -> None:
    recorder = Recorder()
    recorder.fail["a"] = {(1, 3)}
    dispatcher = Dispatcher(kernel, make_bus(recorder, "a"))
    await publish_orders(kernel, *[(1, n) for n in range(1, 7)])
    await dispatcher.drain()
    assert recorder.seen["a"] == [(1, 1), (1, 2), (1, 3)]
    rows = await query(
        kernel.db, "SELECT status, attempts, locked_until FROM events_delivery ORDER BY outbox_id"
    )
    # The rest went back to the queue untouched: never attempted, not leased.
    assert [(r["status"], r["attempts"], r["locked_until"]) for r in rows] == [
        ("done", 1, None),
        ("done", 1, None),
        ("pending", 1, None),
        *[("pending", 0, None)] * 3,
    ]
    recorder.fail["a"] = set()
    clock.advance(2)
    await dispatcher.drain()
    assert recorder.seen["a"][3:] == [(1, n) for n in range(3, 7)]
    assert await statuses(kernel) == {"a": ["done"] * 6}


async def test_a_run_starts_no_handler_late_in_its_lease(kernel: Kernel) -> None:
    # lease_margin 0.1 s: a run stops starting handlers 0.05 s into its round, so each
    # round of these 60 ms handlers delivers one; every event still arrives, in order.
    seen: list[int] = []

    async def slow(event: Event) -> None:
        assert isinstance(event, OrderPlaced)
        seen.append(event.number)
        await asyncio.sleep(0.06)

    bus = EventBus()
    bus.register_event(OrderPlaced)
    bus.subscribe(OrderPlaced.type, "slow", slow)
    dispatcher = Dispatcher(kernel, bus, handler_timeout=1, lease_margin=0.1)
    rounds = CountingRounds(dispatcher)
    await publish_orders(kernel, *[(1, n) for n in range(4)])
    assert await dispatcher.drain() == 4
    assert seen == [0, 1, 2, 3]
    assert rounds.rounds == 5
    assert await statuses(kernel) == {"slow": ["done"] * 4}

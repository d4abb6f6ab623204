"""At-least-once across crashes, and several dispatchers (processes) on one database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from kernel.events import Dispatcher, Event, EventBus, once, publish
from kernel.events.sql import query
from kernel.runtime import Kernel
from kernel.settings import Settings
from tests.events import Clock, OrderPlaced, rebind, started_kernel


class Crash(BaseException):
    """The process dies: not an error a handler reports, nothing catches it."""


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def kernel(settings: Settings, clock: Clock) -> AsyncIterator[Kernel]:
    async with started_kernel(settings, clock) as started:
        yield started


def bus_with(consumer: str, handler) -> EventBus:  # type: ignore[no-untyped-def]
    bus = EventBus()
    bus.register_event(OrderPlaced)
    bus.subscribe(OrderPlaced.type, consumer, handler)
    return bus


async def test_redelivery_after_a_crash_between_commit_and_delivery(
    kernel: Kernel, settings: Settings, clock: Clock
) -> None:
    # The publishing process commits, then dies before any dispatcher ran.
    async with kernel.db.write():
        await publish(kernel, OrderPlaced(member_id=3, number=7))
    seen: list[int] = []

    async def handle(event: Event) -> None:
        assert isinstance(event, OrderPlaced)
        seen.append(event.number)

    async with started_kernel(settings, clock) as restarted:
        try:
            assert await Dispatcher(restarted, bus_with("a", handle)).drain() == 1
        finally:
            rebind(kernel)
    assert seen == [7]


async def test_redelivery_after_a_crash_between_handler_and_acknowledgement(
    kernel: Kernel, settings: Settings, clock: Clock
) -> None:
    effects: list[int] = []
    runs: list[int] = []

    async def handle(event: Event) -> None:
        assert isinstance(event, OrderPlaced)
        runs.append(event.number)
        async with once(kernel, "a", event.event_id) as first:
            if first:
                effects.append(event.number)
        if len(runs) == 1:
            raise Crash  # the effect committed, the delivery was never marked done

    async with kernel.db.write():
        await publish(kernel, OrderPlaced(member_id=3, number=7))
    with pytest.raises(Crash):
        await Dispatcher(kernel, bus_with("a", handle)).drain()

    survivor = Dispatcher(kernel, bus_with("a", handle), handler_timeout=10, lease_margin=30)
    assert await survivor.drain() == 0  # the dead process's lease still holds
    clock.advance(41)
    assert await survivor.drain() == 1
    assert runs == [7, 7]
    assert effects == [7]  # the idempotency helper kept the second run from repeating it
    rows = await query(kernel.db, "SELECT status, attempts FROM events_delivery")
    assert rows == [{"status": "done", "attempts": 2}]


async def test_two_processes_deliver_each_event_exactly_once(
    kernel: Kernel, settings: Settings, clock: Clock
) -> None:
    seen: list[tuple[str, int, int]] = []

    def handler(process: str):  # type: ignore[no-untyped-def]
        async def handle(event: Event) -> None:
            assert isinstance(event, OrderPlaced)
            seen.append((process, event.member_id, event.number))
            await asyncio.sleep(0)  # let the other process interleave

        return handle

    async with kernel.db.write():
        for number in range(10):
            for member_id in (1, 2, 3):
                await publish(kernel, OrderPlaced(member_id=member_id, number=number))
    async with started_kernel(settings, clock) as other:
        try:
            first = Dispatcher(kernel, bus_with("a", handler("first")))
            second = Dispatcher(other, bus_with("a", handler("second")))
            await asyncio.gather(first.drain(), second.drain(), first.drain(), second.drain())
        finally:
            rebind(kernel)
    assert sorted((m, n) for _, m, n in seen) == sorted(
        (m, n) for m in (1, 2, 3) for n in range(10)
    )
    for member_id in (1, 2, 3):
        assert [n for _, m, n in seen if m == member_id] == list(range(10))

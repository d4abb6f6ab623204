"""The pieces: backoff, bus declarations, the idempotency helper and the CLI."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import ClassVar

import pytest

from kernel.cli import main
from kernel.events import (
    Backoff,
    Dispatcher,
    Event,
    EventBus,
    UnknownEventType,
    dead_letters,
    once,
    publish,
)
from kernel.settings import Settings
from tests.events import Clock, OrderPlaced, started_kernel


async def nothing(event: Event) -> None:
    return None


def test_backoff_doubles_with_jitter_up_to_a_cap_then_gives_up() -> None:
    exact = Backoff(base=1, cap=300, max_attempts=12, jitter=0)
    assert [exact.delay(n) for n in range(1, 12)] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert exact.delay(12) is None
    jittered = Backoff(base=1, cap=300, max_attempts=8, jitter=0.25, rng=random.Random(1))
    delays = [jittered.delay(3) for _ in range(50)]
    assert all(d is not None and 3 <= d <= 4 for d in delays)
    assert len(set(delays)) > 1
    with pytest.raises(ValueError):
        Backoff(base=0)


def test_the_bus_refuses_bad_declarations() -> None:
    class Untyped(Event):
        pass

    class Clash(Event):
        type: ClassVar[str] = OrderPlaced.type

    bus = EventBus()
    with pytest.raises(ValueError, match="namespaced"):
        bus.register_event(Untyped)
    bus.register_event(OrderPlaced)
    bus.register_event(OrderPlaced)  # the same class again is fine
    with pytest.raises(ValueError, match="already"):
        bus.register_event(Clash)
    bus.subscribe(OrderPlaced.type, "a", nothing, plugin="p")
    with pytest.raises(ValueError, match="already subscribes"):
        bus.subscribe(OrderPlaced.type, "a", nothing, plugin="p")
    with pytest.raises(ValueError, match="another plugin"):
        bus.subscribe("test.other", "a", nothing, plugin="q")
    with pytest.raises(UnknownEventType, match=r"test\.nope"):
        bus.event_class("test.nope")
    event = OrderPlaced(member_id=4, number=2)
    assert bus.decode(OrderPlaced.type, event.model_dump_json()) == event
    assert bus.consumers == ["a"]


async def test_once_applies_an_effect_once_and_rolls_back_with_it(settings: Settings) -> None:
    async with started_kernel(settings, Clock()) as kernel:
        event = OrderPlaced(member_id=1)
        with pytest.raises(RuntimeError):
            async with once(kernel, "c", event.event_id) as first:
                assert first
                raise RuntimeError("the effect failed: the marker must go too")
        async with once(kernel, "c", event.event_id) as first:
            assert first
        async with once(kernel, "c", event.event_id) as first:
            assert not first
        async with once(kernel, "other", event.event_id) as first:
            assert first


def test_cli_lists_and_requeues_dead_letters(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def fail(event: Event) -> None:
        raise ValueError("the warehouse is closed")

    async def seed() -> None:
        async with started_kernel(settings, Clock()) as kernel:
            bus = EventBus()
            bus.register_event(OrderPlaced)
            bus.subscribe(OrderPlaced.type, "stock.reserve", fail)
            async with kernel.db.write():
                await publish(kernel, OrderPlaced(member_id=5))
            await Dispatcher(kernel, bus, backoff=Backoff(max_attempts=1)).drain()

    async def dead_count() -> int:
        async with started_kernel(settings, Clock()) as kernel:
            return len(await dead_letters(kernel.db))

    asyncio.run(seed())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ALLIANCE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ALLIANCE_VAR_DIR", str(tmp_path / "var"))
    assert main(["events", "dead"]) == 0
    out = capsys.readouterr().out
    assert "stock.reserve" in out and OrderPlaced.type in out
    assert "ValueError: the warehouse is closed" in out

    assert main(["events", "retry"]) == 1
    assert "--all" in capsys.readouterr().err
    assert main(["events", "retry", "--consumer", "stock.reserve"]) == 0
    assert "Requeued 1 dead letter(s)." in capsys.readouterr().out
    assert asyncio.run(dead_count()) == 0
    assert main(["events", "dead"]) == 0
    assert "No dead letters." in capsys.readouterr().out

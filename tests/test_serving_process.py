"""What only a serving process does at start-up: tune Python's garbage collector
(docs/performance.md, "The garbage collector"). Process-wide, so an app built by a test or a
tool must leave the collector as it found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from kernel.gateway.app import GC_THRESHOLDS, create_app
from kernel.settings import Settings


@pytest.fixture
def collector() -> Iterator[None]:
    """This process's collector, restored after the test (and nothing frozen before it)."""
    saved = gc.get_threshold()
    gc.unfreeze()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved)


async def started_and_stopped(settings: Settings, *, serving: bool) -> tuple[tuple[int, ...], int]:
    """The collector's thresholds and frozen count once the app has started."""
    app = create_app(settings, serving=serving)
    for hook in app.on_startup:
        await hook()
    try:
        return gc.get_threshold(), gc.get_freeze_count()
    finally:
        for hook in app.on_shutdown:
            await hook()


@pytest.mark.usefixtures("collector")
async def test_a_serving_app_tunes_the_collector(settings: Settings) -> None:
    before = gc.get_threshold()
    assert before != GC_THRESHOLDS
    assert await started_and_stopped(settings, serving=False) == (before, 0)

    thresholds, frozen = await started_and_stopped(settings, serving=True)
    assert thresholds == GC_THRESHOLDS
    assert frozen > 10_000  # modules, schemas and plugins are out of the collector's scans


@pytest.mark.usefixtures("collector")
async def test_gc_tuning_can_be_turned_off(settings: Settings) -> None:
    before = gc.get_threshold()
    off = settings.model_copy(update={"gc_tuning": False})
    assert await started_and_stopped(off, serving=True) == (before, 0)

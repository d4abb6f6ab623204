"""Tests of domain events: outbox, dispatcher, dead letters (helpers shared by the modules)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import ClassVar

from kernel.db import bind_engine
from kernel.events import Event
from kernel.runtime import Kernel
from kernel.settings import Settings


class Clock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class OrderPlaced(Event):
    type: ClassVar[str] = "test.order_placed"
    number: int = 0


class Unregistered(Event):
    type: ClassVar[str] = "test.unregistered"


@contextlib.asynccontextmanager
async def started_kernel(settings: Settings, clock: Clock) -> AsyncIterator[Kernel]:
    """A kernel of its own (another 'process' on the same database), stopped on exit."""
    kernel = Kernel.from_settings(settings)
    kernel.clock = clock
    await kernel.start()
    try:
        yield kernel
    finally:
        await kernel.stop()


def rebind(kernel: Kernel) -> None:
    """Tables follow the engine started last; point them back at ``kernel``'s."""
    bind_engine(kernel.db.engine)

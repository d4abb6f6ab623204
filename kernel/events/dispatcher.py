"""The dispatcher: one asyncio task per process delivering outbox events to consumers.

Each round claims due deliveries (leases) in one short write transaction, runs their
handlers concurrently outside any transaction, then records each outcome. A crash anywhere
before an outcome is recorded leaves a lease that expires: the delivery is retried, so
delivery is at least once and handlers must be idempotent by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from kernel.events import store
from kernel.events.bus import EventBus
from kernel.events.listen import Listener
from kernel.events.outbox import add_wakeup, remove_wakeup
from kernel.events.retry import Backoff

if TYPE_CHECKING:
    from kernel.runtime import Kernel

__all__ = ["Dispatcher", "Gate"]

log = logging.getLogger("kernel.events")

Gate = Callable[[str, int], Awaitable[bool]]
"""``async gate(plugin, member_id) -> bool``: whether ``plugin`` is enabled for the member."""


class Dispatcher:
    """Delivers the outbox of ``kernel``'s database to the consumers subscribed on ``bus``.

    :param gate: consulted for consumers that belong to a plugin; a delivery to a disabled
        plugin's consumer is marked ``skipped`` (settable later: ``dispatcher.gate = ...``).
    :param handler_timeout: seconds a handler may run before it counts as failed.
    :param poll_interval: seconds between polls when no wake-up arrives.
    :param lease_margin: seconds beyond ``handler_timeout`` a claim stays leased; a claim
        whose dispatcher died is retried after that.
    """

    def __init__(
        self,
        kernel: Kernel,
        bus: EventBus,
        *,
        gate: Gate | None = None,
        backoff: Backoff | None = None,
        handler_timeout: float = 10.0,
        poll_interval: float = 1.0,
        batch_size: int = 32,
        lease_margin: float = 30.0,
        listen: bool = True,
    ) -> None:
        self.kernel = kernel
        self.bus = bus
        self.gate = gate
        self.backoff = backoff or Backoff()
        self.handler_timeout = handler_timeout
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.lease_margin = lease_margin
        self.listen = listen
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._listener: Listener | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start delivering in the background (after the database started)."""
        if self._task is not None:
            return
        self._stopping = False
        add_wakeup(self.kernel.db, self._wakeup)
        if self.listen and self.kernel.db.kind == "postgres":
            self._listener = Listener(self.kernel.db.url, self._wakeup)
            await self._listener.start()
        self._task = asyncio.create_task(self._run(), name="kernel.events.dispatcher")

    async def stop(self, *, grace: float = 5.0) -> None:
        """Stop (before the database stops): the round in flight gets ``grace`` seconds to
        finish; deliveries cut short are retried when their lease expires."""
        task, self._task = self._task, None
        self._stopping = True
        self._wakeup.set()
        remove_wakeup(self.kernel.db, self._wakeup)
        if task is not None:
            try:
                async with asyncio.timeout(grace):
                    await asyncio.shield(task)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None

    def wake(self) -> None:
        """Start a round now instead of at the next poll."""
        self._wakeup.set()

    async def _run(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            try:
                await self._drain(until_stopped=True)
            except Exception:
                log.exception(
                    "events: dispatcher round failed; next round in %ss", self.poll_interval
                )
            if self._stopping:
                return
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
            # cancellation arriving as the wait ends (kernel/plugins/calls.py).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_interval):
                    await self._wakeup.wait()

    # --- delivery ----------------------------------------------------------------------------

    async def drain(self) -> int:
        """Deliver until nothing is due; returns the number of deliveries attempted."""
        return await self._drain(until_stopped=False)

    async def _drain(self, *, until_stopped: bool) -> int:
        total = 0
        while not (until_stopped and self._stopping):
            claims = await self._claim()
            if not claims:
                break
            outcomes = await asyncio.gather(
                *(self._deliver(item) for item in claims), return_exceptions=True
            )
            total += len(claims)
            for outcome in outcomes:
                if isinstance(outcome, Exception):  # recording an outcome failed: lease expires
                    log.error("events: recording a delivery failed: %s", _describe(outcome))
                elif isinstance(outcome, BaseException):
                    raise outcome
        return total

    async def _claim(self) -> list[store.Claim]:
        db, now = self.kernel.db, self.kernel.clock()
        if db.engine.current_transaction.get() is not None:
            # Joining the caller's transaction would deliver events it may still roll back.
            raise RuntimeError("the dispatcher cannot run inside a database transaction")
        lease = dt.timedelta(seconds=self.handler_timeout + self.lease_margin)
        async with db.write():
            await store.fan_out(db, self.bus, now)
            return await store.claim(
                db,
                self.bus.consumers,
                now=now,
                lease_until=now + lease,
                owner=self.owner,
                limit=self.batch_size,
            )

    async def _deliver(self, item: store.Claim) -> None:
        """Run one handler and record the outcome; only BaseExceptions escape."""
        db = self.kernel.db
        try:
            subscription = self.bus.subscription(item.consumer, item.event_type)
            if subscription is None:
                raise LookupError(f"{item.consumer} does not subscribe to {item.event_type}")
            event = self.bus.decode(item.event_type, item.payload)
        except Exception as exc:  # unknown type, bad payload: retrying cannot help
            log.error("events: %s cannot take %s: %s", item.consumer, item.event_type, exc)
            await store.mark_failed(
                db, item, self.owner, self.kernel.clock(), error=_describe(exc), retry_at=None
            )
            return
        try:
            plugin, gate = item.plugin, self.gate
            if plugin is not None and gate is not None and not await gate(plugin, item.member_id):
                await store.mark_skipped(db, item, self.owner, self.kernel.clock())
                return
            async with asyncio.timeout(self.handler_timeout):
                await subscription.handler(event)
        except Exception as exc:
            await self._failed(item, exc)
            return
        await store.mark_done(db, item, self.owner, self.kernel.clock())

    async def _failed(self, item: store.Claim, exc: Exception) -> None:
        now = self.kernel.clock()
        if isinstance(exc, TimeoutError):
            exc = TimeoutError(f"handler exceeded {self.handler_timeout:g} s")
        delay = self.backoff.delay(item.attempts)
        retry_at = None if delay is None else now + dt.timedelta(seconds=delay)
        log.warning(
            "events: consumer %s failed on %s %s (member %s, attempt %d, %s): %s",
            item.consumer,
            item.event_type,
            item.outbox_id,
            item.member_id,
            item.attempts,
            "dead" if retry_at is None else f"retry in {delay:.1f}s",
            _describe(exc),
        )
        await store.mark_failed(
            self.kernel.db, item, self.owner, now, error=_describe(exc), retry_at=retry_at
        )


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"

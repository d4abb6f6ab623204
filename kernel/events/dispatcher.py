"""The dispatcher: one asyncio task per process delivering outbox events to consumers.

Each round claims due deliveries (leases) in one short write transaction: the head of each
(consumer, member) queue and up to ``run_size`` deliveries behind it. It runs the handlers
outside any transaction, each queue's in order and the queues concurrently, then records the
round's outcomes in one transaction. A crash anywhere
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
from typing import TYPE_CHECKING

from kernel.events import store
from kernel.events.bus import EventBus
from kernel.events.listen import Listener
from kernel.events.outbox import add_wakeup, remove_wakeup
from kernel.events.retry import Backoff

if TYPE_CHECKING:
    from kernel.runtime import Kernel

__all__ = ["Dispatcher", "Gate"]

Gate = store.Gate

log = logging.getLogger("kernel.events")


class Dispatcher:
    """Delivers the outbox of ``kernel``'s database to the consumers subscribed on ``bus``.

    :param gate: consulted for consumers that belong to a plugin; a delivery to a disabled
        plugin's consumer is marked ``skipped`` (settable later: ``dispatcher.gate = ...``).
    :param handler_timeout: seconds a handler may run before it counts as failed.
    :param poll_interval: seconds between polls when no wake-up arrives.
    :param batch_size: (consumer, member) queues served per round.
    :param run_size: deliveries per queue per round, delivered in order (a busy member's
        backlog drains ``run_size`` events a round, not one).
    :param lease_margin: seconds beyond the handlers' time a claim stays leased; a claim
        whose dispatcher died is retried after that.
    """

    def __init__(
        self,
        kernel: Kernel,
        bus: EventBus,
        *,
        gate: store.Gate | None = None,
        backoff: Backoff | None = None,
        handler_timeout: float = 10.0,
        poll_interval: float = 1.0,
        batch_size: int = 32,
        run_size: int = 100,
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
        self.run_size = run_size
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
            runs: dict[tuple[str, int], list[store.Claim]] = {}
            for item in claims:  # in outbox order: each run is one (consumer, member)'s queue
                runs.setdefault((item.consumer, item.member_id), []).append(item)
            # A run starts no handler later than lease_margin / 2 into the round, so the whole
            # round (and its record) ends well inside the lease of handler_timeout + margin.
            until = asyncio.get_running_loop().time() + self.lease_margin / 2
            gates = store.GateAnswers(self.gate) if self.gate is not None else None
            outcomes = await asyncio.gather(
                *(self._deliver_run(run, until, gates) for run in runs.values())
            )
            done = [outcome for run in outcomes for outcome in run]
            total += sum(1 for outcome in done if outcome.status != "released")
            try:
                await store.record(self.kernel.db, self.owner, self.kernel.clock(), done)
            except Exception as exc:  # the leases expire: the round is retried
                log.error("events: recording %d deliveries failed: %s", len(done), _describe(exc))
        return total

    async def _claim(self) -> list[store.Claim]:
        db, now = self.kernel.db, self.kernel.clock()
        if db.engine.current_transaction.get() is not None:
            # Joining the caller's transaction would deliver events it may still roll back.
            raise RuntimeError("the dispatcher cannot run inside a database transaction")
        lease = dt.timedelta(seconds=self.handler_timeout + self.lease_margin)
        async with db.write():
            await store.fan_out(db, self.bus, now, gate=self.gate)
            return await store.claim(
                db,
                self.bus.consumers,
                now=now,
                lease_until=now + lease,
                owner=self.owner,
                limit=self.batch_size,
                run=self.run_size,
            )

    async def _deliver_run(
        self, run: list[store.Claim], until: float, gates: store.GateAnswers | None
    ) -> list[store.Outcome]:
        """Deliver one (consumer, member)'s claims in order; a failure that will be retried,
        or reaching ``until`` (loop time), stops the run: the rest go back to the queue."""
        outcomes: list[store.Outcome] = []
        loop = asyncio.get_running_loop()
        for position, item in enumerate(run):
            if position and loop.time() >= until:
                outcomes += [store.Outcome(rest, "released") for rest in run[position:]]
                break
            outcome = await self._deliver(item, gates)
            outcomes.append(outcome)
            if outcome.status == "pending":
                outcomes += [store.Outcome(rest, "released") for rest in run[position + 1 :]]
                break
        return outcomes

    async def _deliver(self, item: store.Claim, gates: store.GateAnswers | None) -> store.Outcome:
        """Run one handler; its outcome (only BaseExceptions escape). ``gates``: the gate,
        asked once per (plugin, member) this round."""
        subscription = self.bus.subscription(item.consumer, item.event_type)
        if subscription is None:
            return self._dead(
                item, LookupError(f"{item.consumer} does not subscribe to {item.event_type}")
            )
        try:  # first the gate: a skipped delivery needs no decoding
            plugin = item.plugin
            if plugin is not None and gates is not None and not await gates(plugin, item.member_id):
                return store.Outcome(item, "skipped")
        except Exception as exc:
            return self._failed(item, exc)
        try:
            event = self.bus.decode(item.event_type, item.payload)
        except Exception as exc:  # unknown type, bad payload: retrying cannot help
            return self._dead(item, exc)
        try:
            async with asyncio.timeout(self.handler_timeout):
                await subscription.handler(event)
        except Exception as exc:
            return self._failed(item, exc)
        return store.Outcome(item, "done")

    def _dead(self, item: store.Claim, exc: Exception) -> store.Outcome:
        log.error("events: %s cannot take %s: %s", item.consumer, item.event_type, exc)
        return store.Outcome(item, "dead", error=_describe(exc))

    def _failed(self, item: store.Claim, exc: Exception) -> store.Outcome:
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
        status = "pending" if retry_at is not None else "dead"
        return store.Outcome(item, status, error=_describe(exc), retry_at=retry_at)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"

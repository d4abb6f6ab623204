"""Publish/subscribe on named topics: one process-local fan-out, optionally joined across
processes by a :class:`Transport` (PostgreSQL LISTEN/NOTIFY, :mod:`kernel.live.postgres`).

::

    await broadcaster.publish("member:7:activity", {"type": "order.placed", ...})

    async with broadcaster.subscribe("member:7:activity") as stream:
        async for payload in stream:
            ...

Cost model (thousands of watchers of one counter): a publish encodes the payload once, decodes
it once, and appends that one dict to each local subscriber's mailbox (a bounded deque, a few
hundred nanoseconds per subscriber) and wakes it. No database, no per-watcher work beyond that.
Every subscriber of a topic receives the *same* dict: treat payloads as read-only.

Slow consumers: each mailbox holds at most ``queue_size`` payloads; when full, the **oldest**
is dropped (newest wins) and :attr:`Stream.dropped` counts it. A live counter only needs its
latest value, so a watcher that falls behind skips stale values instead of slowing the
publisher or growing memory. A consumer that needs every message (an audit trail) must not use
this channel: read the event log instead.

Payloads are JSON objects; their envelope (origin, topic, payload) must encode to fewer than
:data:`MAX_MESSAGE_BYTES` bytes, PostgreSQL's NOTIFY limit. The limit is enforced on every
engine, so code tested on SQLite does not fail on PostgreSQL. Send small payloads (IDs,
counters); subscribers read details through the API.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Final, Protocol

__all__ = [
    "DEFAULT_QUEUE_SIZE",
    "MAX_MESSAGE_BYTES",
    "Broadcaster",
    "PayloadTooLarge",
    "Stream",
    "Transport",
]

logger = logging.getLogger("kernel.live")

DEFAULT_QUEUE_SIZE: Final = 16
# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (default build).
MAX_MESSAGE_BYTES: Final = 7999

Payload = dict[str, Any]


class PayloadTooLarge(ValueError):
    """The encoded message would exceed :data:`MAX_MESSAGE_BYTES`."""


class Transport(Protocol):
    """Carries encoded messages between processes (every process, the sender included)."""

    async def start(self, on_message: Callable[[str], None]) -> None:
        """Connect; call ``on_message`` (on the event loop) for every message received."""

    async def stop(self) -> None:
        """Disconnect."""

    def send(self, message: str) -> Awaitable[None]:
        """Deliver ``message`` to every process's ``on_message``."""


class Stream:
    """One subscriber's bounded mailbox (drop-oldest); an async iterator of payloads.

    Iteration ends when the broadcaster stops.
    """

    __slots__ = ("_items", "_waiter", "closed", "dropped")

    def __init__(self, queue_size: int) -> None:
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self._items: deque[Payload] = deque(maxlen=queue_size)
        self._waiter: asyncio.Future[None] | None = None
        self.closed = False
        self.dropped = 0

    def put(self, payload: Payload) -> None:
        """Append without waiting; when full, the oldest payload makes room."""
        if len(self._items) == self._items.maxlen:
            self.dropped += 1
        self._items.append(payload)
        self._wake()

    def close(self) -> None:
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __aiter__(self) -> Stream:
        return self

    async def __anext__(self) -> Payload:
        while not self._items:
            if self.closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()


class Broadcaster:
    """Topic fan-out for one process; cross-process when given a :class:`Transport`.

    Without a transport (SQLite deployments), publishes reach only this process's subscribers.
    Build one per process with :meth:`for_database` and :meth:`start`/:meth:`stop` it with the
    kernel; it is looked up as ``kernel.broadcaster``.
    """

    def __init__(self, transport: Transport | None = None) -> None:
        self.transport = transport
        self.origin = uuid.uuid4().hex
        self._topics: dict[str, set[Stream]] = {}
        self._started = False
        self._stopped = False

    @classmethod
    def for_database(cls, database_url: str) -> Broadcaster:
        """PostgreSQL: LISTEN/NOTIFY over one dedicated connection. SQLite: in-process only."""
        from kernel.db.engines import engine_kind

        if engine_kind(database_url) == "postgres":
            from kernel.live.postgres import PostgresTransport

            return cls(PostgresTransport(database_url))
        return cls()

    async def start(self) -> None:
        """Connect the transport (if any); idempotent."""
        if self._started:
            return
        if self.transport is not None:
            await self.transport.start(self._receive)
        self._started = True
        self._stopped = False

    async def stop(self) -> None:
        """End every stream (subscriptions complete) and disconnect the transport."""
        self._stopped = True
        for streams in self._topics.values():
            for stream in streams:
                stream.close()
        if self._started and self.transport is not None:
            await self.transport.stop()
        self._started = False

    def subscriber_count(self, topic: str) -> int:
        """Local subscribers of ``topic``."""
        return len(self._topics.get(topic, ()))

    @asynccontextmanager
    async def subscribe(
        self, topic: str, *, queue_size: int = DEFAULT_QUEUE_SIZE
    ) -> AsyncIterator[Stream]:
        """Receive the payloads published on ``topic`` from now on, while the block lasts."""
        stream = Stream(queue_size)
        if self._stopped:
            stream.close()
        self._topics.setdefault(topic, set()).add(stream)
        try:
            yield stream
        finally:
            streams = self._topics.get(topic)
            if streams is not None:
                streams.discard(stream)
                if not streams:
                    del self._topics[topic]

    async def publish(self, topic: str, payload: Payload) -> int:
        """Send ``payload`` (a JSON object) to every subscriber of ``topic``, in every process.

        Local subscribers get it at once; returns how many there were. Raises
        :class:`PayloadTooLarge`, ``TypeError`` for a non-JSON payload, and the transport's
        error (after local delivery) when the other processes cannot be reached.
        """
        if not isinstance(payload, dict):
            raise TypeError("payload must be a dict (a JSON object)")
        message = json.dumps({"o": self.origin, "t": topic, "p": payload}, separators=(",", ":"))
        if len(message.encode()) > MAX_MESSAGE_BYTES:
            raise PayloadTooLarge(
                f"message on {topic!r} is over {MAX_MESSAGE_BYTES} bytes: send IDs, not documents"
            )
        if self.transport is not None and not self._started:
            raise RuntimeError("the broadcaster is not started")
        # One decode: every path (local, remote) delivers the same JSON types.
        delivered = self._deliver(topic, json.loads(message)["p"])
        if self.transport is not None:
            await self.transport.send(message)
        return delivered

    def _deliver(self, topic: str, payload: Payload) -> int:
        streams = self._topics.get(topic)
        if not streams:
            return 0
        for stream in streams:
            stream.put(payload)
        return len(streams)

    def _receive(self, message: str) -> None:
        try:
            envelope = json.loads(message)
            origin, topic, payload = envelope["o"], envelope["t"], envelope["p"]
        except (ValueError, KeyError, TypeError):
            logger.warning("ignoring a malformed broadcast message")
            return
        if origin != self.origin:  # our own were delivered at publish time
            self._deliver(str(topic), payload)

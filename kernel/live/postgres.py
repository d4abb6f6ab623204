"""Cross-process broadcast on PostgreSQL: LISTEN/NOTIFY over ONE dedicated asyncpg connection
per process, whatever the number of watchers.

Every process LISTENs on one channel (:data:`CHANNEL`) and filters topics locally, so the
server keeps one listener per process, not per topic or watcher. Publishing NOTIFYs through
the same connection (an asyncio lock serialises it: asyncpg runs one statement at a time per
connection), outside any application transaction.

The connection is not part of the application's pool: a LISTEN on a pooled connection would be
lost when the pool recycles it. If it drops (server restart, ``pg_terminate_backend``), it is
re-opened every :attr:`PostgresTransport.retry_seconds`; messages sent meanwhile are lost for
this process (there is no replay: a counter's next update corrects it, and clients can re-read
after reconnecting).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Final

import asyncpg

__all__ = ["APPLICATION_NAME", "CHANNEL", "BroadcastUnavailable", "PostgresTransport"]

logger = logging.getLogger("kernel.live")

CHANNEL: Final = "alliance_live"
# The connection's application_name, to spot it in pg_stat_activity.
APPLICATION_NAME: Final = "alliance-live"


class BroadcastUnavailable(ConnectionError):
    """The broadcast connection is down; the message did not leave this process."""


class PostgresTransport:
    """A :class:`kernel.live.broadcast.Transport` over PostgreSQL LISTEN/NOTIFY."""

    def __init__(self, dsn: str, *, channel: str = CHANNEL, retry_seconds: float = 1.0) -> None:
        self.dsn = dsn
        self.channel = channel
        self.retry_seconds = retry_seconds
        self.connection: asyncpg.Connection | None = None
        self._on_message: Callable[[str], None] | None = None
        self._lost = asyncio.Event()
        self._lock = asyncio.Lock()
        self._supervisor: asyncio.Task[None] | None = None

    async def start(self, on_message: Callable[[str], None]) -> None:
        """Connect and LISTEN; the first connection must succeed (fail fast at start-up)."""
        self._on_message = on_message
        self._lost = asyncio.Event()
        self._lock = asyncio.Lock()
        await self._connect()
        self._supervisor = asyncio.create_task(self._supervise(), name="kernel.live.listener")

    async def stop(self) -> None:
        """Stop reconnecting and close the connection."""
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        # Under the send lock: a NOTIFY in flight finishes first (closing under it cancels
        # it inside asyncpg's protocol); later sends find no connection and are refused.
        async with self._lock:
            connection, self.connection = self.connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(Exception):
                await connection.remove_listener(self.channel, self._listener)
            await connection.close(timeout=5)

    async def send(self, message: str) -> None:
        """NOTIFY ``message`` on the channel (every listening process gets it, this one too)."""
        async with self._lock:
            connection = self.connection
            if connection is None or connection.is_closed():
                raise BroadcastUnavailable("the broadcast connection to PostgreSQL is down")
            try:
                await connection.execute("SELECT pg_notify($1, $2)", self.channel, message)
            except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError) as exc:
                raise BroadcastUnavailable(str(exc)) from exc

    async def _connect(self) -> None:
        connection = await asyncpg.connect(
            self.dsn, timeout=10, server_settings={"application_name": APPLICATION_NAME}
        )
        try:
            await connection.add_listener(self.channel, self._listener)
        except BaseException:
            await connection.close()
            raise
        connection.add_termination_listener(self._terminated)
        self.connection = connection
        self._lost.clear()

    def _listener(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        if self._on_message is not None:
            self._on_message(payload)

    def _terminated(self, connection: Any) -> None:
        if connection is self.connection:
            self._lost.set()

    async def _supervise(self) -> None:
        while True:
            await self._lost.wait()
            logger.warning("broadcast connection lost; reconnecting")
            while True:
                await asyncio.sleep(self.retry_seconds)
                try:
                    await self._connect()
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    logger.warning("broadcast reconnect failed: %s", exc)
                else:
                    logger.info("broadcast connection restored")
                    break

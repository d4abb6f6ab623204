"""Cross-process wake-ups on PostgreSQL: LISTEN on the channel ``publish`` notifies."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg

from kernel.events.outbox import NOTIFY_CHANNEL

__all__ = ["Listener"]

log = logging.getLogger("kernel.events")


class Listener:
    """A dedicated connection that sets ``signal`` on every notification (after commit)."""

    def __init__(self, dsn: str, signal: asyncio.Event) -> None:
        self.dsn = dsn
        self.signal = signal
        self._connection: Any = None

    def _notified(self, *_: object) -> None:
        self.signal.set()

    async def start(self) -> None:
        """Listen; on failure log and carry on (the dispatcher still polls)."""
        try:
            self._connection = await asyncpg.connect(self.dsn, timeout=10)
            await self._connection.add_listener(NOTIFY_CHANNEL, self._notified)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("events: LISTEN unavailable, polling only: %s", exc)
            await self.stop()

    async def stop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.close(timeout=5)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                connection.terminate()

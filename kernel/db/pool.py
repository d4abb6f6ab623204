"""A light pool in front of asyncpg's: released connections wait here, idle, for the next
acquirer.

asyncpg's ``Pool.acquire()`` and ``release()`` cost ~50 us of CPU per query (holders, a
proxy per acquisition, the inactivity timer, the reset hook): more than a short query on a
held connection (~40 us). :class:`LightPool` borrows connections from asyncpg's pool (at most
its ``max_size``) and keeps them borrowed: acquiring pops an idle one, releasing pushes it
back or hands it to the longest waiter. asyncpg's pool still opens them, and takes back
whatever may be unclean: a closed connection, one inside a transaction (it rolls it back),
one released by a failed or cancelled query (asyncpg waits for the cancellation).

It replaces ``engine.pool`` (kernel/db/__init__.py), so every path that takes a connection
goes through it: piccolo's transactions (``acquire``/``release``), ``_run_in_pool`` (and
``run_ddl``), the kernel's statements; no acquirer can wait on asyncpg for a connection that
sits idle here.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Generator
from types import TracebackType
from typing import Any

__all__ = ["LightPool"]


class LightPool:
    """``acquire()`` (awaited, or ``async with``), ``release(connection)``, ``close()``: the
    part of asyncpg's ``Pool`` that piccolo and the kernel use."""

    def __init__(self, pool: Any, max_size: int) -> None:
        self._pool = pool
        self._max = max_size
        self._borrowed = 0  # connections taken from asyncpg's pool, idle here or in use
        self._idle: list[Any] = []
        # Acquirers waiting for a connection: each future gets one, or None (a slot freed:
        # borrow a new one from asyncpg's pool).
        self._waiters: deque[asyncio.Future[Any]] = deque()
        self._closing = False

    def acquire(self) -> _Acquire:
        return _Acquire(self)

    async def _acquire(self) -> Any:
        while True:
            while self._idle:
                connection = self._idle.pop()
                if not _gone(connection):
                    return connection
                await self._give_back(connection)
            if self._closing:
                raise RuntimeError("the connection pool is closing")
            if self._borrowed < self._max:
                return await self._borrow()
            waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                connection = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    handed = waiter.result()  # handed over just before the cancellation
                    if handed is not None:
                        await self.release(handed)
                    else:
                        self._wake()
                raise
            if connection is not None:
                return connection  # else a slot was freed: borrow a new one

    async def _borrow(self) -> Any:
        self._borrowed += 1
        try:
            return await self._pool.acquire()
        except BaseException:
            self._borrowed -= 1
            self._wake()
            raise

    async def release(self, connection: Any) -> None:
        """Back to the longest waiter or the idle list; to asyncpg's pool (which resets,
        rolls back or closes it) when it may not be clean, or when the pool is closing."""
        if connection._con is None:  # closed: asyncpg's pool took it back already
            self._borrowed -= 1
            self._wake()
            return
        if (
            self._closing
            or connection.is_closed()
            or connection.is_in_transaction()
            or connection._con._protocol._is_cancelling()
        ):
            await self._give_back(connection)
            self._wake()
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._idle.append(connection)

    async def _give_back(self, connection: Any) -> None:
        self._borrowed -= 1
        if connection._con is not None:
            await self._pool.release(connection)

    def _wake(self) -> None:
        """A slot is free: the longest waiter borrows a new connection."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def close(self) -> None:
        self._closing = True
        idle, self._idle = self._idle, []
        for connection in idle:
            await self._give_back(connection)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(RuntimeError("the connection pool is closing"))
        self._waiters.clear()
        await self._pool.close()

    def __getattr__(self, name: str) -> Any:  # the rest of asyncpg's Pool (sizes, expire)
        return getattr(self._pool, name)


def _gone(connection: Any) -> bool:
    """Closed, or detached from its asyncpg connection (closed connections are)."""
    return connection._con is None or bool(connection.is_closed())


class _Acquire:
    """What ``LightPool.acquire()`` returns: awaitable, or an async context manager that
    releases on exit."""

    __slots__ = ("_connection", "_pool")

    def __init__(self, pool: LightPool) -> None:
        self._pool = pool
        self._connection: Any = None

    def __await__(self) -> Generator[Any, None, Any]:
        return self._pool._acquire().__await__()

    async def __aenter__(self) -> Any:
        self._connection = await self._pool._acquire()
        return self._connection

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        await self._pool.release(connection)

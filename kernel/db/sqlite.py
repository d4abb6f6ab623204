"""A piccolo SQLite engine that keeps its connections.

Stock piccolo opens a new connection (and aiosqlite thread) for every query outside a
transaction; measured 4x slower than a kept connection. This engine keeps a small pool:
queries borrow a connection and give it back. Writers inside one process queue on an
``asyncio.Lock`` (cheaper than contending for SQLite's file lock) and then use one writer
connection. Across processes, ``BEGIN IMMEDIATE`` on that connection is retried with short
asynchronous sleeps while another process writes: SQLite's own busy handler sleeps in steps
of up to 100 ms, which serialised two hypercorn workers at a few hundred writes per second.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

__all__ = ["PooledSQLiteEngine", "fetch_all"]

BUSY_TIMEOUT_MS = 10_000
# Retrying BEGIN IMMEDIATE while another process holds the write lock: first and longest wait.
RETRY_FIRST_S = 0.0005
RETRY_LONGEST_S = 0.005


async def _pragma(connection: aiosqlite.Connection, statement: str) -> None:
    # A PRAGMA that returns a row keeps its statement (and a lock) open until consumed.
    async with connection.execute(f"PRAGMA {statement}") as cursor:
        await cursor.fetchall()


async def fetch_all(
    connection: aiosqlite.Connection, query: str, args: list[Any] | None
) -> list[dict[str, Any]]:
    """Run ``query`` and fetch its rows in one trip to the connection's thread.

    ``async with connection.execute(...) as cursor: await cursor.fetchall()`` makes three trips
    (execute, fetch, close), each a hand-off between the event loop and aiosqlite's thread:
    ~360 us per ``SELECT 1`` against ~110 us for ``execute_fetchall`` on this machine.
    """
    rows = await connection.execute_fetchall(query, args or [])
    return rows  # type: ignore[return-value]


class PooledSQLiteEngine(SQLiteEngine):
    def __init__(self, path: str, *, pool_size: int = 4, log_queries: bool = False) -> None:
        super().__init__(path=path, log_queries=log_queries, timeout=BUSY_TIMEOUT_MS / 1000)
        self.pool_size = pool_size
        self._idle: asyncio.LifoQueue[aiosqlite.Connection] | None = None
        self._connections: list[aiosqlite.Connection] = []
        self.write_lock: asyncio.Lock | None = None
        self.writer: aiosqlite.Connection | None = None

    async def _open(self, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await _pragma(connection, "foreign_keys = 1")
        await _pragma(connection, f"busy_timeout = {busy_timeout_ms}")
        # WAL makes this safe: a crash loses at most the last commits, never corrupts.
        await _pragma(connection, "synchronous = NORMAL")
        return connection

    async def start_connection_pool(self, **_: Any) -> None:
        if self._idle is not None:
            return
        first = await self._open()
        # WAL is a property of the database file: set once, readers no longer block writers.
        await _pragma(first, "journal_mode = WAL")
        self._connections = [first] + [await self._open() for _ in range(self.pool_size - 1)]
        self._idle = asyncio.LifoQueue()
        for connection in self._connections:
            self._idle.put_nowait(connection)
        self.write_lock = asyncio.Lock()
        # Writers take turns on the lock, so one connection serves them all; it fails fast
        # on a lock held by another process and the transaction retries (see begin_writing).
        self.writer = await self._open(busy_timeout_ms=0)

    async def close_connection_pool(self) -> None:
        connections, self._connections, self._idle = self._connections, [], None
        if self.writer is not None:
            connections.append(self.writer)
            self.writer = None
        self.write_lock = None
        for connection in connections:
            await connection.close()

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[aiosqlite.Connection]:
        """The writer connection (the caller holds ``write_lock``), else a leased one."""
        if self.writer is None:
            async with self.lease() as connection:
                yield connection
            return
        try:
            yield self.writer
        finally:
            if self.writer is not None and self.writer.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    await self.writer.execute("ROLLBACK")

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[aiosqlite.Connection]:
        """Borrow a connection: from the pool when it runs, else a fresh one."""
        if self._idle is None:
            connection = await self._open()
            try:
                yield connection
            finally:
                await connection.close()
            return
        connection = await self._idle.get()
        try:
            yield connection
        finally:
            if connection.in_transaction:
                # A cancelled task can leave a transaction open; never lend that out.
                with contextlib.suppress(sqlite3.Error):
                    await connection.execute("ROLLBACK")
            self._idle.put_nowait(connection)

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        async with self.lease() as connection:
            return await fetch_all(connection, query, args)

    async def _run_in_existing_connection(
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        # The stock engine re-runs "PRAGMA foreign_keys" before every query; ours is set once.
        return await fetch_all(connection, query, args)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> PooledSQLiteTransaction:
        return PooledSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


class PooledSQLiteTransaction(SQLiteTransaction):
    __slots__ = ("_exit_stack",)

    engine: PooledSQLiteEngine

    async def __aenter__(self) -> PooledSQLiteTransaction:
        if self._parent is not None:
            parent: PooledSQLiteTransaction = self._parent  # type: ignore[assignment]
            return parent
        stack = contextlib.AsyncExitStack()
        try:
            if self.transaction_type is not TransactionType.deferred and self.engine.write_lock:
                await stack.enter_async_context(self.engine.write_lock)
                self.connection = await stack.enter_async_context(self.engine.writing())
                await self._begin_retrying()
            else:
                self.connection = await stack.enter_async_context(self.engine.lease())
                await self.begin()  # type: ignore[no-untyped-call]
        except BaseException:
            await stack.aclose()
            raise
        self._exit_stack = stack
        self.context = self.engine.current_transaction.set(self)
        return self

    async def _begin_retrying(self) -> None:
        """``BEGIN IMMEDIATE``, retried with short sleeps (doubling, jittered) while another
        process writes, for up to the busy timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BUSY_TIMEOUT_MS / 1000
        delay = RETRY_FIRST_S
        while True:
            try:
                await self.begin()  # type: ignore[no-untyped-call]
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if loop.time() >= deadline:
                    raise
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, RETRY_LONGEST_S)

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()  # type: ignore[no-untyped-call]
            elif not self._committed and not self._rolled_back:
                await self.commit()  # type: ignore[no-untyped-call]
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._exit_stack.aclose()
        return exception is None

"""The light pool in front of asyncpg's (PostgreSQL only: SQLite has its own pool):
connections are reused, unclean ones go back to asyncpg, no acquirer starves, and a
cancelled waiter leaks nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from kernel.db import Database
from kernel.db.pool import LightPool


@pytest.fixture
async def db(postgres_url: str) -> AsyncIterator[Database]:
    database = Database(postgres_url, pool_size=2)
    await database.start()
    try:
        yield database
    finally:
        await database.stop()


async def _take(pool: LightPool) -> Any:
    return await pool.acquire()


def _pool(db: Database) -> LightPool:
    pool = db.engine.pool
    assert isinstance(pool, LightPool)
    return pool


async def test_a_released_connection_is_the_next_one_acquired(db: Database) -> None:
    pool = _pool(db)
    async with pool.acquire() as first:
        assert await first.fetchval("SELECT 1") == 1
    async with pool.acquire() as again:
        assert again is first
    assert pool._borrowed == 1


async def test_an_unclean_connection_goes_back_to_asyncpg(db: Database) -> None:
    pool = _pool(db)
    connection = await pool.acquire()
    await connection.execute("BEGIN")
    await connection.execute("CREATE TEMP TABLE left_open (n int)")
    await pool.release(connection)  # inside a transaction: asyncpg rolls it back
    assert pool._borrowed == 0 and pool._idle == []
    async with pool.acquire() as clean:
        assert not clean.is_in_transaction()
        exists = "SELECT count(*) FROM pg_class WHERE relname = 'left_open'"
        assert await clean.fetchval(exists) == 0

    closed = await pool.acquire()
    await closed.close()
    await pool.release(closed)
    assert pool._borrowed == 0
    async with pool.acquire() as fresh:
        assert await fresh.fetchval("SELECT 2") == 2


async def test_many_tasks_share_two_connections_with_transactions(db: Database) -> None:
    """More tasks than connections, reads and write transactions mixed: all finish."""
    from alliance_sdk import run_sql

    await run_sql(db, "CREATE TABLE pool_probe (n INTEGER)")
    try:

        async def task(n: int) -> None:
            if n % 3 == 0:
                async with db.write():
                    await run_sql(db, "INSERT INTO pool_probe (n) VALUES ({})", n)
                    await asyncio.sleep(0)
                    await run_sql(db, "SELECT count(*) AS c FROM pool_probe")
            else:
                await run_sql(db, "SELECT pg_sleep(0.001), {}::int AS n", n)

        await asyncio.wait_for(asyncio.gather(*(task(n) for n in range(60))), timeout=30)
        rows = await run_sql(db, "SELECT count(*) AS c FROM pool_probe")
        assert rows == [{"c": 20}]
        assert _pool(db)._borrowed <= 2
    finally:
        await run_sql(db, "DROP TABLE pool_probe")


async def test_a_cancelled_waiter_leaks_no_connection(db: Database) -> None:
    pool = _pool(db)
    held = [await pool.acquire(), await pool.acquire()]
    waiters = [asyncio.ensure_future(_take(pool)) for _ in range(3)]
    await asyncio.sleep(0.01)
    waiters[0].cancel()
    await pool.release(held.pop())  # handed to a waiter (the cancelled one is skipped)
    waiters[1].cancel()  # cancelled after being handed a connection, maybe: given back
    await asyncio.sleep(0.01)
    await pool.release(held.pop())
    results = await asyncio.gather(*waiters, return_exceptions=True)
    got = [r for r in results if not isinstance(r, BaseException)]
    for connection in got:
        await pool.release(connection)
    both = [await asyncio.wait_for(_take(pool), 5) for _ in range(2)]
    assert len({id(c) for c in both}) == 2
    for connection in both:
        await pool.release(connection)
    assert pool._borrowed <= 2 and not pool._waiters

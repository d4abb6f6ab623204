"""Storage: a primary-key read through piccolo, kept connections vs a connection per query.

SQLite: stock ``SQLiteEngine`` (opens a connection and thread per query) vs the kernel's
``PooledSQLiteEngine``. PostgreSQL (when reachable): ``PostgresEngine`` without and with its
pool. Same table, same query, interleaved rounds. Run: ``python -m benchmarks.bench_storage``.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from kernel.db import Database, bind_engine
from kernel.db.migrate import apply_migrations
from kernel.identity.tables import User

PG_ADMIN = os.environ.get(
    "ALLIANCE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


async def _reads_per_query_us(engine: Any, user_id: int, n: int, rounds: int) -> list[float]:
    bind_engine(engine)
    await User.select(User.email).where(User.id == user_id).first()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(n):
            await User.select(User.email).where(User.id == user_id).first()
        samples.append((time.perf_counter() - started) / n * 1e6)
    return samples


async def _prepare(url: str) -> int:
    db = Database(url, pool_size=2)
    await db.start()
    await apply_migrations()
    user = User(email="bench@example.test", created_at=datetime.datetime.now(datetime.UTC))
    await user.save()
    await db.stop()
    return int(user.id)


async def _compare(name: str, slow: Any, fast: Any, user_id: int, n: int) -> dict[str, Any]:
    slow_s: list[float] = []
    fast_s: list[float] = []
    for _ in range(5):  # interleaved rounds: drift hits both alike
        slow_s += await _reads_per_query_us(slow, user_id, n, 1)
        fast_s += await _reads_per_query_us(fast, user_id, n, 1)
    s, f = statistics.median(slow_s), statistics.median(fast_s)
    return {
        f"{name}_per_query_connection_us": round(s, 1),
        f"{name}_kept_connections_us": round(f, 1),
        f"{name}_speedup": round(s / f, 2),
    }


async def run() -> dict[str, Any]:
    result: dict[str, Any] = {"benchmark": "storage_pk_read"}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        user_id = await _prepare(url)
        pooled = Database(url, pool_size=4)
        await pooled.start()
        stock = SQLiteEngine(path=str(Path(tmp) / "bench.sqlite"))
        result.update(await _compare("sqlite", stock, pooled.engine, user_id, 500))
        await pooled.stop()
    name = f"alliance_bench_{os.getpid()}"
    try:
        admin = await asyncpg.connect(PG_ADMIN, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        result["postgres"] = f"skipped: {exc}"
        return result
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        pg_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        user_id = await _prepare(pg_url)
        pooled = Database(pg_url, pool_size=4)
        await pooled.start()
        unpooled = PostgresEngine(config={"dsn": pg_url})
        result.update(await _compare("postgres", unpooled, pooled.engine, user_id, 100))
        await pooled.stop()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(asyncio.run(run()), indent=2))

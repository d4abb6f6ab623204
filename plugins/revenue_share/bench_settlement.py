"""Benchmark: the monthly settlement of one payer with 500 leaders and 200,000 picked-up
orders, on SQLite and PostgreSQL (when reachable). Target: <= 10 s on PostgreSQL, and a
constant number of queries whatever the volume (set-based aggregates, no loop per order).

    .venv/bin/python -m plugins.revenue_share.bench_settlement [--orders 200000] [--leaders 500]

The database is migrated and the payer admitted with the ``alliance`` CLI (this module, like
the plugin, imports nothing of the kernel); the ledger is then bulk-inserted as the services
would have written it (per order: the accrual's two postings; most released, some reversed;
one payout per leader), chunked under PostgreSQL's 32,767 bind parameters. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from plugins.revenue_share.periods import parse_period
from plugins.revenue_share.piccolo_app import APP_CONFIG
from plugins.revenue_share.settlement import settle
from plugins.revenue_share.tables import RevenueShareOrder

PG_ADMIN = os.environ.get(
    "ALLIANCE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PERIOD = "2025-10"
ROOT = Path(__file__).resolve().parents[2]


class _Counting:
    """Counts the statements an engine runs (every piccolo query and raw SQL goes through
    ``run_querystring``)."""

    queries = 0

    async def run_querystring(self, *args: Any, **kwargs: Any) -> Any:
        self.queries += 1
        return await super().run_querystring(*args, **kwargs)  # type: ignore[misc]


class _SQLite(_Counting, SQLiteEngine):
    pass


class _Postgres(_Counting, PostgresEngine):
    pass


class _Db:
    """What the services use of a kernel's database: its kind, engine and write()."""

    def __init__(self, engine: Any, kind: str) -> None:
        self.engine, self.kind = engine, kind

    def write(self) -> Any:
        if self.kind == "sqlite":
            return self.engine.transaction(transaction_type=TransactionType.immediate)
        return self.engine.transaction()


class _Kernel:
    def __init__(self, engine: Any, kind: str) -> None:
        self.db = _Db(engine, kind)
        self.clock = lambda: dt.datetime.now(dt.UTC)


def _cli(url: str, *args: str) -> str:
    others = [p.name for p in (ROOT / "plugins").iterdir() if p.is_dir()]
    env = {
        **os.environ,
        "ALLIANCE_DATABASE_URL": url,
        "ALLIANCE_PLUGINS_BLOCKED": ",".join(o for o in others if o != "revenue_share"),
    }
    alliance = str(Path(sys.executable).parent / "alliance")
    done = subprocess.run(
        [alliance, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"alliance {' '.join(args)}: {done.stdout}{done.stderr}")
    return done.stdout


def _prepare(url: str) -> None:
    _cli(url, "migrate")
    _cli(url, "alliances", "create", "--slug", "bench", "--name", "Bench alliance")
    _cli(
        url,
        "members",
        "create",
        "--alliance",
        "bench",
        "--kind",
        "store",
        "--slug",
        "bench-payer",
        "--name",
        "Bench payer",
    )


async def _insert(
    kernel: _Kernel, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Bulk load through the drivers (COPY on PostgreSQL, executemany on SQLite): filling a
    month of ledger is setup, not what is measured, and must not take minutes."""
    if kernel.db.kind == "postgres":
        async with kernel.db.engine.pool.acquire() as conn:
            await conn.copy_records_to_table(table, records=rows, columns=list(columns))
        return
    marks = ", ".join("?" for _ in columns)
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    path = kernel.db.engine.path

    def load() -> None:
        con = sqlite3.connect(path)
        try:
            with con:
                con.executemany(insert, rows)
        finally:
            con.close()

    await asyncio.to_thread(load)


async def _fill(kernel: _Kernel, payer: int, orders: int, leaders: int) -> None:
    period = parse_period(PERIOD)
    rng = random.Random(7)
    span = (period.ends_at - period.starts_at).total_seconds()
    order_rows, postings = [], []
    entry = 0

    def leg(kind: str, party: int, account: str, amount: int, ref: str, at: dt.datetime) -> None:
        postings.append((payer, entry, kind, "leader", party, account, amount, ref, at))

    for n in range(orders):
        leader = 10_000 + n % leaders
        at = period.starts_at + dt.timedelta(seconds=rng.random() * span - 5 * 86_400)
        total = rng.randint(1_500, 30_000)
        commission = total * 6 // 100
        refunded = total // 2 if n % 20 == 0 else 0
        ref = f"gb-{n}"
        order_rows.append(
            (
                payer,
                n,
                ref,
                100_000 + n % 4_000,
                1,
                leader,
                None,
                "community_leader",
                total,
                refunded,
                commission,
                0,
                "{}",
                at,
                at,
            )
        )
        entry += 1
        leg("accrual", leader, "expense", commission, ref, at)
        leg("accrual", leader, "frozen", -commission, ref, at)
        if refunded:
            entry += 1
            back = commission // 2
            leg("reversal", leader, "frozen", back, ref, at + dt.timedelta(hours=1))
            leg("reversal", leader, "expense", -back, ref, at + dt.timedelta(hours=1))
            commission -= back
        release = at + dt.timedelta(days=7)
        if release < period.ends_at:
            entry += 1
            leg("release", leader, "frozen", commission, ref, release)
            leg("release", leader, "available", -commission, ref, release)
    order_columns = (
        "member",
        "order_id",
        "order_ref",
        "buyer_user_id",
        "community_id",
        "leader_member_id",
        "ambassador_user_id",
        "attribution_reason",
        "total_fen",
        "refunded_fen",
        "commission_fen",
        "ambassador_commission_fen",
        "rates",
        "picked_up_at",
        "recorded_at",
    )
    posting_columns = (
        "member",
        "entry_id",
        "kind",
        "party_kind",
        "party_id",
        "account",
        "amount_fen",
        "order_ref",
        "booked_at",
    )
    await _insert(kernel, "revenue_share_order", order_columns, order_rows)
    await _insert(kernel, "revenue_share_posting", posting_columns, postings)


async def _engine(url: str) -> tuple[Any, str]:
    if url.startswith("sqlite"):
        engine: Any = _SQLite(path=url.removeprefix("sqlite:///"))
        return engine, "sqlite"
    engine = _Postgres(config={"dsn": url})
    await engine.start_connection_pool(min_size=1, max_size=2)
    return engine, "postgres"


async def _measure(url: str, orders: int, leaders: int) -> dict[str, Any]:
    engine, kind = await _engine(url)
    for table in APP_CONFIG.table_classes:
        table._meta._db = engine
    kernel = _Kernel(engine, kind)
    try:
        rows = await RevenueShareOrder.raw(
            "SELECT id FROM kernel_member WHERE slug = 'bench-payer'"
        )
        payer = int(rows[0]["id"])
        started = time.perf_counter()
        await _fill(kernel, payer, orders, leaders)
        filled = time.perf_counter() - started
        engine.queries = 0
        started = time.perf_counter()
        first = await settle(kernel, payer, PERIOD)
        settle_s = time.perf_counter() - started
        settle_queries, engine.queries = engine.queries, 0
        started = time.perf_counter()
        again = await settle(kernel, payer, PERIOD)
        again_s = time.perf_counter() - started
        return {
            "engine": kind,
            "orders": orders,
            "leaders": leaders,
            "fill_s": round(filled, 2),
            "settle_s": round(settle_s, 3),
            "settle_queries": settle_queries,
            "statements": len(first["statements"]),
            "settled_again_s": round(again_s, 3),
            "settled_again_queries": engine.queries,
            "reproduced": first == again,
            "accrued_fen": first["accrued_fen"],
        }
    finally:
        if kind == "postgres":
            await engine.close_connection_pool()


async def _postgres(orders: int, leaders: int) -> dict[str, Any]:
    import asyncpg

    name = f"revenue_share_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = await asyncpg.connect(PG_ADMIN, timeout=5)
    except Exception as exc:  # OSError, asyncpg errors: no server, no PostgreSQL figures
        return {"engine": "postgres", "skipped": str(exc)}
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        await asyncio.to_thread(_prepare, url)
        return await _measure(url, orders, leaders)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def run(orders: int = 200_000, leaders: int = 500) -> dict[str, Any]:
    """Both engines' figures (the ``benchmarks`` runner's entry point)."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        await asyncio.to_thread(_prepare, url)
        results.append(await _measure(url, orders, leaders))
    results.append(await _postgres(orders, leaders))
    return {"name": "revenue_share_settlement", "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--leaders", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.orders, args.leaders)), indent=2))


if __name__ == "__main__":
    main()

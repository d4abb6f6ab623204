"""The flash sale through the real HTTP stack: ``alliance serve --workers 2`` (hypercorn,
uvloop), ``groupbuyJoin`` mutations of one hot SKU from wrk (Debian's package) with 64
connections, on SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.bench_flash_sale [--seconds 10]

Why wrk and a Lua script rather than a Python loop: on a 2-core machine the load generator
must cost less than the server; wrk's Lua builds each request (its own resident's token and
idempotency key) and classifies each answer (accepted, SOLD_OUT, other) in C-speed threads.

Reports accepted orders/s, p50/p90/p99 latency and the check that nothing was oversold
(stock + sold = initial stock, sold = accepted orders in the database), and, measured in
the same run on the same database, a bare conditional-UPDATE loop (one transaction per unit,
64 concurrent connections on PostgreSQL, one writer on SQLite): the rate a single hot row
allows without batching. Targets: >= 1,000 accepted orders/s on both engines, p99 <= 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_ADMIN = os.environ.get(
    "ALLIANCE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SECRET = "benchmark-secret-key-0123456789abcdefgh"
RESIDENTS = 2000
STOCK = 1_000_000  # the throughput phase never sells out...
SELL_OUT_STOCK = 2_000  # ...the sell-out phase does


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(url: str, var: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ALLIANCE_DATABASE_URL": url,
        "ALLIANCE_SECRET_KEY": SECRET,
        "ALLIANCE_VAR_DIR": str(var),
        "ALLIANCE_MODE": "development",
        "ALLIANCE_DB_POOL_SIZE": "16",
    }


async def _seed(url: str, stock: int) -> dict[str, Any]:
    """Migrate and create the shop; returns ids and residents' tokens."""
    from alliance_sdk import encode_id, run_sql
    from alliance_sdk.testkit import AllianceFactory
    from kernel.db.migrate import apply_migrations
    from kernel.runtime import Kernel
    from kernel.settings import Settings
    from plugins.groupbuy.service import campaigns, catalog

    kernel = Kernel.from_settings(Settings(database_url=url, secret_key=SECRET))  # type: ignore[arg-type]
    await kernel.db.start()
    await apply_migrations()
    await kernel.stop()
    await kernel.start()
    try:
        make = AllianceFactory(kernel)
        alliance = await make.alliance()
        store = await make.member(alliance, kind="store")
        community = await make.community(alliance)
        await make.serve(store, community)
        await make.enable_plugin(store, "groupbuy")
        await catalog.create_product(
            kernel,
            store.id,
            catalog.NewProduct(
                name="Hot milk deal",
                category="dairy",
                skus=[catalog.NewSku("HOT-1", "Milk 1 L", 990, stock=stock)],
            ),
        )
        now = kernel.clock()
        import datetime as dt

        campaign = await campaigns.create_campaign(
            kernel,
            store.id,
            campaigns.NewCampaign(
                title="Flash sale",
                starts_at=now - dt.timedelta(minutes=1),
                deadline=now + dt.timedelta(hours=6),
                delivery_date=(now + dt.timedelta(days=1)).date(),
                items=[campaigns.NewItem("HOT-1", 690)],
            ),
        )
        tokens = []
        async with kernel.db.write():
            for _ in range(RESIDENTS):
                user = await make.resident(community)
                session = str(uuid.uuid4())
                await run_sql(
                    kernel.db,
                    'INSERT INTO kernel_auth_session (id, "user", created_at) VALUES ({}, {}, {})',
                    session,
                    user.id,
                    now,
                )
                tokens.append(kernel.tokens.issue_access(user_id=user.id, session_id=session))
        return {
            "campaign": str(encode_id("GroupbuyCampaign", campaign)),
            "community": str(encode_id("Community", community.id)),
            "store": store.id,
            "tokens": tokens,
        }
    finally:
        await kernel.stop()


async def _stock(url: str) -> tuple[int, int, int]:
    from alliance_sdk import run_sql
    from kernel.runtime import Kernel
    from kernel.settings import Settings

    kernel = Kernel.from_settings(Settings(database_url=url, secret_key=SECRET))  # type: ignore[arg-type]
    await kernel.db.start()
    try:
        sku = await run_sql(kernel.db, "SELECT stock, sold FROM groupbuy_sku WHERE code = 'HOT-1'")
        orders = await run_sql(
            kernel.db, "SELECT COALESCE(SUM(quantity), 0) AS n FROM groupbuy_order_line"
        )
        return int(sku[0]["stock"]), int(sku[0]["sold"]), int(orders[0]["n"])
    finally:
        await kernel.db.stop()


async def _bare_updates(url: str, seconds: float) -> float:
    """Conditional UPDATEs of one row, one transaction each: commits per second."""
    if url.startswith("sqlite"):
        import sqlite3

        path = url.removeprefix("sqlite:///")
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS bench_hot (id INTEGER PRIMARY KEY, stock INT)")
        conn.execute("INSERT OR REPLACE INTO bench_hot VALUES (1, 100000000)")
        done, deadline = 0, time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE bench_hot SET stock = stock - 1 WHERE id = 1 AND stock >= 1")
            conn.execute("COMMIT")
            done += 1
        conn.close()
        return done / seconds
    import asyncpg

    setup = await asyncpg.connect(url)
    await setup.execute("CREATE TABLE IF NOT EXISTS bench_hot (id INT PRIMARY KEY, stock INT)")
    await setup.execute(
        "INSERT INTO bench_hot VALUES (1, 100000000) "
        "ON CONFLICT (id) DO UPDATE SET stock = 100000000"
    )
    await setup.close()
    pool = await asyncpg.create_pool(url, min_size=64, max_size=64)
    count = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal count
        async with pool.acquire() as conn:
            while time.perf_counter() < deadline:
                await conn.execute(
                    "UPDATE bench_hot SET stock = stock - 1 WHERE id = 1 AND stock >= 1"
                )
                count += 1

    await asyncio.gather(*[worker() for _ in range(64)])
    await pool.close()
    return count / seconds


def _serve(url: str, var: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/alliance"), "serve", "--workers", "2", "--port", str(port)],
        env=_env(url, var),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(1.0)  # both workers up
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the server did not start")


def _wrk(
    port: int, seconds: float, world: dict[str, Any], tokens_file: Path, *, prefix: str = "w"
) -> dict[str, Any]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c64",
            f"-d{max(int(seconds), 1)}s",
            "--latency",
            "-s",
            str(HERE / "flash_sale.lua"),
            f"http://127.0.0.1:{port}/graphql",
            "--",
            str(tokens_file),
            world["campaign"],
            world["community"],
            prefix,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"WRK_JSON (\{.*\})", out)
    if match is None:
        raise RuntimeError(f"wrk said: {out}")
    result: dict[str, Any] = json.loads(match.group(1))
    return result


async def _engine(url: str, tmp: Path, seconds: float) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for phase, stock in (("throughput", STOCK), ("sell_out", SELL_OUT_STOCK)):
        world = await _seed(url, stock)
        tokens_file = tmp / f"tokens-{phase}.txt"
        tokens_file.write_text("\n".join(world["tokens"]) + "\n")
        port = _free_port()
        server = _serve(url, tmp / "var", port)
        try:
            load = _wrk(port, seconds, world, tokens_file)
        finally:
            server.terminate()
            server.wait(timeout=30)
        left, sold, in_orders = await _stock(url)
        load["accepted_per_s"] = round(load["accepted"] / load["seconds"], 1)
        load["oversold"] = max(sold - stock, 0) + abs(left + sold - stock) + abs(sold - in_orders)
        load["stock_left"] = left
        report[phase] = load
        await _reset(url)
    report["bare_conditional_update_per_s"] = round(await _bare_updates(url, min(seconds, 5)), 1)
    report["ratio_to_bare_updates"] = round(
        report["throughput"]["accepted_per_s"] / report["bare_conditional_update_per_s"], 2
    )
    report["target_met"] = (
        report["throughput"]["accepted_per_s"] >= 1000
        and report["throughput"]["p99_ms"] <= 300
        and report["throughput"]["oversold"] == 0
        and report["sell_out"]["oversold"] == 0
    )
    return report


async def _reset(url: str) -> None:
    """A fresh database for the next phase."""
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(url.removeprefix("sqlite:///") + suffix)
        return
    import asyncpg

    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()


async def run(seconds: float = 10.0) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        return {"benchmark": "flash_sale", "skipped": "wrk is not installed (apt-get install wrk)"}
    results: dict[str, Any] = {"benchmark": "flash_sale", "seconds": seconds, "connections": 64}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        results["sqlite"] = await _engine(f"sqlite:///{tmp / 'flash.sqlite'}", tmp, seconds)
        name = f"alliance_bench_flash_{os.getpid()}"
        try:
            await _reset(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
        except OSError as exc:
            results["postgres"] = {"skipped": f"PostgreSQL not reachable: {exc}"}
            return results
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        try:
            results["postgres"] = await _engine(url, tmp, seconds)
        finally:
            await _drop(url)
    return results


async def _drop(url: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    json.dump(asyncio.run(run(parser.parse_args().seconds)), sys.stdout, indent=2)
    print()

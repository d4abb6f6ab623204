"""Benchmark: wave planning for one hub, 20,000 orders over 80 communities and 1,000 SKUs.

Times planning the wave (one set-based UPDATE), its pick list and its sort list through
the plugin's services, on SQLite and (when reachable) PostgreSQL, and counts the SQL
statements: the count must not grow with the number of orders. Run it with
``.venv/bin/python -m plugins.warehouse.bench_waves``; ``main()`` returns the figures.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import random
import tempfile
import time
from pathlib import Path
from typing import Any

# SDK-GAP: the SDK starts a kernel only inside pytest fixtures; these helpers of
# alliance_sdk.testing (not its public fixtures) start one for a script.
import alliance_sdk.testing as _testing
from alliance_sdk.testdb import TestDatabases
from alliance_sdk.testkit import AllianceFactory
from plugins.warehouse import agreements, sites, waves
from plugins.warehouse.db import rows

kit: Any = _testing

ORDERS = 20_000
COMMUNITIES = 80
SKUS = 1_000
CLIENTS = 3
TARGET_S = 2.0
CHUNK = 500


async def _start(url_for: Any, workdir: Path) -> tuple[Any, Any]:
    host = kit._host(kit.resolve_plugins(["plugins.warehouse"]))
    kit.install_piccolo_apps(host, kit.APP_REGISTRY)
    url = await url_for(tuple(sorted(host.plugins)))
    settings = kit.Settings(
        database_url=url,
        secret_key=kit.TEST_SECRET,
        var_dir=workdir / "var",
        mode="development",
        db_pool_size=4,
        background_tasks=False,
    )
    app = kit.create_app(settings, plugins=host)
    for hook in app.on_startup:
        await hook()
    return app, app.state.kernel


async def _insert(kernel: Any, table: str, columns: str, values: list[tuple[Any, ...]]) -> None:
    width = len(values[0])
    row = "(" + ", ".join("{}" for _ in range(width)) + ")"
    for start in range(0, len(values), CHUNK):
        part = values[start : start + CHUNK]
        args = [v for r in part for v in r]
        await rows(
            kernel, f"INSERT INTO {table} ({columns}) VALUES " + ", ".join(row for _ in part), *args
        )


async def _seed(kernel: Any, orders: int) -> dict[str, Any]:
    factory = AllianceFactory(kernel)
    alliance = await factory.alliance()
    operator = await factory.member(alliance, kind="warehouse_operator")
    clients = [await factory.member(alliance) for _ in range(CLIENTS)]
    leaders = [await factory.member(alliance, kind="leader") for _ in range(COMMUNITIES // 4)]
    communities = [
        await factory.community(alliance, latitude=30.5 + i / 1000, longitude=114.3 + i / 1000)
        for i in range(COMMUNITIES)
    ]
    site = await sites.create_site(
        kernel, operator.id, code="BENCH", name="Bench hub", latitude=30.55, longitude=114.35
    )
    await sites.set_coverage(kernel, operator.id, site.id, [c.id for c in communities], None)
    slot = await sites.add_slot(
        kernel,
        operator.id,
        site.id,
        name="Next morning",
        cutoff="21:00",
        lead_days=1,
        window="07:00-10:00",
    )
    for client in clients:
        await agreements.admit_client(kernel, operator.id, site.id, client.id)
    now = kernel.clock()
    day = dt.date(2031, 3, 3)
    zones = ("ambient", "chilled", "frozen")
    async with kernel.db.write():
        await _insert(
            kernel,
            "warehouse_lot",
            "member, warehouse, sku, zone, lot_code, "
            "expires_on, unit_cost_fen, received, on_hand, reserved, created_at",
            [
                (
                    clients[i % CLIENTS].id,
                    site.id,
                    f"SKU-{i:04d}",
                    zones[i % 3],
                    f"LOT-{i:04d}",
                    day + dt.timedelta(days=5),
                    100,
                    10**6,
                    10**6,
                    0,
                    now,
                )
                for i in range(SKUS)
            ],
        )
    lot_of = {
        r["sku"]: (int(r["id"]), int(r["member"]))
        for r in await rows(
            kernel, "SELECT id, sku, member FROM warehouse_lot WHERE warehouse = {}", site.id
        )
    }
    rng = random.Random(7)
    order_rows, reservation_rows = [], []
    for n in range(orders):
        owner = clients[n % CLIENTS].id
        community = communities[rng.randrange(COMMUNITIES)]
        ref = f"gb-{n}"
        skus = {
            f"SKU-{rng.randrange(SKUS // CLIENTS) * CLIENTS + n % CLIENTS:04d}"
            for _ in range(rng.randint(1, 3))
        }
        units = 0
        for sku in sorted(skus):
            q = rng.randint(1, 3)
            units += q
            reservation_rows.append((owner, ref, site.id, lot_of[sku][0], sku, q, "reserved", now))
        order_rows.append(
            (
                owner,
                ref,
                site.id,
                community.id,
                leaders[community.id % len(leaders)].id,
                day,
                units,
                "reserved",
                now,
            )
        )
    async with kernel.db.write():
        await _insert(
            kernel,
            "warehouse_order",
            "member, order_ref, warehouse, community, "
            "pickup_member, delivery_date, units, state, placed_at",
            order_rows,
        )
        await _insert(
            kernel,
            "warehouse_reservation",
            "member, order_ref, warehouse, lot, sku, quantity, state, created_at",
            reservation_rows,
        )
    return {
        "operator": operator.id,
        "site": site.id,
        "slot": slot,
        "day": day,
        "owners": [c.id for c in clients],
        "lines": len(reservation_rows),
    }


async def _measure(kernel: Any, seeded: dict[str, Any]) -> dict[str, Any]:
    engine_class = type(kernel.db.engine)
    original = engine_class.run_querystring
    count = 0

    async def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        return await original(self, *args, **kwargs)

    engine_class.run_querystring = counted  # every statement, ORM or raw, passes here
    try:
        started = time.perf_counter()
        found = await sites.access(kernel, seeded["operator"], seeded["site"])
        wave = await waves.plan(kernel, found, seeded["slot"], seeded["day"], seeded["owners"])
        planned = time.perf_counter()
        picks = await waves.pick_list(kernel, int(wave["id"]), seeded["owners"])
        sorts = await waves.sort_list(kernel, int(wave["id"]), seeded["owners"])
        finished = time.perf_counter()
    finally:
        engine_class.run_querystring = original
    return {
        "orders": int(wave["orders"]),
        "lines": seeded["lines"],
        "plan_s": round(planned - started, 3),
        "lists_s": round(finished - planned, 3),
        "total_s": round(finished - started, 3),
        "queries": count,
        "pick_lines": len(picks),
        "sort_lines": len(sorts),
    }


async def _sqlite(databases: TestDatabases, target: Path, key: tuple[str, ...]) -> str:
    return await databases.sqlite(key, target)


async def _engine(name: str, databases: TestDatabases, workdir: Path) -> list[dict[str, Any]]:
    results = []
    for orders in (ORDERS // 10, ORDERS):
        if name == "sqlite":
            target = workdir / f"bench-{orders}.sqlite"

            url_for: Any = functools.partial(_sqlite, databases, target)
        else:
            url_for = databases.postgres
        try:
            app, kernel = await _start(url_for, workdir)
        except OSError as exc:
            return [{"engine": name, "skipped": str(exc)}]
        try:
            figures = await _measure(kernel, await _seed(kernel, orders))
        finally:
            for hook in app.on_shutdown:
                await hook()
        results.append(
            {"engine": name, **figures, "target_s": TARGET_S, "ok": figures["total_s"] <= TARGET_S}
        )
    return results


def main() -> list[dict[str, Any]]:
    """Run the benchmark on both engines; print and return one row per engine and size."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        databases = TestDatabases(workdir)

        async def run() -> list[dict[str, Any]]:
            return [r for e in ("sqlite", "postgres") for r in await _engine(e, databases, workdir)]

        try:
            results = asyncio.run(run())
        finally:
            databases.drop_all()
    for r in results:
        print(r)
    return results


if __name__ == "__main__":
    main()

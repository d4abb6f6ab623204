"""The databases ``bench_http`` serves: a store selling a campaign of 100 SKUs to one community,
residents with sessions; then the same database grown to 100 and 2,000 members, every
installed built-in plugin enabled for a mix of them through the kernel's plugin service.

Each size is its own database (PostgreSQL: a copy made with ``CREATE DATABASE ... TEMPLATE``;
SQLite: a copied file), so that the servers of every size can run side by side.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.bench_flash_sale import PG_ADMIN, SECRET

__all__ = [
    "KINDS",
    "copy_database",
    "databases",
    "drop_database",
    "grow",
    "issue_tokens",
    "seed_shop",
]

SKUS = 100
SKUS_PER_PRODUCT = 10
RESIDENTS = 64
KINDS = ("store", "leader", "warehouse_operator", "bakery", "government_office", "supplier")
# Plugins enabled per added member (a rotating pair of the installed ones).
PER_MEMBER = 2


async def _started(url: str) -> Any:
    from kernel.db.migrate import apply_migrations
    from kernel.runtime import Kernel
    from kernel.settings import Settings

    kernel = Kernel.from_settings(Settings(database_url=url, secret_key=SECRET, db_pool_size=16))
    await kernel.db.start()
    await apply_migrations()
    await kernel.stop()
    await kernel.start()
    return kernel


def _with_dependencies(kernel: Any, slugs: list[str]) -> list[str]:
    """``slugs`` and everything they depend on, dependencies first."""
    ordered: list[str] = []

    def visit(slug: str) -> None:
        if slug in ordered:
            return
        manifest = kernel.plugins.manifest(slug)
        for dependency in sorted(manifest.dependencies if manifest else ()):
            visit(dependency)
        ordered.append(slug)

    for slug in slugs:
        visit(slug)
    return ordered


async def _enable(kernel: Any, member_id: int, slugs: list[str], refused: Counter[str]) -> None:
    from kernel.errors import AllianceError
    from kernel.plugins.service import enable_plugin

    for slug in _with_dependencies(kernel, slugs):
        try:
            await enable_plugin(kernel, actor=None, member_id=member_id, slug=slug)
        except AllianceError as exc:  # a refusal is part of the picture, not a failure
            refused[f"{slug}: {exc.message}"] += 1


async def _analyze(kernel: Any) -> None:
    """Planner statistics, as a production database has them (autovacuum analyzes tables as
    they grow): freshly seeded tables have none, and PostgreSQL then planned the product
    list's items join as 100 index lookups (274 us per query instead of 189)."""
    from alliance_sdk import run_sql

    await run_sql(kernel.db, "ANALYZE")


async def seed_shop(url: str) -> dict[str, Any]:
    """The one-member database: the store (every installed plugin enabled), its community,
    100 SKUs in one open campaign (a price tier each), residents with sessions."""
    from alliance_sdk import encode_id, run_sql
    from alliance_sdk.testkit import AllianceFactory
    from plugins.groupbuy.service import campaigns, catalog

    kernel = await _started(url)
    try:
        make = AllianceFactory(kernel)
        alliance = await make.alliance()
        store = await make.member(alliance, kind="store")
        community = await make.community(alliance)
        await make.serve(store, community)
        refused: Counter[str] = Counter()
        installed = sorted(kernel.plugins.installed)
        await _enable(kernel, store.id, installed, refused)
        codes = [f"SKU-{n:03d}" for n in range(SKUS)]
        for start in range(0, SKUS, SKUS_PER_PRODUCT):
            await catalog.create_product(
                kernel,
                store.id,
                catalog.NewProduct(
                    name=f"Product {start // SKUS_PER_PRODUCT}",
                    category="pantry",
                    skus=[
                        catalog.NewSku(code, f"Item {code}", 1000 + n, stock=500)
                        for n, code in enumerate(codes[start : start + SKUS_PER_PRODUCT])
                    ],
                ),
            )
        now = kernel.clock()
        tier = [{"min_joined": 10, "price_fen": 800}]
        campaign = await campaigns.create_campaign(
            kernel,
            store.id,
            campaigns.NewCampaign(
                title="Weekly storefront",
                starts_at=now - dt.timedelta(minutes=1),
                deadline=now + dt.timedelta(hours=6),
                delivery_date=(now + dt.timedelta(days=1)).date(),
                min_group_size=20,
                items=[campaigns.NewItem(code, 900, tier) for code in codes],
            ),
        )
        sessions = []
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
                sessions.append((int(user.id), session))
        await _analyze(kernel)
        return {
            "alliance": int(alliance.id),
            "store": int(store.id),
            "campaign": str(encode_id("GroupbuyCampaign", campaign)),
            "community": str(encode_id("Community", community.id)),
            "sessions": sessions,
            "installed": installed,
            "refused": dict(refused),
        }
    finally:
        await kernel.stop()


async def grow(url: str, alliance_id: int, members: int) -> dict[str, Any]:
    """Add members (kinds in rotation) until there are ``members``; each gets a rotating pair
    of the installed plugins, enabled through the plugin service (with its hooks)."""
    from kernel.tenancy.tables import Member

    kernel = await _started(url)
    try:
        have = await Member.count()
        installed = sorted(kernel.plugins.installed)
        now = kernel.clock()
        new = [
            Member(
                alliance=alliance_id,
                kind=KINDS[n % len(KINDS)],
                slug=f"m-{n}",
                name=f"M {n}",
                created_at=now,
            )
            for n in range(have, members)
        ]
        for start in range(0, len(new), 500):
            await Member.insert(*new[start : start + 500])
        refused: Counter[str] = Counter()
        # PostgreSQL takes concurrent enablements (about 2x faster); SQLite has one writer.
        lanes = 1 if url.startswith("sqlite") else 8
        queue = list(new)

        async def lane() -> None:
            while queue:
                member = queue.pop()
                n = int(member.id)
                slugs = [installed[(n + i) % len(installed)] for i in range(PER_MEMBER)]
                await _enable(kernel, n, slugs, refused)

        await asyncio.gather(*[lane() for _ in range(lanes)])
        await _analyze(kernel)
        return {"members": await Member.count(), "refused": dict(refused)}
    finally:
        await kernel.stop()


def issue_tokens(url: str, sessions: list[tuple[int, str]], path: Path) -> Path:
    """Access tokens (valid 15 minutes from now) for ``sessions``, one a line."""
    from kernel.runtime import Kernel
    from kernel.settings import Settings

    kernel = Kernel.from_settings(Settings(database_url=url, secret_key=SECRET))
    tokens = [kernel.tokens.issue_access(user_id=u, session_id=s) for u, s in sessions]
    path.write_text("\n".join(tokens) + "\n")
    return path


def _copy_files(source: str, target: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        path = Path(source.removeprefix("sqlite:///") + suffix)
        if path.exists():
            shutil.copyfile(path, target.removeprefix("sqlite:///") + suffix)


async def databases(tmp: Path, sizes: tuple[int, ...]) -> tuple[str, dict[int, str]]:
    """The engine and a URL per size: PostgreSQL databases of our own (the first one created
    empty) when the server answers, else SQLite files under ``tmp``."""
    name = f"alliance_bench_http_{os.getpid()}"
    server = PG_ADMIN.rsplit("/", 1)[0]
    try:
        await drop_database(f"{server}/{name}_{sizes[0]}", create=True)
    except OSError:
        return "sqlite", {n: f"sqlite:///{tmp / f'http_{n}.sqlite'}" for n in sizes}
    return "postgres", {n: f"{server}/{name}_{n}" for n in sizes}


async def copy_database(source: str, target: str) -> None:
    """``target``: a copy of ``source`` (no connection may be open on ``source``)."""
    if source.startswith("sqlite"):
        _copy_files(source, target)
        return
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{_name(target)}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{_name(target)}" TEMPLATE "{_name(source)}"')
    finally:
        await admin.close()


async def drop_database(url: str, *, create: bool = False) -> None:
    """Drop the PostgreSQL database ``url`` names (then create it empty when ``create``)."""
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)')
        if create:
            await admin.execute(f'CREATE DATABASE "{_name(url)}"')
    finally:
        await admin.close()


def _name(url: str) -> str:
    return url.rsplit("/", 1)[1]

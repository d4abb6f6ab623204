"""The per-test emptying of the shared PostgreSQL test database (alliance_sdk.testdb): every
table emptied, every sequence restarted, the applied migrations kept."""

from __future__ import annotations

import asyncpg

from alliance_sdk.testdb import empty_postgres


async def _count(conn: asyncpg.Connection, table: str) -> int:
    return int(await conn.fetchval(f'SELECT count(*) FROM "{table}"'))


async def _new_alliance(conn: asyncpg.Connection, slug: str) -> int:
    return int(
        await conn.fetchval(
            "INSERT INTO kernel_alliance (slug, name, region, created_at) "
            "VALUES ($1, $1, 'Wuhan', now()) RETURNING id",
            slug,
        )
    )


async def test_tables_emptied_sequences_restarted_migrations_kept(postgres_url: str) -> None:
    await empty_postgres(postgres_url)
    conn = await asyncpg.connect(postgres_url)
    try:
        migrations = await _count(conn, "migration")
        assert migrations > 0
        # Rows left behind: the table is truncated.
        assert [await _new_alliance(conn, s) for s in ("a", "b")] == [1, 2]
        await empty_postgres(postgres_url)
        assert await _count(conn, "kernel_alliance") == 0
        assert await _new_alliance(conn, "c") == 1

        # A table the test emptied itself: not truncated, its sequence restarts all the same.
        await conn.execute("DELETE FROM kernel_alliance")
        await empty_postgres(postgres_url)
        assert await _new_alliance(conn, "d") == 1
        assert await _count(conn, "migration") == migrations
    finally:
        await conn.close()

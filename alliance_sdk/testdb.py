"""Test databases for :mod:`alliance_sdk.testing`: a migrated template per set of plugins,
handed to each test empty, on SQLite and (when configured) PostgreSQL.

SQLite: the template file is migrated once and copied for every test. PostgreSQL: one
database per set of plugins (``alliance_sdk_<pid>_<hash>``), migrated once, emptied with
``TRUNCATE`` before each test and dropped at the end of the session. Migrating costs seconds;
copying or truncating costs milliseconds.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from kernel.db import Database, registered_tables
from kernel.db.migrate import apply_migrations

__all__ = [
    "POSTGRES_ENV",
    "REQUIRE_POSTGRES",
    "TestDatabases",
    "configured_engines",
    "empty_postgres",
    "migrated",
    "with_database",
]

POSTGRES_ENV: Final = "ALLIANCE_TEST_POSTGRES_URL"
REQUIRE_POSTGRES: Final = (
    os.environ.get("CI") == "true" or os.environ.get("ALLIANCE_TEST_REQUIRE_POSTGRES") == "1"
)


def configured_engines(ini_engines: Sequence[str]) -> list[str]:
    """The engines tests run on: the ``alliance_engines`` ini option when set, else SQLite,
    plus PostgreSQL when ``ALLIANCE_TEST_POSTGRES_URL`` is set."""
    if ini_engines:
        unknown = sorted(set(ini_engines) - {"sqlite", "postgres"})
        if unknown:
            raise ValueError(f"alliance_engines: unknown engine(s) {unknown}")
        return list(dict.fromkeys(ini_engines))
    return ["sqlite", "postgres"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


async def migrated(url: str) -> None:
    """Apply every migration of the installed apps to ``url``."""
    db = Database(url, pool_size=2)
    await db.start()
    try:
        await apply_migrations()
    finally:
        await db.stop()


def with_database(url: str, name: str) -> str:
    """``url`` pointing at database ``name`` of the same server."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def empty_postgres(url: str) -> None:
    """Empty every table of the installed apps that exists in ``url`` (a process's registry
    may hold other plugin sets' tables too), and restart every used sequence.

    Only the tables holding rows are truncated: ``TRUNCATE`` costs a new file per table
    (~3 ms each, ~250 ms for all of them on an idle machine, seconds on a loaded one), and a
    test touches a few of the ~80 tables. One query finds them.
    """
    import asyncpg

    known = {t._meta.tablename for t in registered_tables()} - {"migration"}
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = sorted(known & {row["tablename"] for row in rows})
        probe = " UNION ALL ".join(
            f'SELECT {index} AS i WHERE EXISTS (SELECT 1 FROM "{table}")'
            for index, table in enumerate(tables)
        )
        used = [tables[row["i"]] for row in await conn.fetch(probe)] if tables else []
        if used:
            await conn.execute(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in used) + " RESTART IDENTITY CASCADE"
            )
        # The sequences of the other tables restart too (a test may have emptied a table
        # itself); not the migration table's, whose rows stay.
        await conn.execute(
            """
            SELECT setval(seq.oid::regclass, 1, false)
            FROM pg_class seq
            JOIN pg_depend dep ON dep.objid = seq.oid AND dep.deptype IN ('a', 'i')
            JOIN pg_class tab ON tab.oid = dep.refobjid
            JOIN pg_namespace ns ON ns.oid = seq.relnamespace AND ns.nspname = 'public'
            JOIN pg_sequences s ON s.schemaname = 'public' AND s.sequencename = seq.relname
            WHERE seq.relkind = 'S' AND tab.relname = ANY($1::text[])
              AND s.last_value IS NOT NULL
            """,
            tables,
        )
    finally:
        await conn.close()


class TestDatabases:
    """Per session: templates (SQLite) and databases (PostgreSQL) by set of plugins."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, workdir: Path, admin_url: str | None = None) -> None:
        self.workdir = workdir
        self.admin_url = admin_url or os.environ.get(
            POSTGRES_ENV, "postgresql://postgres@127.0.0.1:5432/postgres"
        )
        self._templates: dict[tuple[str, ...], Path] = {}
        self._postgres: dict[tuple[str, ...], str] = {}

    async def sqlite(self, key: tuple[str, ...], target: Path) -> str:
        """A migrated, empty SQLite database at ``target`` for the plugins ``key``."""
        template = self._templates.get(key)
        if template is None:
            digest = hashlib.sha1("/".join(key).encode()).hexdigest()[:10]
            template = self.workdir / f"template-{digest}.sqlite"
            await migrated(f"sqlite:///{template}")
            self._templates[key] = template
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"

    async def postgres(self, key: tuple[str, ...]) -> str:
        """The URL of a migrated, emptied PostgreSQL database for the plugins ``key``.

        Raises ``OSError`` or ``asyncpg.PostgresError`` when the server is unreachable."""
        import asyncpg

        url = self._postgres.get(key)
        if url is None:
            digest = hashlib.sha1("/".join(key).encode()).hexdigest()[:10]
            name = f"alliance_sdk_{os.getpid()}_{digest}"
            conn = await asyncpg.connect(self.admin_url, timeout=5)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()
            url = with_database(self.admin_url, name)
            self._postgres[key] = url
            await migrated(url)
            return url
        await empty_postgres(url)
        return url

    def drop_all(self) -> None:
        """Drop the PostgreSQL databases this session created."""
        if not self._postgres:
            return
        import asyncpg

        async def drop() -> None:
            conn = await asyncpg.connect(self.admin_url, timeout=5)
            try:
                for url in self._postgres.values():
                    name = urlsplit(url).path.lstrip("/")
                    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

        asyncio.run(drop())
        self._postgres.clear()

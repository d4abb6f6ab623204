"""Composite unique keys that work on SQLite and PostgreSQL alike.

piccolo's ``Unique`` constraint is added with ``ALTER TABLE ... ADD CONSTRAINT``, which SQLite
cannot run. Tables instead declare ``unique_together`` and a migration creates a unique
index per entry with :func:`create_unique_indexes`; a test checks every declared key exists.
"""

from __future__ import annotations

from collections.abc import Iterable

from piccolo.table import Table

__all__ = ["create_unique_indexes", "unique_index_name", "unique_keys"]


def unique_keys(table: type[Table]) -> tuple[tuple[str, ...], ...]:
    return tuple(getattr(table, "unique_together", ()))


def unique_index_name(table: type[Table], columns: Iterable[str]) -> str:
    return f"{table._meta.tablename}_{'_'.join(columns)}_key"


async def create_unique_indexes(*tables: type[Table]) -> None:
    """Create the declared unique indexes of ``tables`` (idempotent)."""
    for table in tables:
        for columns in unique_keys(table):
            cols = ", ".join(f'"{c}"' for c in columns)
            await table.raw(
                f"CREATE UNIQUE INDEX IF NOT EXISTS {unique_index_name(table, columns)} "
                f'ON "{table._meta.tablename}" ({cols})'
            )

"""Inserting many rows with one statement whose text does not depend on how many.

Building a piccolo ``insert(*rows)`` costs ~100 us of Python per row of twenty columns
(a ``Table`` object per row, a ``QueryString`` per value); a flash sale's batch of orders
spent more time there than in the database. :func:`insert_rows` hands the values to the
driver as they are:

- PostgreSQL: ``INSERT ... SELECT * FROM unnest($1::type[], $2::type[], ...)``: one array
  parameter per column, encoded by asyncpg in C, and the same text (one prepared statement,
  one plan) for any number of rows.
- SQLite: ``INSERT ... VALUES (?, ...), (?, ...)`` in chunks, straight to the connection.

Types come from the piccolo table's columns, without lengths: an over-long string is then
refused by the column (as any insert would be), never silently cut by the cast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from piccolo.table import Table

if TYPE_CHECKING:
    from kernel.db import Database

__all__ = ["insert_rows"]

SQLITE_CHUNK_PARAMETERS = 30_000  # under SQLite's default limit of 32,766 bound parameters

_statements: dict[tuple[str, str, tuple[str, ...], tuple[str, ...]], str] = {}


def _statement(
    db: Database, table: type[Table], columns: tuple[str, ...], returning: tuple[str, ...]
) -> str:
    key = (db.kind, table._meta.tablename, columns, returning)
    found = _statements.get(key)
    if found is not None:
        return found
    known = {c._meta.db_column_name: c for c in table._meta.columns}
    unknown = [name for name in (*columns, *returning) if name not in known]
    if unknown:
        raise ValueError(f"{table._meta.tablename} has no column {', '.join(unknown)}")
    names = ", ".join(f'"{name}"' for name in columns)
    tail = (" RETURNING " + ", ".join(f'"{name}"' for name in returning)) if returning else ""
    if db.kind == "postgres":
        arrays = ", ".join(
            f"${i}::{_base_type(known[name].column_type)}[]" for i, name in enumerate(columns, 1)
        )
        found = f'INSERT INTO "{table._meta.tablename}" ({names}) SELECT * FROM unnest({arrays})'
    else:
        found = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES '
    found += tail  # SQLite: the rows' placeholders go after "VALUES "
    _statements[key] = found
    return found


def _base_type(column_type: str) -> str:
    base = re.sub(r"\(.*\)", "", column_type).strip().lower()
    return "integer" if base == "serial" else "bigint" if base == "bigserial" else base


def _value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


async def insert_rows(
    db: Database,
    table: type[Table],
    rows: Sequence[Mapping[str, Any]],
    *,
    returning: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Insert ``rows`` (dicts of column name -> value, all with the same columns) into
    ``table`` in one statement (SQLite: one per 30,000 values); returns the ``returning``
    columns of the inserted rows (in no particular order). It joins the caller's write
    transaction, or runs in one of its own. Values go to the driver unconverted (ints,
    strings, datetimes, dates, None); a dict or list is stored as JSON text."""
    if not rows:
        return []
    columns = tuple(rows[0])
    if any(tuple(row) != columns for row in rows):
        raise ValueError("every row needs the same columns, in the same order")
    statement = _statement(db, table, columns, tuple(returning))
    transaction = db.engine.current_transaction.get()
    if transaction is None:
        async with db.write():
            return await insert_rows(db, table, rows, returning=returning)
    connection = transaction.connection
    if db.kind == "postgres":
        arrays = [[_value(row[name]) for row in rows] for name in columns]
        return [dict(row) for row in await connection.fetch(statement, *arrays)]
    from kernel.db.sqlite import fetch_all

    into, _, tail = statement.partition(" VALUES ")
    marks = "(" + ", ".join("?" for _ in columns) + ")"
    per_chunk = max(SQLITE_CHUNK_PARAMETERS // len(columns), 1)
    result: list[dict[str, Any]] = []
    for start in range(0, len(rows), per_chunk):
        chunk = rows[start : start + per_chunk]
        sql = f"{into} VALUES {', '.join(marks for _ in chunk)}{tail}"
        result += await fetch_all(
            connection, sql, [_value(row[n]) for row in chunk for n in columns]
        )
    return [dict(row) for row in result]

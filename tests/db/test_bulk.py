"""insert_rows: many rows in one statement, stored exactly as piccolo would store them."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.db.bulk import SQLITE_CHUNK_PARAMETERS, insert_rows
from kernel.events.tables import Outbox
from kernel.runtime import Kernel

WHEN = dt.datetime(2026, 11, 22, 8, 30, 15, 123456, tzinfo=dt.UTC)


def row(n: int, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "event_id": f"e-{n}",
        "type": "test.bulk",
        "member_id": 7_000_000_000 + n,  # a BIGINT beyond 32 bits
        "payload": {"n": n, "name": "豆浆"},
        "occurred_at": WHEN + dt.timedelta(seconds=n),
        "published_at": WHEN,
        "fanned_out": n % 2 == 0,
    }
    values.update(changes)
    return values


async def stored(kernel: Kernel, prefix: str) -> list[dict[str, object]]:
    rows = (
        await Outbox.select(
            Outbox.event_id,
            Outbox.type,
            Outbox.member_id,
            Outbox.payload,
            Outbox.occurred_at,
            Outbox.published_at,
            Outbox.fanned_out,
        )
        .where(Outbox.event_id.like(f"{prefix}%"))
        .order_by(Outbox.member_id)
    )
    for r in rows:
        r["event_id"] = r["event_id"][len(prefix) :]
    return rows


async def test_rows_read_back_as_piccolos_own_inserts(kernel: Kernel) -> None:
    wanted = [row(n) for n in range(3)]
    found = await insert_rows(
        kernel.db,
        Outbox,
        [{**r, "event_id": f"bulk-{r['event_id']}"} for r in wanted],
        returning=["id", "event_id"],
    )
    assert sorted(r["event_id"] for r in found) == ["bulk-e-0", "bulk-e-1", "bulk-e-2"]
    assert all(isinstance(r["id"], int) for r in found)
    await Outbox.insert(
        *[Outbox(**{**r, "event_id": f"piccolo-{r['event_id']}"}) for r in wanted]  # type: ignore[arg-type]
    )
    assert await stored(kernel, "bulk-") == await stored(kernel, "piccolo-")
    assert (await stored(kernel, "bulk-"))[1]["occurred_at"] == WHEN + dt.timedelta(seconds=1)


async def test_one_transaction_with_the_caller(kernel: Kernel) -> None:
    with pytest.raises(RuntimeError, match="changed my mind"):
        async with kernel.db.write():
            await insert_rows(kernel.db, Outbox, [row(n) for n in range(5)])
            raise RuntimeError("changed my mind")
    assert await stored(kernel, "e-") == []


async def test_many_rows_more_than_one_sqlite_chunk(kernel: Kernel) -> None:
    count = SQLITE_CHUNK_PARAMETERS // 7 + 100
    found = await insert_rows(kernel.db, Outbox, [row(n) for n in range(count)], returning=["id"])
    assert len({r["id"] for r in found}) == count
    assert len(await stored(kernel, "e-")) == count


async def test_bad_rows_are_refused_whole(kernel: Kernel) -> None:
    with pytest.raises(ValueError, match="same columns"):
        await insert_rows(kernel.db, Outbox, [row(1), {"event_id": "x"}])
    with pytest.raises(ValueError, match="no column colour"):
        await insert_rows(kernel.db, Outbox, [{**row(1), "colour": "red"}])
    with pytest.raises(Exception, match=r"unique|UNIQUE"):  # one duplicate: missing is stored
        await insert_rows(kernel.db, Outbox, [row(1), row(2), row(1)])
    assert await stored(kernel, "e-") == []
    if kernel.db.kind == "postgres":  # SQLite does not enforce VARCHAR lengths
        with pytest.raises(Exception, match="too long"):
            await insert_rows(kernel.db, Outbox, [row(1, event_id="x" * 37)])


async def test_run_sql_rows_and_records_read_the_same(kernel: Kernel) -> None:
    """``run_sql`` gives new dicts; ``run_sql_records`` the engine's rows, read by column."""
    from alliance_sdk import run_sql, run_sql_records

    sql = (
        "SELECT 1 AS n, 'a' AS s, NULL AS missing UNION ALL SELECT 2 AS n, 'b' AS s, NULL "
        "AS missing ORDER BY n"
    )
    dicts = await run_sql(kernel.db, sql)
    records = await run_sql_records(kernel.db, sql)
    assert dicts == [{"n": 1, "s": "a", "missing": None}, {"n": 2, "s": "b", "missing": None}]
    assert [dict(r) for r in records] == dicts
    assert [(r["n"], r.get("s"), r.get("missing")) for r in records] == [
        (1, "a", None),
        (2, "b", None),
    ]
    assert await run_sql(kernel.db, "SELECT 1 AS n WHERE 1 = 0") == []
    assert list(await run_sql_records(kernel.db, "SELECT 1 AS n WHERE 1 = 0")) == []
    dicts[0]["n"] = 99  # run_sql's rows are the caller's own
    assert (await run_sql(kernel.db, sql))[0]["n"] == 1


@pytest.mark.parametrize(
    ("template", "args"),
    [
        ("SELECT 1", ()),
        ("SELECT {} AS a, {} AS b", (1, "x")),
        ("SELECT * FROM t WHERE a IN ({}, {}, {}) ORDER BY a", (1, 2, 3)),
        ("SELECT '{{}}'::jsonb AS j, {} AS a", (5,)),
        ("SELECT {} AS a WHERE {} IS NULL", (None, None)),
    ],
)
def test_raw_sql_compiles_as_piccolo_does(template: str, args: tuple[object, ...]) -> None:
    from piccolo.querystring import QueryString

    from kernel.db.engines import postgres_sql

    expected, expected_args = QueryString(template, *args).compile_string("postgres")
    assert postgres_sql(template, len(args)) == expected
    assert list(args) == expected_args


async def test_raw_sql_inside_and_outside_a_transaction(kernel: Kernel) -> None:
    """Statements see the transaction they run in (its connection), and nothing of it after
    a rollback; outside one, each runs on its own."""
    from alliance_sdk import run_sql

    await run_sql(kernel.db, "CREATE TABLE raw_probe (n INTEGER)")
    try:
        with pytest.raises(RuntimeError):
            async with kernel.db.write():
                await run_sql(kernel.db, "INSERT INTO raw_probe (n) VALUES ({})", 7)
                assert await run_sql(kernel.db, "SELECT n FROM raw_probe") == [{"n": 7}]
                raise RuntimeError("roll back")
        assert await run_sql(kernel.db, "SELECT n FROM raw_probe") == []
        async with kernel.db.write():
            await run_sql(kernel.db, "INSERT INTO raw_probe (n) VALUES ({}), ({})", 1, 2)
        rows = await run_sql(kernel.db, "SELECT n FROM raw_probe WHERE n > {} ORDER BY n", 0)
        assert rows == [{"n": 1}, {"n": 2}]
    finally:
        await run_sql(kernel.db, "DROP TABLE raw_probe")

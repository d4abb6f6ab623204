"""Appending to the audit log on both engines: the chain, transactions, concurrency, refusals."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from kernel.audit.chain import GENESIS_HASH, entry_hash
from kernel.audit.log import Head, append, entries, head, recent
from kernel.audit.tables import AuditEntry
from kernel.audit.verify import verify
from kernel.identity.principal import Principal
from kernel.runtime import Kernel


async def all_entries(kernel: Kernel) -> list[tuple[int, str, str]]:
    return [(e.position, e.prev_hash, e.hash) async for e in entries(kernel)]


def test_the_hash_is_sha256_of_the_documented_serialisation() -> None:
    """docs/audit.md states this byte for byte; change both together (old logs stop verifying)."""
    text = (
        '{"action":"consent.read","actor":"user:1","details":"{\\"n\\":1}","grant_id":7,'
        '"member_id":3,"occurred_at":"2026-11-22T06:02:03.000120Z",'
        f'"prev_hash":"{GENESIS_HASH}","subject":"门店"}}'
    )
    computed = entry_hash(
        occurred_at=dt.datetime(
            2026, 11, 22, 14, 2, 3, 120, tzinfo=dt.timezone(dt.timedelta(hours=8))
        ),
        actor="user:1",
        action="consent.read",
        member_id=3,
        subject="门店",
        details='{"n":1}',
        grant_id=7,
        prev_hash=GENESIS_HASH,
    )
    assert computed == hashlib.sha256(text.encode("utf-8")).hexdigest()


async def test_an_empty_log_verifies(kernel: Kernel) -> None:
    assert await head(kernel) == Head(0, GENESIS_HASH)
    result = await verify(kernel)
    assert (result.ok, result.checked, result.head) == (True, 0, Head(0, GENESIS_HASH))


async def test_appended_entries_form_a_verified_chain(kernel: Kernel) -> None:
    async with kernel.db.write():
        await append(
            kernel,
            actor=Principal(user_id=1),
            action="consent.read",
            member_id=3,
            subject="member:4/orders",
            details={"purpose": "配送", "amount": Decimal("12.50"), "b": [1, 2]},
            grant_id=7,
        )
    await append(kernel, actor=Principal(api_key_id=3, api_key_member_id=4), action="x.y")
    await append(kernel, actor=None, action="kernel.members.create")

    chain = await all_entries(kernel)
    assert [position for position, _, _ in chain] == [1, 2, 3]
    assert chain[0][1] == GENESIS_HASH
    assert chain[1][1] == chain[0][2] and chain[2][1] == chain[1][2]
    first, second, third = await recent(kernel, 3)
    assert (first.actor, second.actor, third.actor) == ("user:1", "apikey:3", "system")
    assert (first.member_id, first.grant_id, second.member_id, second.grant_id) == (
        3,
        7,
        None,
        None,
    )
    # Canonical JSON: sorted keys, no spaces, non-ASCII kept, Decimal as a string.
    assert first.details == '{"amount":"12.50","b":[1,2],"purpose":"配送"}'
    assert second.details == "{}"
    assert first.occurred_at.tzinfo is not None

    assert await head(kernel) == Head(3, chain[2][2])
    result = await verify(kernel, expected_head=await head(kernel))
    assert (result.ok, result.checked, result.head.position) == (True, 3, 3)
    assert [e.position for e in await recent(kernel, 2)] == [2, 3]


async def test_an_entry_rolls_back_with_the_callers_transaction(kernel: Kernel) -> None:
    with pytest.raises(LookupError):
        async with kernel.db.write():
            await append(kernel, actor=None, action="kernel.members.create", subject="member:9")
            raise LookupError("the change being recorded failed")
    assert await AuditEntry.count() == 0
    await append(kernel, actor=None, action="kernel.members.create")
    assert [position for position, _, _ in await all_entries(kernel)] == [1]
    assert (await verify(kernel)).ok


async def test_concurrent_appends_from_separate_transactions_never_fork(kernel: Kernel) -> None:
    async def one(n: int) -> None:
        async with kernel.db.write():
            await asyncio.sleep(0)  # let the other transactions start in between
            await append(kernel, actor=Principal(user_id=n), action="test.concurrent")

    await asyncio.gather(*(one(n) for n in range(50)))

    chain = await all_entries(kernel)
    assert [position for position, _, _ in chain] == list(range(1, 51))
    assert sorted(e.actor for e in await recent(kernel, 50)) == sorted(
        f"user:{n}" for n in range(50)
    )
    result = await verify(kernel, batch_size=7)
    assert (result.ok, result.checked) == (True, 50)


async def test_the_database_refuses_updates_and_deletes(kernel: Kernel) -> None:
    for n in range(2):
        await append(kernel, actor=None, action="test.append", subject=str(n))
    with pytest.raises(Exception, match="append-only"):
        async with kernel.db.write():
            await AuditEntry.update({AuditEntry.subject: "forged"}).where(AuditEntry.position == 1)
    with pytest.raises(Exception, match="append-only"):
        async with kernel.db.write():
            await AuditEntry.delete().where(AuditEntry.position == 2)
    assert [e.subject for e in await recent(kernel)] == ["0", "1"]
    assert (await verify(kernel)).ok


async def test_append_refuses_a_read_transaction_on_sqlite(kernel: Kernel) -> None:
    if kernel.db.kind != "sqlite":
        pytest.skip("PostgreSQL's read and write transactions are the same; the lock covers both")
    with pytest.raises(RuntimeError, match=r"kernel\.db\.write\(\)"):
        async with kernel.db.read():
            await append(kernel, actor=None, action="test.append")


async def test_append_refuses_bad_input(kernel: Kernel) -> None:
    with pytest.raises(ValueError, match="action"):
        await append(kernel, actor=None, action="")
    with pytest.raises(ValueError):
        await append(kernel, actor=None, action="test.nan", details={"x": float("nan")})
    with pytest.raises(TypeError, match="object"):
        await append(kernel, actor=None, action="test.object", details={"x": object()})
    assert await AuditEntry.count() == 0

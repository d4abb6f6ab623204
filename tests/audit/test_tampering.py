"""An attacker with direct database access edits, deletes or reorders entries: verify names
the first bad position and what happened.

The append-only triggers would refuse these writes, so ``tamper`` bypasses them the way such
an attacker would: PostgreSQL's ``session_replication_role = replica`` (superuser) switches
triggers off for its own transaction; on SQLite it drops them from the (per-test) file.
"""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest

from kernel.audit.chain import entry_hash
from kernel.audit.log import append, head, recent
from kernel.audit.verify import verify
from kernel.runtime import Kernel

SQLITE_TRIGGERS = ("kernel_audit_entry_no_update", "kernel_audit_entry_no_delete")


async def tamper(url: str, *statements: str) -> None:
    """Run ``statements`` on a connection of its own, past the append-only triggers."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            for trigger in SQLITE_TRIGGERS:
                conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            for statement in statements:
                conn.execute(statement)
        return
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            for statement in statements:
                await conn.execute(statement)
    finally:
        await conn.close()


async def five_entries(kernel: Kernel) -> None:
    for n in range(1, 6):
        await append(kernel, actor=None, action="test.append", member_id=n, subject=f"entry {n}")


def set_position(old: int, new: int) -> str:
    return f"UPDATE kernel_audit_entry SET position = {new} WHERE position = {old}"


@pytest.mark.parametrize(
    "column", ["subject", "actor", "details", "member_id", "occurred_at", "prev_hash", "hash"]
)
async def test_an_edited_entry_is_found_at_its_position(kernel: Kernel, column: str) -> None:
    await five_entries(kernel)
    new_value = {
        "member_id": "99",
        "occurred_at": "occurred_at",  # reassigning the same value must not count as a change
        "details": """'{"forged":true}'""",
    }.get(column, "'0000000000000000000000000000000000000000000000000000000000000001'")
    await tamper(
        kernel.settings.database_url,
        f"UPDATE kernel_audit_entry SET {column} = {new_value} WHERE position = 3",
    )
    result = await verify(kernel, batch_size=2)
    if column == "occurred_at":
        assert result.ok
        return
    assert (result.ok, result.position, result.checked, result.head.position) == (False, 3, 2, 2)
    # A forged link is "edited" when only that entry changed.
    assert result.problem == "edited", result.detail


async def test_a_deleted_middle_entry_is_found(kernel: Kernel) -> None:
    await five_entries(kernel)
    await tamper(kernel.settings.database_url, "DELETE FROM kernel_audit_entry WHERE position = 3")
    result = await verify(kernel)
    assert (result.ok, result.position, result.problem) == (False, 3, "deleted")
    assert result.detail == "position 3 missing"


async def test_a_deletion_hidden_by_renumbering_is_still_found(kernel: Kernel) -> None:
    await five_entries(kernel)
    await tamper(
        kernel.settings.database_url,
        "DELETE FROM kernel_audit_entry WHERE position = 2",
        *(set_position(n, n - 1) for n in (3, 4, 5)),
    )
    result = await verify(kernel)
    assert (result.ok, result.position, result.problem) == (False, 2, "deleted")


async def test_swapped_entries_are_found_as_reordered(kernel: Kernel) -> None:
    await five_entries(kernel)
    await tamper(
        kernel.settings.database_url, set_position(2, -2), set_position(4, 2), set_position(-2, 4)
    )
    result = await verify(kernel)
    assert (result.ok, result.position, result.problem) == (False, 2, "reordered")
    assert "at 4" in result.detail


async def test_a_cut_off_tail_needs_the_recorded_head(kernel: Kernel) -> None:
    await five_entries(kernel)
    recorded = await head(kernel)
    await tamper(kernel.settings.database_url, "DELETE FROM kernel_audit_entry WHERE position >= 4")
    # What remains is a valid chain: a chain alone cannot show that its end is missing.
    assert (await verify(kernel)).ok
    result = await verify(kernel, expected_head=recorded)
    assert (result.ok, result.position, result.problem, result.checked) == (False, 4, "deleted", 3)


async def test_a_rehashed_forgery_is_caught_by_the_recorded_head(kernel: Kernel) -> None:
    await five_entries(kernel)
    recorded = await head(kernel)
    last = (await recent(kernel, 1))[0]
    forged = entry_hash(
        occurred_at=last.occurred_at,
        actor=last.actor,
        action=last.action,
        member_id=last.member_id,
        subject="nothing happened",
        details=last.details,
        grant_id=last.grant_id,
        prev_hash=last.prev_hash,
    )
    await tamper(
        kernel.settings.database_url,
        f"UPDATE kernel_audit_entry SET subject = 'nothing happened', hash = '{forged}' "
        "WHERE position = 5",
    )
    assert (await verify(kernel)).ok
    result = await verify(kernel, expected_head=recorded)
    assert (result.ok, result.position, result.problem) == (False, 5, "edited")
    assert (await verify(kernel, expected_head=(3, (await recent(kernel, 3))[0].hash))).ok

"""The kernel state version: recorded in the changing transaction, read once per request, and
what a process does when it falls behind, the log is pruned or the database is reset."""

from __future__ import annotations

import asyncio

import pytest

from kernel.runtime import Kernel
from kernel.state import KernelState, StateChange, changed, read_version, tracker
from kernel.state.changes import KEEP
from kernel.state.tracker import MAX_GAP, MEMO_KEY
from tests.state import QueryCounter


async def _log() -> list[tuple[int, str]]:
    rows = await StateChange.select(StateChange.version, StateChange.domain).order_by(
        StateChange.version
    )
    return [(int(r["version"]), str(r["domain"])) for r in rows]


async def test_each_changed_domain_takes_one_version_in_the_changing_transaction(
    kernel: Kernel,
) -> None:
    start = await read_version()
    async with kernel.db.write():
        assert await changed("member:2", "member:1", "member:2") == start + 2
    assert await read_version() == start + 2
    assert (await _log())[-2:] == [(start + 1, "member:1"), (start + 2, "member:2")]
    with pytest.raises(RuntimeError):
        async with kernel.db.write():
            await changed("member:3")
            raise RuntimeError("roll back")
    assert await read_version() == start + 2
    assert (await _log())[-1] == (start + 2, "member:2")


async def test_a_change_outside_a_transaction_is_refused(kernel: Kernel) -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        await changed("member:1")
    with pytest.raises(ValueError):
        async with kernel.db.write():
            await changed()


async def test_concurrent_changes_lose_no_version_and_leave_no_gap(kernel: Kernel) -> None:
    start = await read_version()

    async def change(n: int) -> int:
        async with kernel.db.write():
            return await changed(f"member:{n}")

    taken = await asyncio.gather(*(change(n) for n in range(1, 31)))
    assert sorted(taken) == list(range(start + 1, start + 31))
    assert await read_version() == start + 30
    assert [v for v, _ in await _log()][-30:] == list(range(start + 1, start + 31))


async def test_the_version_is_read_once_per_request(
    kernel: Kernel, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tracker(kernel.db)
    memo: dict[str, object] = {}
    version = await state.current(memo)
    assert memo[MEMO_KEY] == version == state.version
    queries = QueryCounter(kernel, monkeypatch)
    assert await state.current(memo) == version
    assert queries.count == 0
    assert await state.current({}) == version
    assert queries.count == 1


async def test_the_log_drops_only_what_changed(kernel: Kernel) -> None:
    state = tracker(kernel.db)
    cache = state.cache("tests.state", 10)
    version = await state.current()
    for n in (1, 2, 3):
        assert cache.put(f"member:{n}", n, version)
    async with kernel.db.write():
        await changed("member:2")
    assert cache.get("member:2") == 2  # nothing is dropped before a request reads the version
    assert await state.current() == version + 1
    assert (cache.get("member:1"), cache.get("member:2"), cache.get("member:3")) == (1, None, 3)
    # Read before the change was applied: too old to keep.
    assert not cache.put("member:2", 2, version)
    async with kernel.db.write():
        await changed("*")
    await state.current()
    assert len(cache) == 0


async def test_far_behind_pruned_or_reset_drops_everything(kernel: Kernel) -> None:
    state = tracker(kernel.db)
    cache = state.cache("tests.state", 10)

    async def warm() -> int:
        version = await state.current()
        assert version is not None
        assert cache.put("member:1", 1, version)
        return version

    # Further behind than MAX_GAP: no log read, everything dropped.
    version = await warm()
    async with kernel.db.write():
        await changed(*(f"member:{n}" for n in range(100, 100 + MAX_GAP + 1)))
    assert await state.current() == version + MAX_GAP + 1
    assert len(cache) == 0
    # The log pruned past us (fewer rows than versions): everything dropped.
    version = await warm()
    async with kernel.db.write():
        await changed("member:7")
    await StateChange.delete().where(StateChange.version == version + 1)
    assert await state.current() == version + 1
    assert len(cache) == 0
    # The database reset (its version went backwards): everything dropped.
    await warm()
    await KernelState.delete(force=True)
    assert await state.current() == 0
    assert len(cache) == 0
    assert cache.put("member:1", 1, 0)


async def test_the_log_is_pruned_as_it_grows(kernel: Kernel) -> None:
    async with kernel.db.write():
        last = await changed(*(f"member:{n}" for n in range(KEEP + 10)))
    assert [v for v, _ in await _log()] == list(range(last - KEEP + 1, last + 1))

"""A change committed through another process is in force on this process's next request."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kernel.db import bind_engine
from kernel.runtime import Kernel
from kernel.settings import Settings
from tests.factories import Factory
from tests.permissions import as_user, assign, unassign

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def second(kernel: Kernel, settings: Settings) -> AsyncIterator[Kernel]:
    """Another kernel on the same database: its own authorizer and caches, as another
    process would have. (Tables bind to one engine per process: rebind ours afterwards.)"""
    await kernel.authorizer.start()
    other = Kernel.from_settings(settings)
    await other.start()
    try:
        yield other
    finally:
        bind_engine(kernel.db.engine)
        await other.stop()


async def test_a_change_through_another_kernel_is_seen_on_the_next_request(
    kernel: Kernel, second: Kernel, factory: Factory
) -> None:
    member = await factory.member()
    user = await factory.user()
    who = as_user(user.id)
    await assign(second, member.id, user.id, "staff")
    # Warm this kernel's cache; then change the role through the other one.
    assert not await kernel.authorizer.allowed(who, "kernel.members.manage", member_id=member.id)
    assert len(kernel.authorizer.cache) == 1
    await assign(second, member.id, user.id, "admin")
    assert await kernel.authorizer.allowed(
        who, "kernel.members.manage", member_id=member.id, memo={}
    )
    await unassign(second, member.id, user.id)
    assert not await kernel.authorizer.allowed(
        who, "kernel.members.read", member_id=member.id, memo={}
    )


async def test_an_unrelated_change_keeps_the_cache(
    kernel: Kernel, second: Kernel, factory: Factory
) -> None:
    a, b = await factory.member(), await factory.member()
    user = await factory.user()
    await assign(second, a.id, user.id, "owner")
    who = as_user(user.id)
    assert await kernel.authorizer.allowed(who, "kernel.members.manage", member_id=a.id)
    cached = await kernel.authorizer.domain_policy(f"member:{a.id}")
    await assign(second, b.id, user.id, "staff")
    assert await kernel.authorizer.domain_policy(f"member:{a.id}") is cached


_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from kernel.db import Database
    from kernel.db.scoped import scoped
    from kernel.permissions.authorizer import Authorizer
    from kernel.tenancy.tables import Membership

    async def main(url, member_id, user_id, role):
        db = Database(url, pool_size=1)
        await db.start()
        try:
            async with db.write():
                await scoped(Membership, member_id).update({Membership.role: role}).where(
                    Membership.user == user_id
                )
                await Authorizer(db).policy_changed(member_id=member_id)
        finally:
            await db.stop()

    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))
    """
)


async def test_a_change_by_another_os_process_is_seen_on_the_next_request(
    kernel: Kernel, factory: Factory, settings: Settings
) -> None:
    await kernel.authorizer.start()
    member = await factory.member()
    user = await factory.user()
    await assign(kernel, member.id, user.id, "resident")
    who = as_user(user.id)
    assert not await kernel.authorizer.allowed(who, "kernel.members.read", member_id=member.id)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [settings.database_url, str(member.id), str(user.id), "owner"]
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", _CHILD, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert await kernel.authorizer.allowed(who, "kernel.members.read", member_id=member.id, memo={})


async def test_a_rolled_back_change_never_poisons_the_cache(
    kernel: Kernel, factory: Factory
) -> None:
    """Inside a transaction the authorizer sees its uncommitted change; after a rollback the
    next commit reuses that version number, so nothing read in the transaction was cached."""
    await kernel.authorizer.start()
    member = await factory.member()
    user = await factory.user()
    await assign(kernel, member.id, user.id, "staff")
    who = as_user(user.id)
    authz = kernel.authorizer
    with pytest.raises(RuntimeError):
        async with kernel.db.write():
            await assign(kernel, member.id, user.id, "owner")
            assert await authz.allowed(who, "kernel.members.manage", member_id=member.id)
            raise RuntimeError("roll back")
    assert not await authz.allowed(who, "kernel.members.manage", member_id=member.id)
    await assign(kernel, member.id, user.id, "leader")
    assert await authz.member_roles(who, member.id) == {"leader"}
    assert not await authz.allowed(who, "kernel.members.manage", member_id=member.id)

"""A revocation is in force on the next request served by another process; reads made
before it stay in the audit log."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kernel.audit import log as audit_log
from kernel.consent import service
from kernel.consent.check import may_read, record_read
from kernel.db import bind_engine
from kernel.runtime import Kernel
from kernel.settings import Settings
from tests.factories import Factory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def second(kernel: Kernel, settings: Settings) -> AsyncIterator[Kernel]:
    """Another kernel on the same database, as another worker process would have. (Tables
    bind to one engine per process: rebind ours afterwards.)"""
    other = Kernel.from_settings(settings)
    await other.start()
    try:
        yield other
    finally:
        bind_engine(kernel.db.engine)
        await other.stop()


def on(kernel: Kernel) -> Kernel:
    """``kernel``, with the tables bound to its engine (its own connections)."""
    bind_engine(kernel.db.engine)
    return kernel


async def _pair(factory: Factory) -> tuple[int, int]:
    alliance = await factory.alliance()
    store = await factory.member(alliance)
    warehouse = await factory.member(alliance, kind="warehouse_operator")
    return store.id, warehouse.id


async def _grant(kernel: Kernel, store: int, warehouse: int) -> int:
    row = await service.grant_consent(
        kernel,
        actor=None,
        grantor_member_id=store,
        grantee_member_id=warehouse,
        scope="orders:read",
        purpose="fulfilment",
        legal_basis="contract",
    )
    return int(row["id"])


def _question(store: int, warehouse: int) -> dict[str, Any]:
    return {
        "grantee_member_id": warehouse,
        "grantor_member_id": store,
        "scope": "orders:read",
        "purpose": "fulfilment",
    }


async def test_revoked_by_a_second_kernel_denied_on_the_next_request(
    kernel: Kernel, second: Kernel, factory: Factory
) -> None:
    on(kernel)
    store, warehouse = await _pair(factory)
    grant = await _grant(kernel, store, warehouse)
    ask = _question(store, warehouse)
    # A request served by this kernel reads, and its read is recorded...
    assert await may_read(kernel, **ask, memo={}) == grant
    await record_read(
        kernel,
        actor=None,
        grant_id=grant,
        grantor_member_id=store,
        grantee_member_id=warehouse,
        scope="orders:read",
        purpose="fulfilment",
        subject="Order:1",
    )
    # ...the other worker revokes...
    await service.revoke_consent(on(second), actor=None, grantor_member_id=store, grant_id=grant)
    # ...and this kernel's very next request is refused; the earlier read stays logged.
    assert await may_read(on(kernel), **ask, memo={}) is None
    assert await may_read(on(second), **ask, memo={}) is None
    on(kernel)
    logged = [(e.action, e.grant_id) for e in await audit_log.recent(kernel, 10)]
    assert ("consent.read", grant) in logged
    assert ("consent.revoke", grant) in logged


_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from kernel.consent import service
    from kernel.runtime import Kernel
    from kernel.settings import Settings

    async def main(url, secret, var_dir, store, grant):
        kernel = Kernel.from_settings(
            Settings(database_url=url, secret_key=secret, var_dir=var_dir, db_pool_size=1)
        )
        await kernel.start()
        try:
            await service.revoke_consent(
                kernel, actor=None, grantor_member_id=store, grant_id=grant
            )
        finally:
            await kernel.stop()

    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])))
    """
)


async def test_revoked_by_another_os_process_denied_on_the_next_request(
    kernel: Kernel, factory: Factory, settings: Settings
) -> None:
    store, warehouse = await _pair(factory)
    grant = await _grant(kernel, store, warehouse)
    ask = _question(store, warehouse)
    assert await may_read(kernel, **ask, memo={}) == grant
    assert settings.secret_key is not None
    args = [
        settings.database_url,
        settings.secret_key.get_secret_value(),
        str(settings.var_dir),
        str(store),
        str(grant),
    ]
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", _CHILD, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert await may_read(kernel, **ask, memo={}) is None

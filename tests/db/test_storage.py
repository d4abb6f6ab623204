"""The storage layer on both engines: migrations, scoping, unique keys, concurrent writers."""

from __future__ import annotations

import asyncio

import pytest
from piccolo.apps.migrations.auto.diffable_table import DiffableTable
from piccolo.apps.migrations.auto.schema_differ import SchemaDiffer
from piccolo.apps.migrations.auto.schema_snapshot import SchemaSnapshot
from piccolo.apps.migrations.commands.base import BaseMigrationManager

from kernel.db import piccolo_conf, registered_tables
from kernel.db.constraints import unique_index_name, unique_keys
from kernel.db.migrate import pending_migrations
from kernel.db.scoped import ScopeError, scoped, unscoped
from kernel.runtime import Kernel
from kernel.tenancy.tables import Membership
from tests.factories import Factory


async def test_every_migration_is_applied(kernel: Kernel) -> None:
    assert await pending_migrations() == []


async def test_table_definitions_match_their_migrations(kernel: Kernel) -> None:
    """Fails when a table changes without a migration (what `piccolo migrations new --auto`
    would write must be nothing)."""
    manager = BaseMigrationManager()
    for app_name, app_config in piccolo_conf.APP_REGISTRY.app_configs.items():
        managers = await manager.get_migration_managers(app_config=app_config)
        snapshot = SchemaSnapshot(managers).get_snapshot()
        current = [
            DiffableTable(
                class_name=t.__name__,
                tablename=t._meta.tablename,
                columns=t._meta.non_default_columns,
                schema=t._meta.schema,
            )
            for t in app_config.table_classes
        ]
        differ = SchemaDiffer(schema=current, schema_snapshot=snapshot, auto_input="y")
        changes = [s for group in differ.get_alter_statements() for s in group.statements]
        assert changes == [], f"{app_name} has table changes without a migration: {changes}"


async def test_declared_unique_keys_exist_in_the_database(kernel: Kernel) -> None:
    for table in registered_tables():
        for columns in unique_keys(table):
            name = unique_index_name(table, columns)
            if kernel.db.kind == "sqlite":
                rows = await table.raw(
                    "SELECT name FROM sqlite_master WHERE type='index' AND name={}", name
                )
            else:
                rows = await table.raw("SELECT indexname FROM pg_indexes WHERE indexname={}", name)
            assert rows, f"missing unique index {name}"


async def test_member_scoped_tables_refuse_unscoped_queries(kernel: Kernel) -> None:
    for call in (Membership.select, Membership.objects, Membership.count, Membership.delete):
        with pytest.raises(ScopeError):
            call()
    with pytest.raises(ScopeError):
        Membership.update({Membership.role: "owner"})


async def test_scoped_queries_see_only_their_member(kernel: Kernel, factory: Factory) -> None:
    alliance = await factory.alliance()
    a, b = await factory.member(alliance), await factory.member(alliance)
    user = await factory.user()
    now = kernel.clock()
    await scoped(Membership, a.id).insert(
        Membership(member=a.id, user=user.id, role="owner", created_at=now)
    )
    await scoped(Membership, b.id).insert(
        Membership(member=b.id, user=user.id, role="staff", created_at=now)
    )

    assert await scoped(Membership, a.id).select(Membership.role) == [{"role": "owner"}]
    await scoped(Membership, b.id).update({Membership.role: "admin"})
    assert await scoped(Membership, a.id).select(Membership.role) == [{"role": "owner"}]
    assert await scoped(Membership, b.id).count() == 1
    assert await unscoped(Membership).count() == 2
    with pytest.raises(ScopeError):
        scoped(Membership, a.id).insert(
            Membership(member=b.id, user=user.id, role="x", created_at=now)
        )


async def test_a_failed_multi_row_change_leaves_nothing(kernel: Kernel, factory: Factory) -> None:
    alliance = await factory.alliance()
    member = await factory.member(alliance)
    user = await factory.user()
    now = kernel.clock()
    with pytest.raises(Exception, match=r"(?i)unique"):
        async with kernel.db.write():
            await scoped(Membership, member.id).insert(
                Membership(member=member.id, user=user.id, role="owner", created_at=now)
            )
            # Same (member, user) again: the unique key refuses the second row.
            await scoped(Membership, member.id).insert(
                Membership(member=member.id, user=user.id, role="staff", created_at=now)
            )
    assert await scoped(Membership, member.id).count() == 0


async def test_concurrent_read_then_write_transactions_queue(
    kernel: Kernel, factory: Factory
) -> None:
    """Read-then-write transactions from many tasks at once: none fails with 'database is
    locked' and no update is lost (SQLite: IMMEDIATE + in-process lock; PostgreSQL: the
    read takes row locks through db.for_update)."""
    alliance = await factory.alliance()
    member = await factory.member(alliance)
    user = await factory.user()
    await scoped(Membership, member.id).insert(
        Membership(member=member.id, user=user.id, role="0", created_at=kernel.clock())
    )

    async def bump() -> None:
        async with kernel.db.write():
            rows = await kernel.db.for_update(scoped(Membership, member.id).select(Membership.role))
            await scoped(Membership, member.id).update(
                {Membership.role: str(int(rows[0]["role"]) + 1)}
            )

    await asyncio.gather(*(bump() for _ in range(40)))
    assert await scoped(Membership, member.id).select(Membership.role) == [{"role": "40"}]

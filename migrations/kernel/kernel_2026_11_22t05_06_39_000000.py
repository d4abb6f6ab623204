"""Composite unique keys of the kernel's tables, as unique indexes.

A separate migration because piccolo runs a migration's raw steps before its new tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T05:06:39:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique keys"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="kernel", description=DESCRIPTION)

    async def unique_keys() -> None:
        # SQLite cannot ALTER TABLE ... ADD CONSTRAINT; a unique index works on both engines.
        from kernel.db.constraints import create_unique_indexes
        from kernel.piccolo_app import APP_CONFIG

        await create_unique_indexes(*APP_CONFIG.table_classes)

    manager.add_raw(unique_keys)
    return manager

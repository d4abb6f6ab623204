"""The unique key (member, slug) of the plugins part's table, as a unique index.

A separate migration because piccolo runs a migration's raw steps before its new tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T06:03:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "member plugins unique key"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="plugins", description=DESCRIPTION)

    async def unique_keys() -> None:
        from kernel.db.constraints import create_unique_indexes
        from kernel.plugins.piccolo_app import APP_CONFIG

        await create_unique_indexes(*APP_CONFIG.table_classes)

    manager.add_raw(unique_keys)
    return manager

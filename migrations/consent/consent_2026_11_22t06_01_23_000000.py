"""The live-grant lookup index of ``kernel_consent_grant`` (composite and partial).

A separate migration because piccolo runs a migration's raw steps before its new tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T06:01:23:000000"
VERSION = "1.38.0"
DESCRIPTION = "live consent grant lookup index"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="consent", description=DESCRIPTION)

    async def lookup_index() -> None:
        from kernel.consent.tables import LOOKUP_INDEX, ConsentGrant

        await ConsentGrant.raw(LOOKUP_INDEX)

    manager.add_raw(lookup_index)
    return manager

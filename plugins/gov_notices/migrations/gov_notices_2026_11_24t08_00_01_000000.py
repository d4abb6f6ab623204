"""The unique keys of the plugin's tables, as unique indexes (SQLite cannot add constraints
to an existing table), named as the kernel's storage test expects:
``<table>_<columns>_key``. A separate migration because piccolo runs a migration's raw
steps before its new tables.
"""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T08:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "gov_notices: unique keys"

UNIQUE_KEYS: list[tuple[str, tuple[str, ...]]] = [
    ("gov_notices_target", ("notice", "community")),
    ("gov_notices_forward", ("notice", "forwarder", "community")),
    ("gov_notices_ack", ("notice", "community", "resident")),
]


async def unique_indexes() -> None:
    # The plugin's own table class: bound to the engine being migrated (a table class
    # declared in this module would keep the engine of the first database migrated).
    from plugins.gov_notices.tables import GovNoticesNotice

    for tablename, columns in UNIQUE_KEYS:
        name = f"{tablename}_{'_'.join(columns)}_key"
        listed = ", ".join(f'"{c}"' for c in columns)
        await GovNoticesNotice.raw(
            f'CREATE UNIQUE INDEX IF NOT EXISTS {name} ON "{tablename}" ({listed})'
        )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="gov_notices", description=DESCRIPTION)
    manager.add_raw(unique_indexes)
    return manager

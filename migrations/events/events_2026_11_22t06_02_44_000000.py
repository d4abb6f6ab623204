"""Unique keys and the head-of-line index of the events tables.

A separate migration because piccolo runs a migration's raw steps before its new tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T06:02:44:000000"
VERSION = "1.38.0"
DESCRIPTION = "events unique keys and indexes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def indexes() -> None:
        from kernel.db.constraints import create_unique_indexes
        from kernel.events.tables import Delivery, Processed

        await create_unique_indexes(Delivery, Processed)
        # The claim asks "is an earlier delivery of this member pending for this consumer?"
        await Delivery.raw(
            "CREATE INDEX IF NOT EXISTS events_delivery_head_idx "
            "ON events_delivery (consumer, member_id, status, outbox_id)"
        )

    manager.add_raw(indexes)
    return manager

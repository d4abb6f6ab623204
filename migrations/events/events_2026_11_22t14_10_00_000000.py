"""Partial indexes for the dispatcher's two hot queries, which only ever look at a small
live part of ever-growing tables: outbox rows not yet fanned out, and pending deliveries.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "events partial indexes: unfanned outbox, pending deliveries"
# (It replaces events_delivery_head_idx, which served the claim query before it.)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def add() -> None:
        from kernel.events.tables import Delivery

        await Delivery.raw(
            "CREATE INDEX IF NOT EXISTS events_outbox_unfanned_idx "
            "ON events_outbox (id) WHERE fanned_out = FALSE"
        )
        await Delivery.raw(
            "CREATE INDEX IF NOT EXISTS events_delivery_pending_idx "
            "ON events_delivery (consumer, member_id, outbox_id) WHERE status = 'pending'"
        )
        # Its full-table predecessor served the old claim query only.
        await Delivery.raw("DROP INDEX IF EXISTS events_delivery_head_idx")

    async def drop() -> None:
        from kernel.events.tables import Delivery

        await Delivery.raw("DROP INDEX IF EXISTS events_outbox_unfanned_idx")
        await Delivery.raw("DROP INDEX IF EXISTS events_delivery_pending_idx")
        await Delivery.raw(
            "CREATE INDEX IF NOT EXISTS events_delivery_head_idx "
            "ON events_delivery (consumer, member_id, status, outbox_id)"
        )

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager

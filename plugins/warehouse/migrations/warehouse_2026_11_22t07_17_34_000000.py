"""Unique keys and the composite indexes of the warehouse plugin's hot paths.

A separate migration because piccolo runs a migration's raw steps before its new tables.
"""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T07:17:34:000000"
VERSION = "1.38.0"
DESCRIPTION = "warehouse unique keys and indexes"

_INDEXES = (
    # reserve_stock: an owner's lots of some SKUs in some hubs, first expiry first.
    "CREATE INDEX IF NOT EXISTS warehouse_lot_stock_idx "
    "ON warehouse_lot (member, warehouse, sku, expires_on)",
    # release_stock and waves: an owner's reservations of one order.
    "CREATE INDEX IF NOT EXISTS warehouse_reservation_order_idx "
    "ON warehouse_reservation (member, order_ref, state)",
    # wave planning: a hub's orders due on a date, not yet in a wave.
    "CREATE INDEX IF NOT EXISTS warehouse_order_due_idx "
    "ON warehouse_order (warehouse, delivery_date, state)",
    "CREATE INDEX IF NOT EXISTS warehouse_unmet_sku_idx ON warehouse_unmet (member, sku, day)",
    "CREATE INDEX IF NOT EXISTS warehouse_reading_zone_idx "
    "ON warehouse_reading (warehouse, zone, at)",
    "CREATE INDEX IF NOT EXISTS warehouse_movement_kind_idx "
    "ON warehouse_movement (warehouse, kind, at)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="warehouse", description=DESCRIPTION)

    async def indexes() -> None:
        from plugins.warehouse import tables

        for table in (getattr(tables, name) for name in tables.__all__):
            for columns in getattr(table, "unique_together", ()):
                cols = ", ".join(f'"{c}"' for c in columns)
                name = f"{table._meta.tablename}_{'_'.join(columns)}_key"
                await table.raw(
                    f"CREATE UNIQUE INDEX IF NOT EXISTS {name} "
                    f'ON "{table._meta.tablename}" ({cols})'
                )
        for statement in _INDEXES:
            await tables.WarehouseLot.raw(statement)

    manager.add_raw(indexes)
    return manager

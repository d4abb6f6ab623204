"""groupbuy's composite unique keys, as unique indexes, and the indexes its hot queries use.

A separate migration because piccolo runs a migration's raw steps before its new tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T07:25:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "groupbuy unique keys and indexes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="groupbuy", description=DESCRIPTION)

    async def indexes() -> None:
        from alliance_sdk import create_unique_indexes
        from plugins.groupbuy.tables import TABLES, GroupbuyOrder

        await create_unique_indexes(*TABLES)
        # The pickup point's day list and the code it scans.
        await GroupbuyOrder.raw(
            "CREATE INDEX IF NOT EXISTS groupbuy_order_pickup_idx "
            "ON groupbuy_order (pickup_member, delivery_date, pickup_code)"
        )
        await GroupbuyOrder.raw(
            "CREATE INDEX IF NOT EXISTS groupbuy_order_campaign_idx "
            "ON groupbuy_order (campaign, community, state)"
        )

    manager.add_raw(indexes)
    return manager

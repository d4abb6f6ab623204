"""The club's composite unique keys (``unique_together``) and its lookup indexes.

A separate migration because piccolo runs a migration's raw steps before its new tables.
Unique keys are unique indexes named ``<table>_<columns>_key`` (SQLite cannot add
constraints); the kernel's storage test checks every declared key exists.
"""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T07:21:48:000000"
VERSION = "1.38.0"
DESCRIPTION = "bakery club unique keys and indexes"

# Lookups that run on every registration, waitlist promotion, ledger page and feed page.
INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("bakery_club_registration_waitlist_idx", "bakery_club_registration", ("event", "status")),
    ("bakery_club_points_entry_user_idx", "bakery_club_points_entry", ("member", "user")),
    ("bakery_club_post_status_idx", "bakery_club_post", ("member", "status")),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="bakery_club", description=DESCRIPTION)

    async def indexes() -> None:
        from alliance_sdk import create_unique_indexes
        from plugins.bakery_club import tables

        await create_unique_indexes(*(getattr(tables, name) for name in tables.__all__))
        for name, table, columns in INDEXES:
            cols = ", ".join(f'"{c}"' for c in columns)
            await tables.BakeryClubClub.raw(
                f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" ({cols})'
            )

    manager.add_raw(indexes)
    return manager

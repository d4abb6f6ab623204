"""The plugin's piccolo app (named after the plugin): its tables and migrations."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.revenue_share.tables import (
    RevenueShareEntry,
    RevenueShareOrder,
    RevenueSharePayout,
    RevenueSharePosting,
    RevenueShareReferralCode,
    RevenueShareRule,
    RevenueShareSettings,
    RevenueShareSettlement,
    RevenueShareStatement,
)

APP_CONFIG = AppConfig(
    app_name="revenue_share",
    migrations_folder_path=str(Path(__file__).resolve().parent / "migrations"),
    table_classes=[
        RevenueShareSettings,
        RevenueShareRule,
        RevenueShareReferralCode,
        RevenueShareOrder,
        RevenueShareEntry,
        RevenueSharePosting,
        RevenueSharePayout,
        RevenueShareSettlement,
        RevenueShareStatement,
    ],
    migration_dependencies=["kernel.piccolo_app"],
)

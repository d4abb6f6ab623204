"""The plugins part's piccolo app: its tables and where their migrations live."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from kernel.plugins.tables import MemberPlugin

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "plugins"

APP_CONFIG = AppConfig(
    app_name="plugins",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[MemberPlugin],
    migration_dependencies=["kernel.piccolo_app"],
)

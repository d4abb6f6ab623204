"""groupbuy's piccolo app: its tables and migrations."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.groupbuy.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="groupbuy",
    migrations_folder_path=str(Path(__file__).resolve().parent / "migrations"),
    table_classes=list(TABLES),
    migration_dependencies=["kernel.piccolo_app"],
)

"""The plugin's piccolo app (named after the plugin): its tables and migrations."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.bakery_club import tables

APP_CONFIG = AppConfig(
    app_name="bakery_club",
    migrations_folder_path=str(Path(__file__).resolve().parent / "migrations"),
    table_classes=[getattr(tables, name) for name in tables.__all__],
    migration_dependencies=["kernel.piccolo_app"],
)

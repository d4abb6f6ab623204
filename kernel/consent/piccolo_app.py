"""The consent part's piccolo app: its tables and where their migrations live."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from kernel.consent.tables import ConsentGrant

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "consent"

APP_CONFIG = AppConfig(
    app_name="consent",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[ConsentGrant],
    migration_dependencies=["kernel.piccolo_app"],
)

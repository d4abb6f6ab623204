"""The events part's piccolo app: its tables and where their migrations live."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from kernel.events.tables import Delivery, Outbox, Processed

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "events"

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[Outbox, Delivery, Processed],
    migration_dependencies=["kernel.piccolo_app"],
)

"""The plugin's piccolo app (named after the plugin): its tables and migrations."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.gov_notices.tables import (
    GovNoticesAck,
    GovNoticesForward,
    GovNoticesNotice,
    GovNoticesTarget,
)

APP_CONFIG = AppConfig(
    app_name="gov_notices",
    migrations_folder_path=str(Path(__file__).resolve().parent / "migrations"),
    table_classes=[GovNoticesNotice, GovNoticesTarget, GovNoticesForward, GovNoticesAck],
    migration_dependencies=["kernel.piccolo_app"],
)

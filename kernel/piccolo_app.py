"""The kernel's piccolo app: its tables and where their migrations live."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from kernel.gateway.response_cache import CacheTag
from kernel.identity.tables import ApiKey, AuthSession, LoginAttempt, RefreshToken, User
from kernel.permissions.tables import CasbinRule
from kernel.state.tables import KernelState, StateChange
from kernel.tenancy.tables import (
    Alliance,
    AllianceAdmin,
    Community,
    Member,
    MemberCommunity,
    Membership,
    Resident,
)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "kernel"

APP_CONFIG = AppConfig(
    app_name="kernel",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[
        User,
        AuthSession,
        RefreshToken,
        LoginAttempt,
        Alliance,
        AllianceAdmin,
        Member,
        Membership,
        ApiKey,
        Community,
        MemberCommunity,
        Resident,
        CasbinRule,
        KernelState,
        StateChange,
        CacheTag,
    ],
)

"""Identity tables: users, sessions (refresh-token families), login attempts, API keys."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from kernel.db.scoped import MemberScopedTable, member_column

__all__ = ["ApiKey", "AuthSession", "LoginAttempt", "RefreshToken", "User"]


class User(Table, tablename="kernel_user"):
    id = Serial(primary_key=True)
    # Stored normalised (lower-case e-mail, E.164-ish phone); at least one of the two.
    email = Varchar(length=254, null=True, default=None, unique=True)
    phone = Varchar(length=32, null=True, default=None, unique=True)
    display_name = Varchar(length=120, default="")
    password_hash = Varchar(length=255, null=True, default=None)
    is_platform_admin = Boolean(default=False)
    is_active = Boolean(default=True)
    created_at = Timestamptz()


class AuthSession(Table, tablename="kernel_auth_session"):
    """One login: a family of refresh tokens. Revoking it ends every token of the family."""

    id = Varchar(length=36, primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True, null=False)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=64, default="")


class RefreshToken(Table, tablename="kernel_refresh_token"):
    id = Serial(primary_key=True)
    session = ForeignKey(AuthSession, on_delete=OnDelete.cascade, index=True, null=False)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class LoginAttempt(Table, tablename="kernel_login_attempt"):
    id = Serial(primary_key=True)
    account = Varchar(length=254, index=True)
    succeeded = Boolean(default=False)
    attempted_at = Timestamptz(index=True)


class ApiKey(MemberScopedTable, tablename="kernel_api_key"):
    id = Serial(primary_key=True)
    member = member_column()
    name = Varchar(length=120)
    prefix = Varchar(length=16, unique=True)
    key_hash = Varchar(length=64)
    actions = JSON(default=[])
    created_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)

    unique_together = (("member", "name"),)

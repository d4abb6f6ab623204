"""Granting, revoking and listing consent: the logic, free of GraphQL.

Every function takes the calling principal as ``actor`` and checks its permission
(``kernel.consent.manage`` / ``kernel.consent.read`` in the member); ``actor=None`` is a
trusted system caller and skips the checks. A grant or revocation and its audit entry
(``consent.grant`` / ``consent.revoke``) commit in one transaction, which also records the
grantor in the kernel state version, so every process's consent cache drops its grants.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from collections.abc import Sequence
from typing import Any

from kernel.audit import log as audit
from kernel.consent.purposes import LEGAL_BASES, PURPOSES, SCOPES
from kernel.consent.tables import ConsentGrant
from kernel.db.scoped import scoped, unscoped
from kernel.errors import BadUserInput, NotFound
from kernel.identity.principal import Principal
from kernel.permissions.actions import member_domain
from kernel.state import changed
from kernel.tenancy.tables import Member

__all__ = [
    "GRANT_COLUMNS",
    "MANAGE",
    "READ",
    "Direction",
    "categories",
    "grant_consent",
    "list_grants",
    "revoke_consent",
]

MANAGE = "kernel.consent.manage"
READ = "kernel.consent.read"
_NOT_FOUND = "not found"
_CATEGORY = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
_MAX_CATEGORIES = 32
_MEMBER_FIELDS = ("id", "alliance", "kind", "slug", "name")
# The grant with its grantor (``r_``) and grantee (``e_``) members, in one query.
GRANT_COLUMNS = (
    *ConsentGrant.all_columns(exclude=[ConsentGrant.member, ConsentGrant.grantee]),
    *(getattr(ConsentGrant.member, c).as_alias(f"r_{c}") for c in _MEMBER_FIELDS),
    *(getattr(ConsentGrant.grantee, c).as_alias(f"e_{c}") for c in _MEMBER_FIELDS),
)


class Direction(enum.Enum):
    GIVEN = "given"
    RECEIVED = "received"


def categories(row: dict[str, Any]) -> list[str]:
    """The grant's data categories as a list (the JSON column reads back as text)."""
    value = row["data_categories"]
    return list(json.loads(value) if isinstance(value, str) else value)


def _subject(actor: Principal | None) -> str:
    return "system" if actor is None else actor.subject


async def _authorize(
    kernel: Any,
    actor: Principal | None,
    action: str,
    member_id: int,
    memo: dict[Any, Any] | None,
) -> None:
    if actor is not None:
        await kernel.authorizer.check(actor, action, member_id=member_id, memo=memo)


def _validated(
    now: dt.datetime,
    scope: str,
    purpose: str,
    legal_basis: str,
    data_categories: Sequence[str],
    expires_at: dt.datetime | None,
) -> tuple[list[str], dt.datetime | None]:
    errors: dict[str, str] = {}
    if scope not in SCOPES:
        errors["scope"] = f"unknown scope; one of {', '.join(SCOPES.names())}"
    if purpose not in PURPOSES:
        errors["purpose"] = f"unknown purpose; one of {', '.join(PURPOSES.names())}"
    if legal_basis not in LEGAL_BASES:
        errors["legalBasis"] = f"unknown legal basis; one of {', '.join(sorted(LEGAL_BASES))}"
    wanted = sorted(set(data_categories))
    if len(wanted) > _MAX_CATEGORIES or not all(_CATEGORY.match(c) for c in wanted):
        errors["dataCategories"] = (
            f"at most {_MAX_CATEGORIES} names of lower-case letters, digits, '_', '.', '-'"
        )
    if expires_at is not None:
        # A naive time is taken as UTC; stored in UTC so both engines compare alike.
        aware = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=dt.UTC)
        expires_at = aware.astimezone(dt.UTC)
        if expires_at <= now:
            errors["expiresAt"] = "must be in the future"
    if errors:
        raise BadUserInput("invalid consent grant", field_errors=errors)
    return wanted, expires_at


async def grant_consent(
    kernel: Any,
    *,
    actor: Principal | None,
    grantor_member_id: int,
    grantee_member_id: int,
    scope: str,
    purpose: str,
    legal_basis: str,
    data_categories: Sequence[str] = (),
    expires_at: dt.datetime | None = None,
    memo: dict[Any, Any] | None = None,
) -> dict[str, Any]:
    """Let the grantee read the grantor's ``scope`` data for ``purpose`` (until
    ``expires_at``, or until revoked). NOT_FOUND unless both are members of one alliance;
    BAD_USER_INPUT (with field errors) for unknown names or a past expiry. Returns the row."""
    await _authorize(kernel, actor, MANAGE, grantor_member_id, memo)
    now = kernel.clock()
    members = await Member.select(Member.id, Member.alliance).where(
        Member.id.is_in([grantor_member_id, grantee_member_id])
    )
    alliance = {int(row["id"]): int(row["alliance"]) for row in members}
    if grantee_member_id not in alliance or grantor_member_id not in alliance:
        raise NotFound(_NOT_FOUND)
    if alliance[grantee_member_id] != alliance[grantor_member_id]:
        raise NotFound(_NOT_FOUND)
    if grantee_member_id == grantor_member_id:
        message = "a member needs no consent to read its own data"
        raise BadUserInput(message, field_errors={"granteeMemberId": message})
    wanted, expires_at = _validated(now, scope, purpose, legal_basis, data_categories, expires_at)
    grant = ConsentGrant(
        member=grantor_member_id,
        grantee=grantee_member_id,
        scope=scope,
        purpose=purpose,
        legal_basis=legal_basis,
        data_categories=wanted,
        created_by=_subject(actor),
        created_at=now,
        expires_at=expires_at,
    )
    async with kernel.db.write():
        rows = (
            await scoped(ConsentGrant, grantor_member_id).insert(grant).returning(ConsentGrant.id)
        )
        grant_id = int(rows[0]["id"])
        details = {"grantee": grantee_member_id, "scope": scope, "purpose": purpose}
        await audit.append(
            kernel,
            actor=actor,
            action="consent.grant",
            member_id=grantor_member_id,
            subject=f"ConsentGrant:{grant_id}",
            details={**details, "legal_basis": legal_basis, "data_categories": wanted},
            grant_id=grant_id,
        )
        await changed(member_domain(grantor_member_id))
    return await _row(grantor_member_id, grant_id)


async def revoke_consent(
    kernel: Any,
    *,
    actor: Principal | None,
    grantor_member_id: int,
    grant_id: int,
    memo: dict[Any, Any] | None = None,
) -> dict[str, Any]:
    """Revoke the grantor's grant: in force on the next request in every process. Revoking
    a revoked grant changes nothing (its first revocation stands). NOT_FOUND for a grant
    of another member. Returns the row."""
    await _authorize(kernel, actor, MANAGE, grantor_member_id, memo)
    mine = scoped(ConsentGrant, grantor_member_id)
    async with kernel.db.write():
        query = mine.select(ConsentGrant.id).where(
            (ConsentGrant.id == grant_id) & ConsentGrant.revoked_at.is_null()
        )
        live = await kernel.db.for_update(query).first()
        if live is not None:
            await mine.update(
                {ConsentGrant.revoked_at: kernel.clock(), ConsentGrant.revoked_by: _subject(actor)}
            ).where(ConsentGrant.id == grant_id)
            await audit.append(
                kernel,
                actor=actor,
                action="consent.revoke",
                member_id=grantor_member_id,
                subject=f"ConsentGrant:{grant_id}",
                grant_id=grant_id,
            )
            await changed(member_domain(grantor_member_id))
    return await _row(grantor_member_id, grant_id)


async def _row(grantor_member_id: int, grant_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await scoped(ConsentGrant, grantor_member_id)
        .select(*GRANT_COLUMNS)
        .where(ConsentGrant.id == grant_id)
        .first()
    )
    if row is None:
        raise NotFound(_NOT_FOUND)
    return row


async def list_grants(
    kernel: Any,
    *,
    actor: Principal | None,
    member_id: int,
    direction: Direction,
    after_id: int = 0,
    limit: int = 21,
    memo: dict[Any, Any] | None = None,
) -> list[dict[str, Any]]:
    """The grants the member gave (GIVEN) or received (RECEIVED), live or not, in id order."""
    await _authorize(kernel, actor, READ, member_id, memo)
    page = ConsentGrant.id > after_id
    if direction is Direction.GIVEN:
        query = scoped(ConsentGrant, member_id).select(*GRANT_COLUMNS).where(page)
    else:
        # Cross-member by nature: what others granted to this member, and nothing else.
        where = page & (ConsentGrant.grantee == member_id)
        query = unscoped(ConsentGrant).select(*GRANT_COLUMNS).where(where)
    rows: list[dict[str, Any]] = await query.order_by(ConsentGrant.id).limit(limit)
    return rows

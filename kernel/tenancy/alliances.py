"""Alliances, their administrators, and who takes part in an alliance.

Also the helpers every tenancy service shares: input validation, the permission check that
trusted callers (``actor=None``: the CLI, the demo loader) skip, and unique-key conflicts.
"""

from __future__ import annotations

import re
from typing import Any

from kernel.db.errors import is_unique_violation
from kernel.db.scoped import unscoped
from kernel.errors import BadUserInput, Conflict, NotFound
from kernel.identity.principal import Principal
from kernel.identity.tables import User
from kernel.permissions.actions import MEMBER_ROLES
from kernel.runtime import Kernel
from kernel.tenancy.tables import Alliance, AllianceAdmin, Membership

__all__ = [
    "CREATE_ALLIANCE",
    "appoint_alliance_admin",
    "authorize",
    "check_name",
    "check_slug",
    "create_alliance",
    "participates",
    "require_user",
]

# A platform-level action: only platform operators hold it (the authorizer lets them do
# everything). Deliberately not "kernel.alliance.*", which alliance admins are granted.
CREATE_ALLIANCE = "kernel.platform.alliances"

_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
# Roles that make a user part of the alliance's working staff; a "resident" membership (a club
# member, a customer) does not open the alliance's member directory.
_STAFF_RANK = MEMBER_ROLES["staff"].rank
_PARTICIPANT_ROLES = sorted(name for name, role in MEMBER_ROLES.items() if role.rank >= _STAFF_RANK)


def check_slug(slug: str, errors: dict[str, str]) -> None:
    """Record a field error unless ``slug`` is 1-64 lower-case letters, digits and inner dashes."""
    if not _SLUG.fullmatch(slug):
        errors["slug"] = "1-64 lower-case letters, digits and dashes, not at either end"


def check_name(name: str, errors: dict[str, str], *, field: str = "name", limit: int = 200) -> None:
    """Record a field error unless ``name`` is non-blank and at most ``limit`` characters."""
    if not name.strip():
        errors[field] = "must not be blank"
    elif len(name) > limit:
        errors[field] = f"at most {limit} characters"


async def authorize(
    kernel: Kernel,
    actor: Principal | None,
    action: str,
    *,
    member_id: int | None = None,
    alliance_id: int | None = None,
) -> None:
    """The authorizer's check, skipped for trusted system callers (``actor is None``).

    GraphQL fields declare the same permission; services check again so that every other
    caller (plugins, jobs) gets the same rule.
    """
    if actor is not None:
        await kernel.authorizer.check(actor, action, member_id=member_id, alliance_id=alliance_id)


async def require_user(user_id: int) -> None:
    """NOT_FOUND unless the user exists."""
    if not await User.exists().where(User.id == user_id):
        raise NotFound("User not found")


async def create_alliance(
    kernel: Kernel, *, actor: Principal | None, slug: str, name: str, region: str = ""
) -> Alliance:
    """Create an alliance (platform operators only). Duplicate slug: CONFLICT."""
    await authorize(kernel, actor, CREATE_ALLIANCE)
    errors: dict[str, str] = {}
    check_slug(slug, errors)
    check_name(name, errors)
    if len(region) > 200:
        errors["region"] = "at most 200 characters"
    if errors:
        raise BadUserInput("invalid alliance", field_errors=errors)
    alliance = Alliance(slug=slug, name=name.strip(), region=region, created_at=kernel.clock())
    try:
        async with kernel.db.write():
            if await Alliance.exists().where(Alliance.slug == slug):
                raise Conflict("slug already taken", field_errors={"slug": "already taken"})
            await alliance.save()
    except Exception as exc:
        if is_unique_violation(exc):
            raise Conflict("slug already taken", field_errors={"slug": "already taken"}) from None
        raise
    return alliance


async def appoint_alliance_admin(
    kernel: Kernel, *, actor: Principal | None, alliance_id: int, user_id: int
) -> AllianceAdmin:
    """Make ``user_id`` an administrator of the alliance (by one of its administrators).

    Alliance admin is the highest alliance role, so holding it bounds the delegation.
    CONFLICT when the user already is one.
    """
    await authorize(kernel, actor, "kernel.alliance.admins", alliance_id=alliance_id)
    row = AllianceAdmin(alliance=alliance_id, user=user_id, created_at=kernel.clock())
    try:
        async with kernel.db.write():
            if not await Alliance.exists().where(Alliance.id == alliance_id):
                raise NotFound("Alliance not found")
            await require_user(user_id)
            duplicate = (AllianceAdmin.alliance == alliance_id) & (AllianceAdmin.user == user_id)
            if await AllianceAdmin.exists().where(duplicate):
                raise Conflict("already an administrator of this alliance")
            await row.save()
            await kernel.authorizer.policy_changed(alliance_id=alliance_id)
    except Exception as exc:
        if is_unique_violation(exc):
            raise Conflict("already an administrator of this alliance") from None
        raise
    return row


async def participates(
    kernel: Kernel,
    principal: Principal | None,
    alliance_id: int,
    *,
    memo: dict[Any, Any] | None = None,
) -> bool:
    """Whether ``principal`` may see the alliance's directory (its members and communities).

    Platform operators, the alliance's administrators and users with a staff-or-higher role
    in one of its members do; residents and API keys (bound to one member's own data) do not.
    """
    if principal is None or principal.user_id is None:
        return False
    key = ("kernel.tenancy.participates", principal.subject, alliance_id)
    if memo is not None and key in memo:
        return bool(memo[key])
    decision = principal.is_platform_admin or await kernel.authorizer.allowed(
        principal, "kernel.alliance.read", alliance_id=alliance_id, memo=memo
    )
    if not decision:
        # Cross-member by nature: "does this user work for any member of the alliance?".
        decision = bool(
            await unscoped(Membership)
            .exists()
            .where(
                (Membership.user == principal.user_id)
                & Membership.role.is_in(_PARTICIPANT_ROLES)
                & (Membership.member.alliance == alliance_id)
            )
        )
    if memo is not None:
        memo[key] = decision
    return decision

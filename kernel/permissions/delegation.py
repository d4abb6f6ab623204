"""Bounded delegation: who may give (or take away) which role in a member.

A user may grant a role in a member only when all of these hold:

1. they hold a role in that member (otherwise the member looks missing: NOT_FOUND);
2. their roles there give ``kernel.memberships.manage``;
3. the role exists in that member (a default or the member's own definition);
4. its rank is at most the highest rank they hold there (equal is allowed: an admin may
   appoint another admin, never an owner);
5. it allows nothing they may not do themselves (a low-ranked custom role cannot smuggle
   out actions the grantor lacks).

Platform admins may grant any existing role. API keys never grant: they hold actions, not a
role with a rank.
"""

from __future__ import annotations

from kernel.errors import AllianceError, BadUserInput, Forbidden, NotFound, Unauthenticated
from kernel.identity.principal import Principal
from kernel.permissions.enforcer import DomainPolicy

__all__ = ["MANAGE_MEMBERSHIPS", "grant_refusal"]

MANAGE_MEMBERSHIPS = "kernel.memberships.manage"


def grant_refusal(
    principal: Principal | None, member_id: int, role: str, policy: DomainPolicy | None
) -> AllianceError | None:
    """Why ``principal`` may not grant ``role`` in the member whose ``policy`` is given
    (None: allowed). ``policy`` may be None only for anonymous callers and API keys."""
    if principal is None:
        return Unauthenticated("sign in first")
    if principal.is_api_key:
        if member_id != principal.api_key_member_id:
            return NotFound("not found")
        return Forbidden("API keys cannot grant roles")
    if policy is None:
        raise ValueError("a user's grant needs the member's policy")
    target = policy.roles.get(role)
    unknown = BadUserInput(f"no role {role!r} here", field_errors={"role": "unknown role"})
    if principal.is_platform_admin:
        return unknown if target is None else None
    mine = policy.grants(principal.subject)
    if not mine.roles:
        return NotFound("not found")
    if MANAGE_MEMBERSHIPS not in mine.actions:
        return Forbidden("you may not manage this member's roles")
    if target is None:
        return unknown
    ranks = [policy.roles[r].rank for r in mine.roles if r in policy.roles]
    own_rank = max((r for r in ranks if r is not None), default=-1)
    if target.rank is None or target.rank > own_rank:
        return Forbidden(f"you may not grant {role!r}: it ranks above your own role")
    if not target.actions <= mine.actions:
        return Forbidden(f"you may not grant {role!r}: it allows what you may not do")
    return None

"""Members of an alliance, their kinds, and memberships (a user's role in a member).

Delegation is bounded: granting, changing or removing a role needs
``kernel.memberships.manage`` in that member (which alliance admins do not have: a member's
staff is its own business), and each role granted or taken away must rank no higher than the
caller's own there and allow nothing the caller may not do (``Authorizer.check_grant``).
A member always keeps at least one owner.

``add_membership`` refuses a user who already has a role in the member (CONFLICT): changing a
role is :func:`change_role`, so that an "add" can never silently demote or promote someone.
"""

from __future__ import annotations

import re

from kernel.db.errors import is_unique_violation
from kernel.db.scoped import scoped
from kernel.errors import BadUserInput, Conflict, NotFound
from kernel.identity.principal import Principal
from kernel.permissions.actions import ALLIANCE_ROLES, member_domain
from kernel.runtime import Kernel
from kernel.tenancy.alliances import (
    authorize,
    check_name,
    check_slug,
    require_user,
)
from kernel.tenancy.tables import Alliance, Member, Membership

__all__ = [
    "DEFAULT_MEMBER_KINDS",
    "add_membership",
    "change_role",
    "create_member",
    "member_kinds",
    "register_member_kind",
    "remove_membership",
]

DEFAULT_MEMBER_KINDS: dict[str, str] = {
    "store": "A community store: pickup point, livestreams.",
    "leader": "A group leader (团长) running a community's group.",
    "warehouse_operator": "A shared cloud warehouse (云仓) serving many communities.",
    "bakery": "A bakery or specialty shop with a fan club.",
    "government_office": "A government office or community committee publishing notices.",
    "supplier": "A brand, supplier or farm.",
}
_KINDS: dict[str, str] = dict(DEFAULT_MEMBER_KINDS)
_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
_OWNER = "owner"


def register_member_kind(kind: str, description: str = "") -> None:
    """Allow members of ``kind`` (a plugin's own kind, e.g. ``pharmacy``). Idempotent."""
    if not _KIND.fullmatch(kind):
        raise ValueError(f"invalid member kind {kind!r}: lower-case letters, digits, underscores")
    _KINDS.setdefault(kind, description)


def member_kinds() -> dict[str, str]:
    """Every registered member kind and its description."""
    return dict(_KINDS)


def _slug_taken() -> Conflict:
    return Conflict("slug already taken in this alliance", field_errors={"slug": "already taken"})


async def _check_role(kernel: Kernel, member_id: int, role: str) -> None:
    # The member's roles: the defaults plus any it defines itself; never an alliance role.
    policy = await kernel.authorizer.domain_policy(member_domain(member_id))
    if role not in policy.roles or role in ALLIANCE_ROLES:
        raise BadUserInput("unknown role", field_errors={"role": "unknown role"})


async def _bound(kernel: Kernel, actor: Principal | None, member_id: int, *roles: str) -> None:
    """Refuse unless ``actor`` may grant (and so take away) each of ``roles`` in the member:
    NOT_FOUND without a role there, FORBIDDEN without the right or above their own rank."""
    if actor is not None:
        for role in roles:
            await kernel.authorizer.check_grant(actor, member_id, role)


async def create_member(
    kernel: Kernel,
    *,
    actor: Principal | None,
    alliance_id: int,
    kind: str,
    slug: str,
    name: str,
    owner_user_id: int | None = None,
) -> Member:
    """Admit a member into the alliance (alliance admins), with its owner in one transaction.

    Unknown kind or bad slug/name: BAD_USER_INPUT; slug taken in the alliance: CONFLICT;
    missing owner user: NOT_FOUND and nothing is created.
    """
    await authorize(kernel, actor, "kernel.alliance.admit", alliance_id=alliance_id)
    errors: dict[str, str] = {}
    if kind not in _KINDS:
        errors["kind"] = f"one of {', '.join(sorted(_KINDS))}"
    check_slug(slug, errors)
    check_name(name, errors)
    if errors:
        raise BadUserInput("invalid member", field_errors=errors)
    now = kernel.clock()
    member = Member(alliance=alliance_id, kind=kind, slug=slug, name=name.strip(), created_at=now)
    try:
        async with kernel.db.write():
            if not await Alliance.exists().where(Alliance.id == alliance_id):
                raise NotFound("Alliance not found")
            if await Member.exists().where(
                (Member.alliance == alliance_id) & (Member.slug == slug)
            ):
                raise _slug_taken()
            await member.save()
            if owner_user_id is not None:
                # After the member row on purpose: a missing owner rolls the member back too.
                await require_user(owner_user_id)
                creator = actor.user_id if actor is not None else None
                owner = Membership(
                    member=member.id,
                    user=owner_user_id,
                    role=_OWNER,
                    created_by=creator,
                    created_at=now,
                )
                await scoped(Membership, member.id).insert(owner)
                await kernel.authorizer.policy_changed(member_id=member.id)
    except Exception as exc:
        if is_unique_violation(exc):
            raise _slug_taken() from None
        raise
    return member


def _already_member() -> Conflict:
    return Conflict("the user already has a role in this member; change it instead")


async def add_membership(
    kernel: Kernel, *, actor: Principal | None, member_id: int, user_id: int, role: str
) -> Membership:
    """Give ``user_id`` a role in the member (bounded delegation, see the module doc).

    CONFLICT when the user already has a role there: use :func:`change_role`.
    """
    await authorize(kernel, actor, "kernel.memberships.manage", member_id=member_id)
    row = Membership(
        member=member_id,
        user=user_id,
        role=role,
        created_by=actor.user_id if actor is not None else None,
        created_at=kernel.clock(),
    )
    try:
        async with kernel.db.write():
            if not await Member.exists().where(Member.id == member_id):
                raise NotFound("Member not found")
            await _check_role(kernel, member_id, role)
            await _bound(kernel, actor, member_id, role)
            await require_user(user_id)
            if await scoped(Membership, member_id).exists().where(Membership.user == user_id):
                raise _already_member()
            await scoped(Membership, member_id).insert(row)
            await kernel.authorizer.policy_changed(member_id=member_id)
    except Exception as exc:
        if is_unique_violation(exc):
            raise _already_member() from None
        raise
    return row


async def _locked_membership(kernel: Kernel, member_id: int, user_id: int) -> Membership:
    query = scoped(Membership, member_id).objects().where(Membership.user == user_id)
    rows: list[Membership] = await kernel.db.for_update(query)
    if not rows:
        raise NotFound("Membership not found")
    return rows[0]


async def _keep_an_owner(kernel: Kernel, member_id: int, leaving: Membership) -> None:
    if leaving.role != _OWNER:
        return
    # Locks every owner row, so two concurrent removals cannot each see "another owner left".
    query = scoped(Membership, member_id).select(Membership.id).where(Membership.role == _OWNER)
    owners = await kernel.db.for_update(query)
    if len(owners) <= 1:
        raise Conflict("a member must keep at least one owner")


async def change_role(
    kernel: Kernel, *, actor: Principal | None, member_id: int, user_id: int, role: str
) -> Membership:
    """Change ``user_id``'s role in the member (bounded by the caller's rank on both the old
    and the new role; the last owner cannot be demoted)."""
    await authorize(kernel, actor, "kernel.memberships.manage", member_id=member_id)
    async with kernel.db.write():
        await _check_role(kernel, member_id, role)
        membership = await _locked_membership(kernel, member_id, user_id)
        await _bound(kernel, actor, member_id, membership.role, role)
        if role != membership.role:
            if role != _OWNER:
                await _keep_an_owner(kernel, member_id, membership)
            await (
                scoped(Membership, member_id)
                .update({Membership.role: role})
                .where(Membership.id == membership.id)
            )
            membership.role = role
            await kernel.authorizer.policy_changed(member_id=member_id)
    return membership


async def remove_membership(
    kernel: Kernel, *, actor: Principal | None, member_id: int, user_id: int
) -> int:
    """Remove ``user_id``'s role in the member; returns the removed membership's id.

    Bounded by the caller's rank; the last owner cannot be removed (CONFLICT).
    """
    await authorize(kernel, actor, "kernel.memberships.manage", member_id=member_id)
    async with kernel.db.write():
        membership = await _locked_membership(kernel, member_id, user_id)
        await _bound(kernel, actor, member_id, membership.role)
        await _keep_an_owner(kernel, member_id, membership)
        await scoped(Membership, member_id).delete().where(Membership.id == membership.id)
        await kernel.authorizer.policy_changed(member_id=member_id)
    return int(membership.id)

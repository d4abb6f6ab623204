"""Writing policy: change records, the stored defaults, a member's own role definitions.

Every change to what a domain's policy says (its role definitions here, its Membership or
AllianceAdmin rows elsewhere) is recorded with :func:`bump_version` in the same transaction:
it bumps the kernel state version (:mod:`kernel.state`) and logs the domain. Processes read
that version at the start of each request, so the change is in force on the next request
everywhere, with no messaging.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from kernel.errors import BadUserInput, Conflict
from kernel.permissions.actions import ALLIANCE_ROLES, member_domain
from kernel.permissions.adapter import DEFAULTS
from kernel.permissions.registry import REGISTRY, ActionRegistry
from kernel.permissions.tables import CasbinRule
from kernel.state import changed, hold

__all__ = ["bump_version", "define_role", "delete_role", "seed_defaults"]

_ROLE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


async def bump_version(*domains: str) -> None:
    """Record that ``domains`` (``member:<id>``, ``alliance:<id>``, ``*``) changed; run it
    inside the changing transaction, last."""
    await changed(*domains)


async def seed_defaults(db: Any, registry: ActionRegistry | None = None) -> bool:
    """Make the stored ``*`` role definitions equal the registry's; True if anything changed.

    Idempotent and safe from several processes at once: the state version row is locked
    first, so concurrent seeders queue and the later ones find nothing to do.
    """
    desired = (registry or REGISTRY).default_roles()
    want = {("rank", role, str(d.rank)) for role, d in desired.items()}
    want |= {("p", role, action) for role, d in desired.items() for action in d.actions}
    async with db.write():
        await hold()
        rows = await CasbinRule.select(
            CasbinRule.id, CasbinRule.ptype, CasbinRule.v0, CasbinRule.v2
        ).where((CasbinRule.v1 == DEFAULTS) & CasbinRule.ptype.is_in(["p", "rank"]))
        have = {(r["ptype"], r["v0"], r["v2"]): r["id"] for r in rows}
        stale = [ident for key, ident in have.items() if key not in want]
        missing = sorted(want - have.keys())
        if stale:
            await CasbinRule.delete().where(CasbinRule.id.is_in(stale))
        if missing:
            await CasbinRule.insert(
                *(CasbinRule(ptype=t, v0=role, v1=DEFAULTS, v2=value) for t, role, value in missing)
            )
        if stale or missing:
            await bump_version(DEFAULTS)
    return bool(stale or missing)


async def define_role(
    db: Any,
    member_id: int,
    role: str,
    *,
    rank: int,
    actions: Iterable[str],
    registry: ActionRegistry | None = None,
) -> None:
    """Define (or redefine) ``role`` for one member: it replaces a default of the same name
    for that member only. Who may do this is the caller's check (see docs/permissions.md)."""
    registry = registry or REGISTRY
    actions = frozenset(actions)
    if not _ROLE.match(role) or role in ALLIANCE_ROLES:
        raise BadUserInput(f"bad role name {role!r}", field_errors={"role": "bad role name"})
    if not 0 <= rank <= 1000:
        raise BadUserInput("rank out of range", field_errors={"rank": "0..1000"})
    unknown = sorted(
        a for a in actions if not registry.is_known(a) or a.startswith("kernel.alliance.")
    )
    if unknown:
        raise BadUserInput(f"unknown actions {unknown}", field_errors={"actions": "unknown"})
    domain = member_domain(member_id)
    async with db.write():
        await _delete_rows(domain, role)
        rows = [CasbinRule(ptype="rank", v0=role, v1=domain, v2=str(rank))]
        rows += [CasbinRule(ptype="p", v0=role, v1=domain, v2=a) for a in sorted(actions)]
        await CasbinRule.insert(*rows)
        await bump_version(domain)


async def delete_role(db: Any, member_id: int, role: str) -> None:
    """Drop a member's own definition of ``role`` (a default of that name applies again).
    Refused (Conflict) for a custom role someone in the member still holds."""
    from kernel.db.scoped import scoped
    from kernel.tenancy.tables import Membership

    domain = member_domain(member_id)
    async with db.write():
        is_default = (
            await CasbinRule.exists().where((CasbinRule.v1 == DEFAULTS) & (CasbinRule.v0 == role))
            or role in REGISTRY.default_roles()
        )
        held = await scoped(Membership, member_id).exists().where(Membership.role == role)
        if held and not is_default:
            raise Conflict(f"role {role!r} is still held by someone in this member")
        await _delete_rows(domain, role)
        await bump_version(domain)


async def _delete_rows(domain: str, role: str) -> None:
    await CasbinRule.delete().where(
        (CasbinRule.v1 == domain) & (CasbinRule.v0 == role) & CasbinRule.ptype.is_in(["p", "rank"])
    )

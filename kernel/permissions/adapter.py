"""Reading one domain's policy from the database, and a casbin adapter serving it.

Where each kind of line comes from:

- ``p, <role>, <domain>, <action>``: :class:`CasbinRule` rows (``ptype='p'``, v0 role,
  v1 domain, v2 action). Domain ``*`` holds the default role definitions; ``member:<id>``
  a member's own. A role the member defines (any row of that role in its domain) replaces
  the default of the same name for that member; otherwise the default applies, rewritten
  into the member's domain so the matcher compares domains by plain equality.
- ``rank`` rows (``ptype='rank'``, v0 role, v1 domain, v2 rank) give each role its
  delegation rank. casbin never sees them.
- ``g, user:<id>, <role>, <domain>``: built from :class:`Membership` (member domains) and
  :class:`AllianceAdmin` (alliance domains) rows, the single source of truth for who holds
  which role. CasbinRule never stores assignments.

Reads happen here, asynchronously; casbin's adapter interface is synchronous, so
:class:`RowsAdapter` only hands over lines that were already read.
"""

from __future__ import annotations

from typing import Any

from casbin.persist.adapter_filtered import FilteredAdapter

from kernel.permissions.registry import RoleDef, RoleTable
from kernel.permissions.tables import CasbinRule

__all__ = [
    "DEFAULTS",
    "RowsAdapter",
    "effective_roles",
    "parse_domain",
    "read_assignments",
    "read_roles",
]

DEFAULTS = "*"


def parse_domain(domain: str) -> tuple[str, int]:
    """``member:7`` -> ("member", 7); anything else is a ValueError."""
    kind, _, ident = domain.partition(":")
    if kind not in ("member", "alliance") or not ident.isdigit():
        raise ValueError(f"not a member or alliance domain: {domain!r}")
    return kind, int(ident)


async def read_roles(domain: str) -> RoleTable:
    """The roles ``domain`` defines itself (``*``: the stored defaults)."""
    rows = await CasbinRule.select(
        CasbinRule.ptype, CasbinRule.v0, CasbinRule.v1, CasbinRule.v2
    ).where((CasbinRule.v1 == domain) & CasbinRule.ptype.is_in(["p", "rank"]))
    return roles_from_rows(rows)


def roles_from_rows(rows: list[dict[str, Any]]) -> RoleTable:
    """Role definitions from CasbinRule rows of one domain."""
    ranks: dict[str, int | None] = {}
    actions: dict[str, set[str]] = {}
    for row in rows:
        role = row["v0"]
        actions.setdefault(role, set())
        if row["ptype"] == "rank":
            ranks[role] = int(row["v2"])
        else:
            actions[role].add(row["v2"])
            ranks.setdefault(role, None)
    return {role: RoleDef(ranks.get(role), frozenset(acts)) for role, acts in actions.items()}


def effective_roles(defaults: RoleTable, own: RoleTable) -> RoleTable:
    """A domain's roles: its own definitions override the defaults of the same name."""
    merged = dict(defaults)
    for role, definition in own.items():
        # An override without a rank row keeps the default's rank (a custom role: none).
        rank = definition.rank
        if rank is None and role in defaults:
            rank = defaults[role].rank
        merged[role] = RoleDef(rank, definition.actions)
    return merged


async def read_assignments(domain: str) -> list[tuple[str, str]]:
    """(subject, role) pairs of ``domain``, from Membership / AllianceAdmin rows."""
    from kernel.db.scoped import scoped
    from kernel.tenancy.tables import AllianceAdmin, Membership

    kind, ident = parse_domain(domain)
    if kind == "member":
        rows = await scoped(Membership, ident).select(Membership.user, Membership.role)
        return [(f"user:{row['user']}", str(row["role"])) for row in rows]
    admins = await AllianceAdmin.select(AllianceAdmin.user).where(AllianceAdmin.alliance == ident)
    return [(f"user:{row['user']}", "alliance_admin") for row in admins]


class RowsAdapter(FilteredAdapter):  # type: ignore[misc]
    """A read-only casbin adapter over one domain's already-read lines."""

    def __init__(self, domain: str, roles: RoleTable, assignments: list[tuple[str, str]]) -> None:
        self.domain = domain
        self.roles = roles
        self.assignments = assignments

    def is_filtered(self) -> bool:
        return True

    def load_policy(self, model: Any) -> None:
        self.load_filtered_policy(model, self.domain)

    def load_filtered_policy(self, model: Any, filter: Any) -> None:
        if filter != self.domain:
            raise ValueError(f"this adapter holds {self.domain!r}, not {filter!r}")
        # Appending directly is what casbin's own line loader does, minus the parsing.
        p_rules = model.model["p"]["p"].policy
        for role, definition in self.roles.items():
            for action in sorted(definition.actions):
                p_rules.append([role, self.domain, action])
        g_rules = model.model["g"]["g"].policy
        for subject, role in self.assignments:
            g_rules.append([subject, role, self.domain])

    def save_policy(self, model: Any) -> bool:
        raise NotImplementedError("policy changes go through kernel.permissions.store")

"""Actions and the kernel's default roles.

Actions are data: namespaced strings (``kernel.members.manage``); plugins add theirs. A role
is a named set of actions in one domain; ``rank`` bounds delegation (nobody grants a role
ranked above their own).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ALLIANCE_ROLES",
    "KERNEL_ACTIONS",
    "MEMBER_ROLES",
    "Role",
    "alliance_domain",
    "member_domain",
]

KERNEL_ACTIONS: dict[str, str] = {
    "kernel.members.read": "See the member's profile, staff and settings.",
    "kernel.members.manage": "Edit the member's profile.",
    "kernel.memberships.manage": "Add, change and remove the member's staff and their roles.",
    "kernel.apikeys.manage": "Create and revoke the member's API keys.",
    "kernel.communities.serve": "Declare which communities the member serves.",
    "kernel.plugins.manage": "Enable, configure and disable plugins for the member.",
    "kernel.consent.manage": "Grant and revoke consent to read the member's data.",
    "kernel.consent.read": "See the consent grants the member gave and received.",
    "kernel.alliance.read": "See the alliance's members and communities.",
    "kernel.alliance.admit": "Admit new members into the alliance.",
    "kernel.alliance.communities": "Create and edit the alliance's communities.",
    "kernel.alliance.admins": "Appoint other alliance administrators.",
    # Held by platform admins only (they may do everything); no role grants it.
    "kernel.platform.alliances": "Create alliances.",
}


@dataclass(frozen=True)
class Role:
    name: str
    rank: int
    actions: frozenset[str]


# Each role's actions are listed by scope, so a new platform or alliance action never leaks
# into member roles.
_MEMBER_SCOPES = (
    "kernel.members.",
    "kernel.memberships.",
    "kernel.apikeys.",
    "kernel.communities.",
    "kernel.plugins.",
    "kernel.consent.",
)
_ALL_MEMBER = frozenset(a for a in KERNEL_ACTIONS if a.startswith(_MEMBER_SCOPES))

MEMBER_ROLES: dict[str, Role] = {
    "owner": Role("owner", 40, _ALL_MEMBER),
    "admin": Role("admin", 30, _ALL_MEMBER),
    "staff": Role("staff", 20, frozenset({"kernel.members.read"})),
    "leader": Role("leader", 20, frozenset({"kernel.members.read"})),
    "resident": Role("resident", 10, frozenset()),
}

ALLIANCE_ROLES: dict[str, Role] = {
    "alliance_admin": Role(
        "alliance_admin",
        50,
        frozenset(a for a in KERNEL_ACTIONS if a.startswith("kernel.alliance.")),
    ),
}


def member_domain(member_id: int) -> str:
    return f"member:{member_id}"


def alliance_domain(alliance_id: int) -> str:
    return f"alliance:{alliance_id}"

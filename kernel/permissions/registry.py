"""The catalogue of actions and default role definitions, extended by plugins at start-up.

Actions are data: a namespaced string (``<namespace>.<thing>.<verb>``) with a description and
the default roles that get it. The kernel's own come from :mod:`kernel.permissions.actions`;
a plugin calls :func:`register_actions` before the kernel starts (or calls
``Authorizer.start()`` again afterwards), and the default role definitions stored under the
``*`` domain are brought in line with this catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kernel.permissions.actions import ALLIANCE_ROLES, KERNEL_ACTIONS, MEMBER_ROLES

__all__ = [
    "REGISTRY",
    "ActionRegistry",
    "ActionSpec",
    "RoleDef",
    "RoleTable",
    "register_actions",
]

_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_NAMESPACE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """What an action lets one do, and which default roles get it."""

    description: str
    roles: frozenset[str] = frozenset()

    @classmethod
    def of(cls, description: str, roles: Iterable[str] = ()) -> ActionSpec:
        return cls(description, frozenset(roles))


@dataclass(frozen=True, slots=True)
class RoleDef:
    """A role as one domain sees it. ``rank`` None: only platform admins may grant it."""

    rank: int | None
    actions: frozenset[str]


# role name -> definition, for one domain (or the "*" defaults).
RoleTable = dict[str, RoleDef]


class ActionRegistry:
    """Known actions and the default roles; one per process (:data:`REGISTRY`)."""

    def __init__(self) -> None:
        self._actions: dict[str, ActionSpec] = {}
        self._ranks: dict[str, int] = {}
        for role in (*MEMBER_ROLES.values(), *ALLIANCE_ROLES.values()):
            self._ranks[role.name] = role.rank
        for name, description in KERNEL_ACTIONS.items():
            holders = [
                r.name
                for r in (*MEMBER_ROLES.values(), *ALLIANCE_ROLES.values())
                if name in r.actions
            ]
            self._actions[name] = ActionSpec.of(description, holders)

    def register(self, namespace: str, actions: Mapping[str, ActionSpec | str]) -> None:
        """Add ``namespace``'s actions. Registering the same spec twice is a no-op; a
        different spec under a known name, a name outside the namespace, the reserved
        ``kernel`` namespace or an unknown default role are refused (ValueError)."""
        if not _NAMESPACE.match(namespace) or namespace == "kernel":
            raise ValueError(f"bad or reserved action namespace {namespace!r}")
        specs = {n: ActionSpec(s) if isinstance(s, str) else s for n, s in actions.items()}
        for name, spec in specs.items():
            if not _ACTION.match(name) or not name.startswith(namespace + "."):
                raise ValueError(f"action {name!r} must look like {namespace}.<thing>.<verb>")
            unknown = spec.roles - self._ranks.keys()
            if unknown:
                raise ValueError(f"action {name!r} names unknown default roles {sorted(unknown)}")
            known = self._actions.get(name)
            if known is not None and known != spec:
                raise ValueError(f"action {name!r} is already registered differently")
        # Validate everything first: a refused batch leaves the catalogue untouched.
        self._actions.update(specs)

    def actions(self) -> dict[str, ActionSpec]:
        """Every known action (a copy)."""
        return dict(self._actions)

    def is_known(self, action: str) -> bool:
        return action in self._actions

    def default_roles(self) -> RoleTable:
        """The default role definitions (the ``*`` domain) this catalogue implies."""
        granted: dict[str, set[str]] = {role: set() for role in self._ranks}
        for name, spec in self._actions.items():
            for role in spec.roles:
                granted[role].add(name)
        return {role: RoleDef(rank, frozenset(granted[role])) for role, rank in self._ranks.items()}


REGISTRY = ActionRegistry()


def register_actions(
    namespace: str,
    actions: Mapping[str, ActionSpec | str],
    *,
    registry: ActionRegistry | None = None,
) -> None:
    """Register a plugin's actions (``{"shop.orders.refund": ActionSpec.of("Refund orders.",
    roles=["owner", "admin"])}``). Call before the kernel starts, or call
    ``kernel.authorizer.start()`` afterwards so the stored defaults follow."""
    (registry or REGISTRY).register(namespace, actions)

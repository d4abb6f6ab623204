"""Per-domain casbin enforcers.

The stock enforcer evaluates its matcher against every policy line on every call (6 ms at
1k lines, hundreds at 100k). Here each domain (one member or alliance) gets its own small
enforcer holding only that domain's lines, so a decision costs O(lines of that domain);
and what a subject may do in a domain is computed once per cached enforcer, so a repeated
decision is a set lookup.

The authorizer keeps them in a process-local cache that the kernel state version keeps
exact (:mod:`kernel.state`). Nothing here talks to the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import casbin
from casbin.model import Model

from kernel.permissions.adapter import RowsAdapter
from kernel.permissions.registry import RoleTable

__all__ = ["MODEL_TEXT", "DomainPolicy", "Grants", "new_model"]

MODEL_TEXT = Path(__file__).with_name("model.conf").read_text()

# casbin logs every decision at INFO when its logger is enabled (2x slower); the gateway sets
# it to ERROR too, this covers processes that never build the app (CLI, benchmarks).
logging.getLogger("casbin").setLevel(logging.ERROR)


def new_model() -> Any:
    """A fresh casbin model of :data:`MODEL_TEXT` (models hold their policy: one per enforcer)."""
    model = Model()
    model.load_model_from_text(MODEL_TEXT)
    return model


@dataclass(frozen=True, slots=True)
class Grants:
    """A subject's roles in one domain and the actions they give."""

    roles: frozenset[str]
    actions: frozenset[str]


NO_GRANTS = Grants(frozenset(), frozenset())


class DomainPolicy:
    """One domain's enforcer, its role table and a memo of per-subject grants."""

    __slots__ = ("_grants", "domain", "enforcer", "roles")

    def __init__(self, domain: str, roles: RoleTable, assignments: list[tuple[str, str]]) -> None:
        self.domain = domain
        self.roles = roles
        self.enforcer = casbin.Enforcer(new_model(), RowsAdapter(domain, roles, assignments))
        # casbin's domain manager defaults to an equality "pattern" matcher, which makes it
        # compare every new link with every known role: quadratic (a member with 5,000
        # memberships took seconds). Names here are never patterns: no matcher, same answers.
        self.enforcer.get_role_manager().matching_func = None
        self.enforcer.load_filtered_policy(domain)
        self._grants: dict[str, Grants] = {}

    def grants(self, subject: str) -> Grants:
        """What ``subject`` holds here, computed by casbin once per cached enforcer."""
        found = self._grants.get(subject)
        if found is None:
            enforcer = self.enforcer
            roles = frozenset(enforcer.get_roles_for_user_in_domain(subject, self.domain))
            if roles:
                rules = enforcer.get_implicit_permissions_for_user(subject, self.domain)
                found = Grants(roles, frozenset(rule[2] for rule in rules))
            else:
                found = NO_GRANTS
            self._grants[subject] = found
        return found

    def enforce(self, subject: str, action: str) -> bool:
        """casbin's own decision (uncached): the reference :meth:`grants` must agree with."""
        return bool(self.enforcer.enforce(subject, self.domain, action))

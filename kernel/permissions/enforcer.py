"""Per-domain casbin enforcers and the process-local cache holding them.

The stock enforcer evaluates its matcher against every policy line on every call (6 ms at
1k lines, hundreds at 100k). Here each domain (one member or alliance) gets its own small
enforcer holding only that domain's lines, so a decision costs O(lines of that domain);
and what a subject may do in a domain is computed once per cached enforcer, so a repeated
decision is a set lookup.

Each cached enforcer is tagged with the versions (domain, ``*``) it was built from; the
authorizer compares the tag with the versions it read for the request and rebuilds on a
mismatch. Nothing here talks to the database.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import casbin
from casbin.model import Model

from kernel.permissions.adapter import RowsAdapter
from kernel.permissions.registry import RoleTable

__all__ = ["MODEL_TEXT", "DomainPolicy", "Grants", "PolicyCache", "Versions", "new_model"]

MODEL_TEXT = Path(__file__).with_name("model.conf").read_text()

# (version of the domain, version of the "*" defaults); -1 means "no row yet".
Versions = tuple[int, int]

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

    __slots__ = ("_grants", "domain", "enforcer", "roles", "versions")

    def __init__(
        self,
        domain: str,
        versions: Versions,
        roles: RoleTable,
        assignments: list[tuple[str, str]],
    ) -> None:
        self.domain = domain
        self.versions = versions
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


class PolicyCache:
    """A least-recently-used map of domain -> :class:`DomainPolicy` (~15 KB each)."""

    def __init__(self, max_domains: int = 2048) -> None:
        self.max_domains = max_domains
        self._entries: OrderedDict[str, DomainPolicy] = OrderedDict()

    def get(self, domain: str, versions: Versions) -> DomainPolicy | None:
        """The cached policy of ``domain`` if it was built from exactly ``versions``."""
        entry = self._entries.get(domain)
        if entry is None or entry.versions != versions:
            return None
        self._entries.move_to_end(domain)
        return entry

    def put(self, policy: DomainPolicy) -> None:
        current = self._entries.get(policy.domain)
        # Concurrent loads may finish out of order: never replace a newer build.
        if (
            current is not None
            and current.versions != policy.versions
            and all(
                have >= new for have, new in zip(current.versions, policy.versions, strict=True)
            )
        ):
            return
        self._entries[policy.domain] = policy
        self._entries.move_to_end(policy.domain)
        while len(self._entries) > self.max_domains:
            self._entries.popitem(last=False)

    def discard(self, domain: str) -> None:
        self._entries.pop(domain, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

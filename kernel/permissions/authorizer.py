"""Permission decisions: may this principal perform this action in this member (or alliance)?

The contract the rest of the kernel relies on (resolvers never check roles by hand):

- :meth:`Authorizer.allowed` answers a yes/no question.
- :meth:`Authorizer.check` raises: NOT_FOUND when the caller has no relation at all to the
  member (another member's objects are indistinguishable from missing ones), FORBIDDEN when
  they do but lack the action, UNAUTHENTICATED for anonymous callers.
- Decisions are memoised per request in the ``memo`` dict the caller passes (the context's).
- :meth:`Authorizer.policy_changed` is called inside the write transaction of any change to
  roles or role assignments; the change is in force on the next request in every process.
- :meth:`Authorizer.can_grant` / :meth:`Authorizer.check_grant` bound delegation.

casbin RBAC with domains (domain = ``member:<id>`` or ``alliance:<id>``), one small enforcer
per domain in a process-local LRU kept exact by the kernel state version
(:mod:`kernel.state`): a warm request costs the one version read it shares with the plugin
gate and the consent check. See docs/permissions.md.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from kernel.errors import AllianceError, Forbidden, NotFound, Unauthenticated
from kernel.identity.principal import Principal
from kernel.permissions.actions import alliance_domain, member_domain
from kernel.permissions.adapter import DEFAULTS, effective_roles, read_assignments, read_roles
from kernel.permissions.delegation import grant_refusal
from kernel.permissions.enforcer import DomainPolicy
from kernel.permissions.registry import REGISTRY, ActionRegistry, RoleTable
from kernel.permissions.store import bump_version, seed_defaults
from kernel.state import StateCache, in_transaction, tracker

__all__ = ["Authorizer"]

_MEMO_KEY = "kernel.permissions"
# The state tracker's caches (one authorizer per database).
_POLICIES = "kernel.permissions.policies"
_DEFAULTS = "kernel.permissions.defaults"


class _RequestState:
    """What one request remembers: the policies it used (once per domain) and decisions."""

    __slots__ = ("decisions", "policies")

    def __init__(self) -> None:
        self.policies: dict[str, DomainPolicy] = {}
        self.decisions: dict[tuple[str, str, int | None, int | None], bool] = {}


def _state(memo: dict[Any, Any] | None) -> _RequestState | None:
    if memo is None:
        return None
    state = memo.get(_MEMO_KEY)
    if state is None:
        state = memo[_MEMO_KEY] = _RequestState()
    return cast(_RequestState, state)


class Authorizer:
    """The process's permission decisions. One per :class:`~kernel.runtime.Kernel`."""

    def __init__(
        self, db: Any, *, registry: ActionRegistry | None = None, max_domains: int = 2048
    ) -> None:
        self.db = db
        self.registry = registry or REGISTRY
        self.state = tracker(db)
        # domain -> its policy; "*" -> the default role definitions.
        self.cache: StateCache[DomainPolicy] = self.state.cache(_POLICIES, max_domains)
        self._defaults: StateCache[RoleTable] = self.state.cache(_DEFAULTS, 1)

    async def start(self) -> None:
        """Store the registry's default role definitions (idempotent; call at start-up and
        again after registering actions later)."""
        await seed_defaults(self.db, self.registry)

    async def policy_changed(
        self, *, member_id: int | None = None, alliance_id: int | None = None
    ) -> None:
        """Call inside the write transaction of any change to roles or role assignments in
        that member/alliance, so every process drops its cached decisions for it. With
        neither argument, the default role definitions (``*``) are marked changed."""
        domains = []
        if member_id is not None:
            domains.append(member_domain(member_id))
        if alliance_id is not None:
            domains.append(alliance_domain(alliance_id))
        await bump_version(*(domains or [DEFAULTS]))

    async def domain_policy(self, domain: str, memo: dict[Any, Any] | None = None) -> DomainPolicy:
        """``domain``'s policy as committed when this request first asked (read from the
        database only when a change since the process last read it dropped it)."""
        state = _state(memo)
        if state is not None:
            known = state.policies.get(domain)
            if known is not None:
                return known
        # The version first, rows second: rows read later are never older than it.
        version = await self.state.current(memo)
        policy = self.cache.get(domain) if version is not None else None
        if policy is None:
            policy = await self._load(domain, version)
        if state is not None and not in_transaction():
            state.policies[domain] = policy
        return policy

    async def _load(self, domain: str, version: int | None) -> DomainPolicy:
        # Inside a transaction we may see uncommitted rows that could still roll back:
        # use them, never cache them (StateCache.put refuses there).
        shared = not in_transaction()
        defaults = await self._default_roles(version)
        if shared:
            # Two independent reads on two pooled connections.
            own, assignments = await asyncio.gather(read_roles(domain), read_assignments(domain))
        else:
            # One transaction is one connection: asyncpg refuses overlapping queries on it.
            own = await read_roles(domain)
            assignments = await read_assignments(domain)
        policy = DomainPolicy(domain, effective_roles(defaults, own), assignments)
        self.cache.put(domain, policy, version)
        return policy

    async def _default_roles(self, version: int | None) -> RoleTable:
        table = self._defaults.get(DEFAULTS) if version is not None else None
        if table is None:
            # No "*" rows: nobody ran start() on this database yet; the code's defaults apply.
            table = await read_roles(DEFAULTS) or self.registry.default_roles()
            self._defaults.put(DEFAULTS, table, version)
        return table

    async def member_roles(
        self, principal: Principal, member_id: int, *, memo: dict[Any, Any] | None = None
    ) -> frozenset[str]:
        """The roles ``principal`` holds in the member (empty for API keys)."""
        if principal.user_id is None:
            return frozenset()
        policy = await self.domain_policy(member_domain(member_id), memo)
        return policy.grants(principal.subject).roles

    async def alliance_roles(
        self, principal: Principal, alliance_id: int, *, memo: dict[Any, Any] | None = None
    ) -> frozenset[str]:
        """The roles ``principal`` holds in the alliance (``alliance_admin`` or none)."""
        if principal.user_id is None:
            return frozenset()
        policy = await self.domain_policy(alliance_domain(alliance_id), memo)
        return policy.grants(principal.subject).roles

    async def member_actions(
        self, principal: Principal, member_id: int, *, memo: dict[Any, Any] | None = None
    ) -> frozenset[str]:
        """Every action ``principal`` may perform in the member (for showing what they can)."""
        if principal.is_api_key:
            if member_id != principal.api_key_member_id:
                return frozenset()
            return principal.api_key_actions
        if principal.is_platform_admin:
            return frozenset(self.registry.actions())
        policy = await self.domain_policy(member_domain(member_id), memo)
        return policy.grants(principal.subject).actions

    async def allowed(
        self,
        principal: Principal | None,
        action: str,
        *,
        member_id: int | None = None,
        alliance_id: int | None = None,
        memo: dict[Any, Any] | None = None,
    ) -> bool:
        """May ``principal`` do ``action`` in the member (and/or alliance)?"""
        if principal is None:
            return False
        if principal.is_api_key:
            # An API key has exactly its own actions, in its own member, and nothing else.
            return member_id == principal.api_key_member_id and action in principal.api_key_actions
        if principal.is_platform_admin:
            return True
        state = _state(memo)
        key = (principal.subject, action, member_id, alliance_id)
        if state is not None and key in state.decisions:
            return state.decisions[key]
        decision = False
        if member_id is not None:
            policy = await self.domain_policy(member_domain(member_id), memo)
            decision = action in policy.grants(principal.subject).actions
        if not decision and alliance_id is not None:
            policy = await self.domain_policy(alliance_domain(alliance_id), memo)
            decision = action in policy.grants(principal.subject).actions
        if state is not None:
            state.decisions[key] = decision
        return decision

    async def check(
        self,
        principal: Principal | None,
        action: str,
        *,
        member_id: int | None = None,
        alliance_id: int | None = None,
        memo: dict[Any, Any] | None = None,
    ) -> None:
        """Raise unless :meth:`allowed`: UNAUTHENTICATED, NOT_FOUND (no relation to the
        member/alliance) or FORBIDDEN (related, but without ``action``)."""
        if principal is None:
            raise Unauthenticated("sign in first")
        if await self.allowed(
            principal, action, member_id=member_id, alliance_id=alliance_id, memo=memo
        ):
            return
        if principal.is_api_key:
            related = member_id is not None and member_id == principal.api_key_member_id
        else:
            related = (
                member_id is not None
                and bool(await self.member_roles(principal, member_id, memo=memo))
            ) or (
                alliance_id is not None
                and bool(await self.alliance_roles(principal, alliance_id, memo=memo))
            )
        if not related:
            raise NotFound("not found")
        raise Forbidden(f"you may not do {action} here")

    async def can_grant(
        self,
        principal: Principal | None,
        member_id: int,
        role: str,
        *,
        memo: dict[Any, Any] | None = None,
    ) -> bool:
        """May ``principal`` give someone ``role`` in the member (or take it away)? The
        rules are in :mod:`kernel.permissions.delegation`."""
        return await self._grant_refusal(principal, member_id, role, memo) is None

    async def check_grant(
        self,
        principal: Principal | None,
        member_id: int,
        role: str,
        *,
        memo: dict[Any, Any] | None = None,
    ) -> None:
        """:meth:`can_grant`, raising UNAUTHENTICATED, NOT_FOUND, FORBIDDEN or BAD_USER_INPUT
        (a role the member does not have)."""
        refusal = await self._grant_refusal(principal, member_id, role, memo)
        if refusal is not None:
            raise refusal

    async def _grant_refusal(
        self, principal: Principal | None, member_id: int, role: str, memo: dict[Any, Any] | None
    ) -> AllianceError | None:
        policy = None
        if principal is not None and not principal.is_api_key:
            policy = await self.domain_policy(member_domain(member_id), memo)
        return grant_refusal(principal, member_id, role, policy)

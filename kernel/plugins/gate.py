"""Which plugins a member has enabled, and the gate on every root field a plugin contributes.

A member's enabled set is cached per process and kept exact by the kernel state version
(:mod:`kernel.state`): every enable, disable, configuration or uninstall records the member
in the same transaction, so a change committed by any process is in force on the next
request everywhere, with no restart and no messaging. A warm request costs no query beyond
the version read it shares with the permission and consent checks; the set is memoised in
the request's ``memo`` so one request sees one answer. Inside a transaction the set is read
from the database (it may differ there from what is committed).
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info
from strawberry.types.base import has_object_definition

from kernel.db.scoped import scoped
from kernel.errors import AllianceError, ErrorCode, NotFound
from kernel.gateway.compose import ROOTS, SchemaPart
from kernel.gateway.context import context_of
from kernel.gateway.ids import decode_id
from kernel.permissions.actions import member_domain
from kernel.permissions.field import DomainLocator
from kernel.plugins.tables import MemberPlugin
from kernel.state import StateCache, in_transaction, tracker

__all__ = [
    "PluginGate",
    "enabled_plugins",
    "gate_part",
    "plugin_enabled",
    "remembered_enabled",
    "viewer_member",
]

_MEMO_KEY = "kernel.plugins.enabled"
# The process-wide cache: member domain -> slugs enabled (installed or not).
_CACHE = "kernel.plugins.enabled"
MAX_MEMBERS = 8192


async def enabled_plugins(
    kernel: Any, member_id: int, memo: dict[str, Any] | None = None
) -> frozenset[str]:
    """Slugs of the installed plugins ``member_id`` has enabled (once per request with
    ``memo``)."""
    cache: dict[int, frozenset[str]] | None = None
    if memo is not None:
        cache = memo.setdefault(_MEMO_KEY, {})
        assert cache is not None
        known = cache.get(member_id)
        if known is not None:
            return known
    installed: frozenset[str] = kernel.plugins.installed
    found = await _enabled(kernel, member_id, memo) & installed
    if cache is not None:
        cache[member_id] = found
    return found


def remembered_enabled(memo: dict[str, Any] | None, member_id: int) -> frozenset[str] | None:
    """The member's enabled plugins as ``memo``'s request already read them, or None: never
    a query (usable inside a transaction, where :func:`enabled_plugins` would read)."""
    if memo is None:
        return None
    known: frozenset[str] | None = memo.get(_MEMO_KEY, {}).get(member_id)
    return known


async def _enabled(kernel: Any, member_id: int, memo: dict[str, Any] | None) -> frozenset[str]:
    if in_transaction():
        return await _read(member_id)
    state = tracker(kernel.db)
    version = await state.current(memo)
    shared: StateCache[frozenset[str]] = state.cache(_CACHE, MAX_MEMBERS)
    domain = member_domain(member_id)
    found = shared.get(domain)
    if found is None:
        found = await _read(member_id)
        shared.put(domain, found, version)
    return found


async def _read(member_id: int) -> frozenset[str]:
    rows = await (
        scoped(MemberPlugin, member_id)
        .select(MemberPlugin.slug)
        .where(MemberPlugin.enabled.eq(True))
    )
    return frozenset(str(row["slug"]) for row in rows)


async def plugin_enabled(
    kernel: Any, member_id: int, slug: str, memo: dict[str, Any] | None = None
) -> bool:
    """Whether ``member_id`` has plugin ``slug`` enabled (for routes and services)."""
    return slug in await enabled_plugins(kernel, member_id, memo)


def viewer_member(source: Any, info: Info[Any, Any], kwargs: dict[str, Any]) -> int:
    """The gate's default member: the ``member_id`` (or ``id``) argument holding a Member
    ID, else the member the caller's API key acts for."""
    for name in ("member_id", "id"):
        value = kwargs.get(name)
        if isinstance(value, str):
            try:
                return decode_id("Member", value)
            except NotFound:
                if name == "member_id":
                    raise
    principal = context_of(info).principal
    if principal is not None and principal.api_key_member_id is not None:
        return principal.api_key_member_id
    raise AllianceError(
        "this field acts for a member: pass memberId", code=ErrorCode.PLUGIN_DISABLED
    )


class PluginGate(FieldExtension):
    """Answers ``PLUGIN_DISABLED`` unless the field's member has plugin ``slug`` enabled.

    The host adds it, innermost (after the field's permission checks, so that callers who
    may not touch the member learn nothing about its stack), to every root field a plugin
    contributes. A plugin may put one on a field itself to say where the member comes from.
    """

    def __init__(self, slug: str, member: DomainLocator = viewer_member) -> None:
        self.slug = slug
        self.member = member

    async def resolve_async(
        self, next_: Any, source: Any, info: Info[Any, Any], **kwargs: Any
    ) -> Any:
        context = context_of(info)
        located = self.member(source, info, kwargs)
        member_id = int(await located if inspect.isawaitable(located) else located)
        if self.slug not in await enabled_plugins(context.kernel, member_id, context.memo):
            raise AllianceError(
                f"plugin {self.slug} is not enabled for this member", code=ErrorCode.PLUGIN_DISABLED
            )
        result = next_(source, info, **kwargs)
        return await result if inspect.isawaitable(result) else result


def gate_part(slug: str, part: SchemaPart) -> SchemaPart:
    """``part`` renamed after the plugin, every root field behind a :class:`PluginGate`
    (idempotent: the root types are the plugin's own classes, gated in place once)."""
    for root in ROOTS:
        cls = getattr(part, root.lower())
        if cls is None or not has_object_definition(cls):
            continue
        for field in cls.__strawberry_definition__.fields:
            if not any(isinstance(e, PluginGate) for e in field.extensions):
                field.extensions.insert(0, PluginGate(slug))
    return dataclasses.replace(part, name=f"plugin {slug}")

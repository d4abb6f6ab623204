"""Consent checks between members: the calls a plugin makes before and after a cross-member read.

CONTRACT: :func:`may_read` answers whether member ``grantee`` may read member ``grantor``'s
data of ``scope`` for ``purpose`` right now; it returns the id of the live grant that allows
it, or None. A grant or revocation committed by any process is in force on the next request.

How: each process caches, per (grantor, grantee), the grants not revoked (id, scope, purpose,
expiry), kept exact by the kernel state version (:mod:`kernel.state`): granting and revoking
record the grantor in the same transaction, so every process drops what it cached for the
grantor on its next request. Expiry is evaluated against ``kernel.clock()`` at every check,
never cached. A warm check costs no query beyond the version read the request shares with
the permission check and the plugin gate. Inside a transaction the grants are read from the
database. ``memo`` (the request's memo dict) keeps the answers for the rest of one request,
so a request sees one consistent answer.

:func:`live_grants` / :func:`live_grantors` (filtering a list by live grants) read the
database: one indexed query on live rows (the partial index ``grantee, scope, purpose,
member WHERE revoked_at IS NULL``). When the data is actually returned,
:func:`record_read` writes the audit entry naming the grant.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.audit import log as audit
from kernel.consent.purposes import PURPOSES, SCOPES
from kernel.consent.tables import ConsentGrant
from kernel.db.scoped import scoped, unscoped
from kernel.identity.principal import Principal
from kernel.permissions.actions import member_domain
from kernel.state import StateCache, in_transaction, tracker

__all__ = ["live_grantors", "live_grants", "live_where", "may_read", "record_read"]

_MEMO_KEY = "kernel.consent"
READ_ACTION = "consent.read"
# The process-wide cache: grantor's member domain -> {grantee: its grants from the grantor}.
_CACHE = "kernel.consent.grants"
MAX_GRANTORS = 8192

# (id, scope, purpose, expires_at) of the grants not revoked, oldest first.
Grants = tuple[tuple[int, str, str, dt.datetime | None], ...]


def _covering(grantee_member_id: int, scope: str, purpose: str, now: dt.datetime) -> Any:
    """Grants to ``grantee_member_id`` for ``scope`` and ``purpose`` that are live at ``now``."""
    return (
        (ConsentGrant.grantee == grantee_member_id)
        & (ConsentGrant.scope == scope)
        & (ConsentGrant.purpose == purpose)
        & live_where(now)
    )


def live_where(now: dt.datetime) -> Any:
    """The condition a live grant meets at ``now``: not revoked, not expired."""
    return ConsentGrant.revoked_at.is_null() & (
        ConsentGrant.expires_at.is_null() | (ConsentGrant.expires_at > now)
    )


def _known(scope: str, purpose: str) -> None:
    # Asking about a name nobody registered is a plugin bug: fail loudly, never "no".
    if scope not in SCOPES:
        raise ValueError(f"unknown consent scope {scope!r}: register it first")
    if purpose not in PURPOSES:
        raise ValueError(f"unknown consent purpose {purpose!r}: register it first")


def _answers(memo: dict[Any, Any] | None) -> dict[tuple[Any, ...], Any] | None:
    if memo is None:
        return None
    answers: dict[tuple[Any, ...], Any] = memo.setdefault(_MEMO_KEY, {})
    return answers


async def may_read(
    kernel: Any,
    *,
    grantee_member_id: int,
    grantor_member_id: int,
    scope: str,
    purpose: str,
    memo: dict[Any, Any] | None = None,
) -> int | None:
    """The id of a grant (the oldest live one) letting ``grantee_member_id`` read
    ``grantor_member_id``'s data of ``scope`` for ``purpose`` at ``kernel.clock()``, or None.

    A member's own data needs no grant: this answers None for it. ``memo`` is the request's
    memo dict: the answer is kept for the rest of the request. Unknown scopes or purposes
    raise ValueError.
    """
    _known(scope, purpose)
    if grantee_member_id == grantor_member_id:
        return None
    answers = _answers(memo)
    key = ("may_read", grantee_member_id, grantor_member_id, scope, purpose)
    if answers is not None and key in answers:
        found: int | None = answers[key]
        return found
    grants = await _between(kernel, grantor_member_id, grantee_member_id, memo)
    now = kernel.clock()
    grant_id = next(
        (
            ident
            for ident, their_scope, their_purpose, expires_at in grants
            if their_scope == scope
            and their_purpose == purpose
            and (expires_at is None or expires_at > now)
        ),
        None,
    )
    if answers is not None:
        answers[key] = grant_id
    return grant_id


async def _between(
    kernel: Any, grantor_member_id: int, grantee_member_id: int, memo: dict[Any, Any] | None
) -> Grants:
    """The grants, not revoked, from grantor to grantee: cached per process outside
    transactions (see the module's docstring)."""
    if in_transaction():
        return await _read_between(grantor_member_id, grantee_member_id)
    state = tracker(kernel.db)
    version = await state.current(memo)
    shared: StateCache[dict[int, Grants]] = state.cache(_CACHE, MAX_GRANTORS)
    domain = member_domain(grantor_member_id)
    given = shared.get(domain)
    found = None if given is None else given.get(grantee_member_id)
    if found is None:
        found = await _read_between(grantor_member_id, grantee_member_id)
        # Only while the tracker is still at the version read before the rows.
        if state.is_current(version):
            given = shared.get(domain)
            if given is None:
                given = {}
                shared.put(domain, given, version)
            given[grantee_member_id] = found
    return found


async def _read_between(grantor_member_id: int, grantee_member_id: int) -> Grants:
    rows = (
        await scoped(ConsentGrant, grantor_member_id)
        .select(ConsentGrant.id, ConsentGrant.scope, ConsentGrant.purpose, ConsentGrant.expires_at)
        .where((ConsentGrant.grantee == grantee_member_id) & ConsentGrant.revoked_at.is_null())
        .order_by(ConsentGrant.id)
    )
    return tuple(
        (int(row["id"]), str(row["scope"]), str(row["purpose"]), row["expires_at"]) for row in rows
    )


async def live_grants(
    kernel: Any,
    *,
    grantee_member_id: int,
    scope: str,
    purpose: str,
    memo: dict[Any, Any] | None = None,
) -> dict[int, int]:
    """Every member whose ``scope`` data ``grantee_member_id`` may read for ``purpose`` now,
    mapped to the grant (the oldest live one) that allows it: one indexed query."""
    _known(scope, purpose)
    answers = _answers(memo)
    key = ("live_grants", grantee_member_id, scope, purpose)
    if answers is not None and key in answers:
        return dict(answers[key])
    # Cross-member by nature: the grants others gave to this grantee, and nothing else.
    rows = (
        await unscoped(ConsentGrant)
        .select(ConsentGrant.id, ConsentGrant.member)
        .where(_covering(grantee_member_id, scope, purpose, kernel.clock()))
        .order_by(ConsentGrant.id)
    )
    grants: dict[int, int] = {}
    for row in rows:
        grants.setdefault(int(row["member"]), int(row["id"]))
    if answers is not None:
        answers[key] = dict(grants)
    return grants


async def live_grantors(
    kernel: Any,
    *,
    grantee_member_id: int,
    scope: str,
    purpose: str,
    memo: dict[Any, Any] | None = None,
) -> set[int]:
    """The member ids whose ``scope`` data ``grantee_member_id`` may read for ``purpose``
    now, for ``.where(T.member.is_in(...))`` (piccolo refuses an empty ``is_in``: check for
    an empty set first)."""
    grants = await live_grants(
        kernel, grantee_member_id=grantee_member_id, scope=scope, purpose=purpose, memo=memo
    )
    return set(grants)


async def record_read(
    kernel: Any,
    *,
    actor: Principal | None,
    grant_id: int,
    grantor_member_id: int,
    grantee_member_id: int,
    scope: str,
    purpose: str,
    subject: str,
) -> None:
    """Write the audit entry for a cross-member read that relied on ``grant_id``: call it
    when the data is actually returned. ``subject`` names what was read (``Order:42``, or
    ``orders of 2026-05-01``). Its own write transaction, or the caller's if one is open."""
    async with kernel.db.write():
        await audit.append(
            kernel,
            actor=actor,
            action=READ_ACTION,
            member_id=grantor_member_id,
            subject=subject,
            details={"grantee": grantee_member_id, "scope": scope, "purpose": purpose},
            grant_id=grant_id,
        )

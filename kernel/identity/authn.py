"""Authenticating a request from its ``Authorization`` header.

``Bearer <jwt>``: the access token's signature and claims are checked without the database,
then **one** query reads the session joined to its user (primary keys), so that a revoked
session (logout, refresh-token reuse) or a deactivated user is refused at once instead of when
the token expires. One joined query rather than two primary-key reads: it is one round trip,
and the user row is needed anyway for ``is_platform_admin``, which must come from the
database, not from the token. Given the request's ``memo``, the same query reads the kernel
state version (a scalar subquery), which the permission, plugin-gate and consent caches need
once per request (kernel/state/tracker.py): an authenticated request then pays one query for
all of it instead of two.

``ApiKey <key>``: one query finds the key by its public prefix (across members: this is how a
key finds its member), then the SHA-256 digests are compared in constant time. ``last_used_at``
is written at most every :data:`LAST_USED_RESOLUTION`, so a busy key does not turn every
request into a write.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import json
from collections.abc import Sequence
from typing import Any, Final

from kernel.db.scoped import unscoped
from kernel.errors import Unauthenticated
from kernel.events.sql import query
from kernel.gateway.response_cache import adopt_tag_versions, tag_version_columns
from kernel.identity.principal import Principal
from kernel.identity.secrets import parse_api_key
from kernel.identity.tables import ApiKey
from kernel.state.tracker import tracker

__all__ = ["LAST_USED_RESOLUTION", "authenticate", "bearer_user"]

LAST_USED_RESOLUTION: Final = dt.timedelta(minutes=5)
_SESSION_ENDED: Final = "this session has ended: sign in again"
_BAD_KEY: Final = "invalid or revoked API key"
_BAD_HEADER: Final = "unsupported Authorization header: use 'Bearer <token>' or 'ApiKey <key>'"


_SESSION = """
SELECT s."user" AS user_id, s.revoked_at AS revoked_at, u.is_active AS is_active,
       u.is_platform_admin AS is_platform_admin,
       (SELECT k.version FROM kernel_state k WHERE k.id = 1) AS state_version{}
FROM kernel_auth_session s JOIN kernel_user u ON u.id = s."user"
WHERE s.id = {{}}
"""


@functools.cache
def _session_query(tags: int) -> str:
    """The session query, reading the versions of ``tags`` cache tags too."""
    return _SESSION.format(tag_version_columns(tags))


async def authenticate(
    kernel: Any,
    authorization: str | None,
    *,
    memo: dict[Any, Any] | None = None,
    cache_tags: Sequence[str] = (),
) -> Principal | None:
    """The caller named by an ``Authorization`` header value; None when there is none.

    With ``memo`` (the request's), a bearer token's query also brings the kernel state
    version into it (see the module's docstring), and the versions of the response-cache
    ``cache_tags`` the gateway asks for (a cached answer is then checked without a second
    round trip; :mod:`kernel.gateway.response_cache`).

    Raises :class:`~kernel.errors.Unauthenticated` for a header that is present but malformed,
    of another scheme, or carries an invalid, expired or revoked credential.
    """
    if authorization is None or not authorization.strip():
        return None
    scheme, credential = _parse(authorization)
    if not credential:
        raise Unauthenticated(_BAD_HEADER)
    match scheme:
        case "bearer":
            return await _bearer(kernel, credential, memo, cache_tags)
        case "apikey":
            return await _api_key(kernel, credential)
        case _:
            raise Unauthenticated(_BAD_HEADER)


def bearer_user(kernel: Any, authorization: str) -> int | None:
    """The user a ``Bearer`` header names, if its token is valid now, checked without the
    database (:func:`authenticate` still checks the session); None otherwise."""
    scheme, token = _parse(authorization)
    if scheme != "bearer":
        return None
    try:
        return int(kernel.tokens.decode_access(token, now=kernel.clock()).user_id)
    except Unauthenticated:
        return None


def _parse(authorization: str) -> tuple[str, str]:
    """(scheme in lower case, credential) of a header value."""
    scheme, _, credential = authorization.strip().partition(" ")
    # Authentication schemes are case-insensitive (RFC 9110, 11.1).
    return scheme.lower(), credential.strip()


async def _bearer(
    kernel: Any, token: str, memo: dict[Any, Any] | None, cache_tags: Sequence[str]
) -> Principal:
    claims = kernel.tokens.decode_access(token, now=kernel.clock())
    tags = list(cache_tags) if memo is not None else []
    # Straight to the engine (kernel/events/sql.py): half the CPU of ``AuthSession.raw``.
    rows = await query(kernel.db, _session_query(len(tags)), *tags, claims.session_id)
    row = rows[0] if rows else None
    if (
        row is None
        or row["user_id"] != claims.user_id
        or row["revoked_at"] is not None
        or not row["is_active"]
    ):
        raise Unauthenticated(_SESSION_ENDED)
    if memo is not None:
        await tracker(kernel.db).adopt(int(row["state_version"] or 0), memo)
        if tags:
            adopt_tag_versions(memo, tags, row)
    return Principal(
        user_id=claims.user_id,
        session_id=claims.session_id,
        is_platform_admin=bool(row["is_platform_admin"]),
    )


async def _api_key(kernel: Any, text: str) -> Principal:
    parsed = parse_api_key(text)
    if parsed is None:
        raise Unauthenticated(_BAD_KEY)
    prefix, digest = parsed
    row = (
        await unscoped(ApiKey)
        .select(
            ApiKey.id,
            ApiKey.member,
            ApiKey.key_hash,
            ApiKey.actions,
            ApiKey.revoked_at,
            ApiKey.last_used_at,
        )
        .where(ApiKey.prefix == prefix)
        .first()
    )
    if row is None or not hmac.compare_digest(digest, row["key_hash"]):
        raise Unauthenticated(_BAD_KEY)
    if row["revoked_at"] is not None:
        raise Unauthenticated(_BAD_KEY)
    now = kernel.clock()
    last_used = row["last_used_at"]
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        async with kernel.db.write():
            await unscoped(ApiKey).update({ApiKey.last_used_at: now}).where(ApiKey.id == row["id"])
    actions = row["actions"]
    if isinstance(actions, str):
        actions = json.loads(actions)
    return Principal(
        api_key_id=int(row["id"]),
        api_key_member_id=int(row["member"]),
        api_key_actions=frozenset(str(action) for action in actions),
    )

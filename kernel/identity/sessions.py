"""Sessions: refresh-token families, rotation with reuse detection, logout.

A login opens an :class:`~kernel.identity.tables.AuthSession` and issues its first refresh
token. Each refresh marks the presented token used and issues its successor in the same
session. Presenting a token that was already used means two parties hold the family (a stolen
token, or a client that lost a response): the whole session is revoked, which also ends its
access tokens on their next request (:mod:`kernel.identity.authn` checks the session).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Final

from kernel.errors import Forbidden, Unauthenticated
from kernel.identity.principal import Principal
from kernel.identity.tables import AuthSession, RefreshToken
from kernel.identity.tokens import hash_opaque_token, new_refresh_token

__all__ = [
    "REFRESH_TOKEN_TTL",
    "REUSE_REASON",
    "TokenPair",
    "logout",
    "refresh",
    "revoke_session",
    "start_session",
]

REFRESH_TOKEN_TTL: Final = dt.timedelta(days=30)
REUSE_REASON: Final = "refresh_token_reuse"
# Ours are 43 characters; anything far longer is not worth hashing.
_MAX_REFRESH_CHARS: Final = 256
_INVALID_REFRESH: Final = "invalid or expired refresh token"


@dataclass(frozen=True, slots=True)
class TokenPair:
    """What a login or refresh hands the client."""

    access_token: str
    refresh_token: str
    # When the access token expires; the client refreshes before then.
    expires_at: dt.datetime
    token_type: str = "Bearer"

    def __repr__(self) -> str:
        # Keeps both secrets out of logs and tracebacks that print locals.
        return f"TokenPair(expires_at={self.expires_at!r}, token_type={self.token_type!r})"


async def _issue(kernel: Any, *, user_id: int, session_id: str, now: dt.datetime) -> TokenPair:
    """Insert a new refresh token of ``session_id`` (inside the caller's write transaction)
    and sign an access token to go with it."""
    token, digest = new_refresh_token()
    await RefreshToken.insert(
        RefreshToken(
            session=session_id,
            token_hash=digest,
            created_at=now,
            expires_at=now + REFRESH_TOKEN_TTL,
        )
    )
    access = kernel.tokens.issue_access(user_id=user_id, session_id=session_id, now=now)
    # Decoding our own token (~40 µs) gives its exact expiry without reaching into the codec.
    claims = kernel.tokens.decode_access(access, now=now)
    return TokenPair(access_token=access, refresh_token=token, expires_at=claims.expires_at)


async def start_session(kernel: Any, *, user_id: int, now: dt.datetime) -> TokenPair:
    """Open a session for ``user_id`` and issue its first token pair (joins the caller's
    write transaction if there is one)."""
    session_id = str(uuid.uuid4())
    async with kernel.db.write():
        await AuthSession.insert(AuthSession(id=session_id, user=user_id, created_at=now))
        return await _issue(kernel, user_id=user_id, session_id=session_id, now=now)


async def revoke_session(session_id: str, *, reason: str, now: dt.datetime) -> None:
    """Revoke a session (idempotent: the first reason and time are kept)."""
    await AuthSession.update(
        {AuthSession.revoked_at: now, AuthSession.revoked_reason: reason}
    ).where((AuthSession.id == session_id) & AuthSession.revoked_at.is_null())


async def refresh(kernel: Any, *, refresh_token: str) -> TokenPair:
    """Rotate ``refresh_token``: mark it used and issue a new pair in the same session.

    Raises :class:`~kernel.errors.Unauthenticated` for an unknown, expired or used token, a
    revoked session or an inactive user. A used token also revokes its whole session (reason
    ``"refresh_token_reuse"``), so the newest token of the family stops working as well.
    """
    if (
        not isinstance(refresh_token, str)
        or not refresh_token.isascii()
        or len(refresh_token) > _MAX_REFRESH_CHARS
    ):
        raise Unauthenticated(_INVALID_REFRESH)
    digest = hash_opaque_token(refresh_token)
    now = kernel.clock()
    async with kernel.db.write():
        # FOR UPDATE on PostgreSQL: a concurrent refresh of the same token waits here, then
        # sees it used (and revokes the family) instead of rotating it a second time.
        token = await kernel.db.for_update(
            RefreshToken.select(
                RefreshToken.id, RefreshToken.session, RefreshToken.expires_at, RefreshToken.used_at
            ).where(RefreshToken.token_hash == digest)
        ).first()
        if token is None:
            raise Unauthenticated(_INVALID_REFRESH)
        # A second query rather than a join: piccolo joins are LEFT JOINs, which PostgreSQL
        # cannot lock FOR UPDATE, and only the token row needs the lock.
        session = (
            await AuthSession.select(
                AuthSession.user,
                AuthSession.revoked_at,
                AuthSession.user.is_active.as_alias("is_active"),
            )
            .where(AuthSession.id == token["session"])
            .first()
        )
        if session is None or session["revoked_at"] is not None or not session["is_active"]:
            raise Unauthenticated(_INVALID_REFRESH)
        if token["used_at"] is not None:
            await revoke_session(token["session"], reason=REUSE_REASON, now=now)
        elif token["expires_at"] <= now:
            raise Unauthenticated(_INVALID_REFRESH)
        else:
            await RefreshToken.update({RefreshToken.used_at: now}).where(
                RefreshToken.id == token["id"]
            )
            return await _issue(
                kernel, user_id=int(session["user"]), session_id=token["session"], now=now
            )
    # Only reuse gets here: raised after the transaction so that the revocation is committed.
    raise Unauthenticated(_INVALID_REFRESH)


async def logout(kernel: Any, *, principal: Principal) -> None:
    """End the caller's session: its refresh tokens and access tokens stop working."""
    if principal.session_id is None:
        raise Forbidden("an API key has no session to end: revoke the key instead")
    async with kernel.db.write():
        await revoke_session(principal.session_id, reason="logout", now=kernel.clock())

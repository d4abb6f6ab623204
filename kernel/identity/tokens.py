"""Access tokens (short-lived HS256 JWTs) and opaque refresh tokens.

See docs/security.md, "Tokens", for why access tokens are JWTs and refresh tokens are not.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import jwt
from jwt.algorithms import HMACAlgorithm

from kernel.errors import Unauthenticated

__all__ = [
    "ALGORITHMS",
    "AccessClaims",
    "TokenCodec",
    "hash_opaque_token",
    "new_refresh_token",
]

# The only algorithm ever accepted: never derived from the token's own header.
ALGORITHMS: Final = ["HS256"]
_MIN_SECRET_BYTES = 32  # RFC 7518 3.2: an HS256 key at least as long as the hash output.
_REQUIRED_CLAIMS: Final = ["exp", "iat", "nbf", "iss", "aud", "sub", "sid", "jti", "typ"]
_ACCESS_TYPE = "access"
# Ours are ~300 characters; refusing anything far larger bounds the work an attacker can cause.
_MAX_TOKEN_CHARS = 4_096
# Verified access tokens remembered per process (see TokenCodec.decode_access).
VERIFIED_CACHE_SIZE: Final = 8_192

_INVALID = "invalid or expired access token"
_EXPIRED = "access token expired"


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says."""

    user_id: int
    session_id: str
    jti: str
    expires_at: datetime


class TokenCodec:
    """Issues and verifies access tokens for one issuer and audience."""

    def __init__(
        self,
        secret: str,
        issuer: str,
        audience: str,
        access_ttl: timedelta = timedelta(minutes=15),
        leeway_seconds: int = 0,
    ) -> None:
        if len(secret.encode("utf-8")) < _MIN_SECRET_BYTES:
            raise ValueError(f"the token secret must be at least {_MIN_SECRET_BYTES} bytes")
        try:
            # PyJWT refuses PEM/SSH/JWK-shaped HMAC keys; fail at start-up, not on every request.
            HMACAlgorithm(HMACAlgorithm.SHA256).prepare_key(secret)
        except jwt.InvalidKeyError as exc:
            raise ValueError(f"unusable token secret: {exc}") from None
        if not issuer or not audience:
            raise ValueError("issuer and audience must not be empty")
        if access_ttl < timedelta(seconds=1):
            raise ValueError("access_ttl must be at least one second")
        if leeway_seconds < 0:
            raise ValueError("leeway_seconds must not be negative")
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._ttl_seconds = int(access_ttl.total_seconds())
        self._leeway = leeway_seconds
        # Short keys raise instead of warning: a second guard behind the check above.
        self._jwt = jwt.PyJWT(options={"enforce_minimum_key_length": True})
        # Tokens whose signature, issuer and audience verified, with their payload: a client
        # sends the same token on every request for its lifetime, and verifying it again
        # costs ~50 us (HMAC, base64, JSON). The claims are still checked against ``now``
        # every time. Bounded; the oldest entry goes first.
        self._verified: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def issue_access(self, *, user_id: int, session_id: str, now: datetime | None = None) -> str:
        """Sign an access token for ``user_id`` in session ``session_id``, valid from ``now``."""
        if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id < 0:
            raise ValueError("user_id must be a non-negative int")
        if not session_id:
            raise ValueError("session_id must not be empty")
        issued_at = _epoch_seconds(now)
        claims = {
            "sub": str(user_id),
            "sid": session_id,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + self._ttl_seconds,
            "iss": self._issuer,
            "aud": self._audience,
            "jti": secrets.token_urlsafe(16),
            "typ": _ACCESS_TYPE,
        }
        return self._jwt.encode(claims, self._secret, algorithm=ALGORITHMS[0])

    def decode_access(self, token: str, *, now: datetime | None = None) -> AccessClaims:
        """Verify ``token`` as of ``now`` (default: the real clock) and return its claims.

        Raises :class:`~kernel.errors.Unauthenticated` for any token that is not a well-formed,
        unexpired access token signed by us for our issuer and audience. The message says
        "expired" only for a token that passed every other check.
        """
        # A JWT is ASCII by construction; PyJWT lets UnicodeEncodeError escape for lone
        # surrogates (which JSON "\ud800" escapes produce), so they must not reach it.
        if not isinstance(token, str) or len(token) > _MAX_TOKEN_CHARS or not token.isascii():
            raise Unauthenticated(_INVALID)
        verified = self._verified.get(token)
        if verified is not None:
            self._verified.move_to_end(token)
            return self._check_claims(verified, _epoch_float(now))
        try:
            payload = self._jwt.decode(
                token,
                self._secret,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "require": _REQUIRED_CLAIMS,
                    "strict_aud": True,
                    # PyJWT compares these with the real clock; they are checked below
                    # against `now` instead, so that tests and callers can fix the clock.
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(_INVALID) from exc
        claims = self._check_claims(payload, _epoch_float(now))
        self._verified[token] = payload
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return claims

    def _check_claims(self, payload: dict[str, Any], now: float) -> AccessClaims:
        sub, sid, jti = payload["sub"], payload["sid"], payload["jti"]
        exp, nbf, iat = payload["exp"], payload["nbf"], payload["iat"]
        well_formed = (
            payload["typ"] == _ACCESS_TYPE
            # PyJWT checked these already; repeated so the guarantee does not rest on options.
            and payload["iss"] == self._issuer
            and payload["aud"] == self._audience
            and _is_canonical_uint(sub)
            and isinstance(sid, str)
            and sid != ""
            and isinstance(jti, str)
            and jti != ""
            and all(_is_int(v) for v in (exp, nbf, iat))
        )
        if not well_formed:
            raise Unauthenticated(_INVALID)
        if nbf > now + self._leeway or iat > now + self._leeway:
            raise Unauthenticated(_INVALID)
        # Same rule as PyJWT: the token is dead at the instant `exp`, not one second later.
        if exp <= now - self._leeway:
            raise Unauthenticated(_EXPIRED)
        return AccessClaims(
            user_id=int(sub),
            session_id=sid,
            jti=jti,
            expires_at=datetime.fromtimestamp(exp, tz=UTC),
        )


def new_refresh_token() -> tuple[str, str]:
    """A fresh opaque refresh token: ``(token, digest)``.

    Give ``token`` to the client once and store only ``digest``; look a presented token up by
    :func:`hash_opaque_token`. 256 random bits make a plain, unsalted SHA-256 sufficient: there
    is no dictionary to precompute and nothing to brute-force.
    """
    token = secrets.token_urlsafe(32)
    return token, hash_opaque_token(token)


def hash_opaque_token(token: str) -> str:
    """SHA-256 hex digest of an opaque token, the form it is stored and looked up in."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _epoch_float(now: datetime | None) -> float:
    if now is None:
        return datetime.now(UTC).timestamp()
    if now.tzinfo is None or now.utcoffset() is None:
        # A naive datetime would be read as local time: a silent, hours-wide clock error.
        raise ValueError("now must be timezone-aware")
    return now.timestamp()


def _epoch_seconds(now: datetime | None) -> int:
    # JWT NumericDate; whole seconds so that iat/nbf/exp stay integers.
    return int(_epoch_float(now))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_canonical_uint(value: object) -> bool:
    # "7" only: not "07", "+7", " 7" or a fullwidth 7 (int() would accept all of them).
    return (
        isinstance(value, str)
        and 0 < len(value) <= 20
        and value.isascii()
        and value.isdigit()
        and str(int(value)) == value
    )

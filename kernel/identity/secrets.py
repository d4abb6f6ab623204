"""API keys for machines and integrations: ``ak_<prefix>_<secret>``.

The prefix is not secret: it names the key in lists and logs and finds its row. Only the
SHA-256 of the whole key is stored. A fast, unsalted hash is enough here, unlike for passwords:
the secret part carries 256 bits from the OS CSPRNG, so there is no dictionary to try and no
brute force that could ever finish; salting or stretching would only cost each request time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass

__all__ = [
    "API_KEY_PREFIX",
    "NewApiKey",
    "api_key_matches",
    "hash_api_key",
    "new_api_key",
    "parse_api_key",
]

API_KEY_PREFIX = "ak"
_ID_ALPHABET = string.ascii_lowercase + string.digits
_ID_LENGTH = 8
# Base62 has no "_" (our separator) and no "-", so a double-click selects the whole key.
_SECRET_ALPHABET = string.ascii_letters + string.digits
_SECRET_LENGTH = 43  # 43 * log2(62) = 256.03 bits.
_KEY_RE = re.compile(
    rf"{API_KEY_PREFIX}_([a-z0-9]{{{_ID_LENGTH}}})_[A-Za-z0-9]{{{_SECRET_LENGTH}}}",
    re.ASCII,
)


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A freshly made key: show ``plaintext`` once, store ``prefix`` and ``hashed``."""

    plaintext: str
    prefix: str
    hashed: str

    def __repr__(self) -> str:
        # Keeps the secret out of logs and tracebacks that print locals.
        return f"NewApiKey(prefix={self.prefix!r}, hashed={self.hashed!r})"


def new_api_key() -> NewApiKey:
    """Make a new random API key."""
    prefix = "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(_SECRET_LENGTH))
    plaintext = f"{API_KEY_PREFIX}_{prefix}_{secret}"
    return NewApiKey(plaintext=plaintext, prefix=prefix, hashed=hash_api_key(plaintext))


def hash_api_key(plaintext: str) -> str:
    """SHA-256 hex digest of a whole key, the form in which it is stored."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def parse_api_key(text: str) -> tuple[str, str] | None:
    """``(prefix, hashed)`` for a well-formed key, else None; surrounding whitespace is ignored.

    Look the row up by ``prefix``, then confirm with :func:`api_key_matches`.
    """
    candidate = text.strip()
    match = _KEY_RE.fullmatch(candidate)
    if match is None:
        return None
    return match.group(1), hash_api_key(candidate)


def api_key_matches(text: str, stored_hash: str) -> bool:
    """Whether ``text`` is the key whose hash is ``stored_hash``, compared in constant time."""
    parsed = parse_api_key(text)
    if parsed is None:
        return False
    return hmac.compare_digest(parsed[1].encode("ascii"), stored_hash.encode("utf-8"))

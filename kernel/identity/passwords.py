"""Password hashing (argon2id) and the policy for new passwords.

Passwords are normalised to Unicode NFKC before anything else (NIST SP 800-63B 5.1.1.2), so
that the same password typed on two keyboards that compose characters differently still
matches. Changing this later would lock people out, which is why it is done from day one.
"""

from __future__ import annotations

import asyncio
import functools
import unicodedata
from dataclasses import dataclass
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from kernel.errors import BadUserInput

__all__ = [
    "MAX_PASSWORD_BYTES",
    "MEMORY_COST_KIB",
    "MIN_PASSWORD_LENGTH",
    "PARALLELISM",
    "TIME_COST",
    "PasswordCheck",
    "hash_password",
    "hash_password_async",
    "is_common_password",
    "validate_new_password",
    "verify_password",
    "verify_password_async",
]

# OWASP Password Storage Cheat Sheet, argon2id "m=19456 (19 MiB), t=2, p=1".
MEMORY_COST_KIB = 19_456
TIME_COST = 2
PARALLELISM = 1

MIN_PASSWORD_LENGTH = 8
# Generous enough for any passphrase or password manager, small enough that nobody can make
# us hash megabytes per request.
MAX_PASSWORD_BYTES = 1_024

_HASHER = PasswordHasher(
    time_cost=TIME_COST,
    memory_cost=MEMORY_COST_KIB,
    parallelism=PARALLELISM,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    """Outcome of :func:`verify_password`.

    ``needs_rehash`` is only ever True together with ``ok``: the caller then has the plaintext
    at hand and should store ``hash_password(password)`` in place of the old hash.
    """

    ok: bool
    needs_rehash: bool = False


def _encode(password: str) -> bytes | None:
    """The exact bytes that are hashed (NFKC, UTF-8), or None if the password can never be valid.

    None for passwords over :data:`MAX_PASSWORD_BYTES` and for strings UTF-8 cannot encode
    (lone surrogates, which JSON ``\\ud800`` escapes can produce).
    """
    # Code points are never more than bytes: refuse huge input before normalising it.
    if len(password) > MAX_PASSWORD_BYTES:
        return None
    try:
        encoded = unicodedata.normalize("NFKC", password).encode("utf-8")
    except UnicodeEncodeError:
        return None
    if len(encoded) > MAX_PASSWORD_BYTES:
        return None
    return encoded


def hash_password(password: str) -> str:
    """Hash ``password`` with argon2id at the module's parameters (~100 ms, blocking).

    Raises ValueError for a password :func:`validate_new_password` would refuse as too long
    or unencodable: callers must validate first.
    """
    encoded = _encode(password)
    if encoded is None:
        raise ValueError("password is too long or not encodable; validate it first")
    return _HASHER.hash(encoded)


def verify_password(stored_hash: str, password: str) -> PasswordCheck:
    """Check ``password`` against ``stored_hash`` (~100 ms, blocking). Never raises.

    A malformed hash, or a password that could never have been set, gives ``ok=False``.
    """
    encoded = _encode(password)
    if encoded is None:
        return PasswordCheck(ok=False)
    try:
        _HASHER.verify(stored_hash, encoded)
    except (VerificationError, InvalidHashError, UnicodeEncodeError):
        # VerifyMismatchError is a VerificationError; UnicodeEncodeError: non-ASCII in the hash.
        return PasswordCheck(ok=False)
    try:
        needs_rehash = _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        # argon2 accepted the hash, so this is unexpected; a fresh hash is the safe answer.
        needs_rehash = True
    return PasswordCheck(ok=True, needs_rehash=needs_rehash)


async def hash_password_async(password: str) -> str:
    """:func:`hash_password` in a worker thread, so the event loop keeps serving requests."""
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(stored_hash: str, password: str) -> PasswordCheck:
    """:func:`verify_password` in a worker thread, so the event loop keeps serving requests."""
    return await asyncio.to_thread(verify_password, stored_hash, password)


_PACKAGE = __name__.rpartition(".")[0]


@functools.cache
def _common_passwords() -> frozenset[str]:
    # Django's list (see COMMON_PASSWORDS_LICENSE.txt): already lowercased, one per line.
    # Plain text rather than .gz: pyproject's package-data ships "*.txt" files.
    text = resources.files(_PACKAGE).joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def is_common_password(password: str) -> bool:
    """Whether ``password`` is in the bundled list of ~20,000 common passwords (any case)."""
    if len(password) > MAX_PASSWORD_BYTES:  # no entry is anywhere near this long
        return False
    candidate = unicodedata.normalize("NFKC", password).strip().lower()
    return candidate in _common_passwords()


def validate_new_password(password: str, *, field: str = "password") -> None:
    """Refuse a password a user is about to set, with a message for ``field``.

    Raises :class:`~kernel.errors.BadUserInput` when the password is too short, too long
    (more than :data:`MAX_PASSWORD_BYTES` bytes in UTF-8), contains characters that cannot be
    stored, or is a commonly used password. Never hashes anything.
    """

    def refuse(message: str) -> BadUserInput:
        return BadUserInput(message, field_errors={field: message})

    encoded = _encode(password)
    if encoded is None:
        if len(password) <= MAX_PASSWORD_BYTES and not _is_utf8_encodable(password):
            raise refuse("The password contains characters that cannot be used.")
        raise refuse(
            f"The password is too long: at most {MAX_PASSWORD_BYTES:,} bytes "
            "(fewer characters if it uses accented letters, symbols or emoji)."
        )
    # Counted after NFKC, in code points: what the user perceives as characters, roughly.
    if len(encoded.decode("utf-8")) < MIN_PASSWORD_LENGTH:
        raise refuse(f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters.")
    if is_common_password(password):
        raise refuse("This password is too common and easy to guess: please choose another.")


def _is_utf8_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

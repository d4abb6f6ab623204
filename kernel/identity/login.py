"""Users and login: account normalisation, sign-up, password login with throttling.

The login flow and its cost (see docs/security.md, "Login"):

1. reserve the attempt (one short write transaction; refuses a locked account at once,
   before any hashing: a locked account costs an attacker's request almost nothing);
2. read the user (one primary-key-indexed read);
3. verify the password with argon2id in a worker thread (~100 ms: the whole cost of a
   login). An unknown account verifies against a dummy hash, so its timing matches;
4. on success, in one write transaction: mark the attempt succeeded, store an upgraded hash if
   the old one used weaker parameters (hashed beforehand, also in a worker thread), open the
   session and issue the token pair.
"""

from __future__ import annotations

import asyncio
import functools
import operator
import secrets
import string
from typing import Any, Final

from kernel.db.errors import is_unique_violation
from kernel.errors import BadUserInput, Conflict, RateLimited, Unauthenticated
from kernel.identity.passwords import (
    hash_password,
    hash_password_async,
    validate_new_password,
    verify_password_async,
)
from kernel.identity.sessions import TokenPair, start_session
from kernel.identity.tables import User
from kernel.identity.throttle import mark_succeeded, reserve_attempt

__all__ = [
    "BAD_CREDENTIALS",
    "create_user",
    "login",
    "normalise_email",
    "normalise_phone",
]

# One message for a wrong password, an unknown account and an inactive user: the answer must
# not tell which accounts exist.
BAD_CREDENTIALS: Final = "Wrong account or password."
_LOCKED: Final = "Too many failed sign-in attempts for this account: try again in 15 minutes."
_MAX_EMAIL: Final = 254  # RFC 5321 path limit; also the column's length.
_PHONE_SEPARATORS: Final = str.maketrans("", "", " -.()/")
_MIN_PHONE_DIGITS, _MAX_PHONE_DIGITS = 5, 15  # E.164 allows at most 15 digits.


def normalise_email(text: str) -> str | None:
    """``text`` stripped and lower-cased if it looks like an e-mail address, else None.

    Deliberately shallow (something@something, no spaces or control characters): only a
    confirmation mail proves an address.
    """
    email = text.strip().lower()
    local, at, domain = email.rpartition("@")
    if not (at and local and domain) or len(email) > _MAX_EMAIL or not email.isprintable():
        return None
    if any(ch.isspace() for ch in email) or not _utf8(email):
        return None
    return email


def normalise_phone(text: str) -> str | None:
    """Digits only, keeping a leading ``+`` (``"+86 138-0013-8000"`` -> ``"+8613800138000"``);
    None unless the rest is 5 to 15 ASCII digits once spaces, dashes, dots and brackets go."""
    stripped = text.strip()
    plus = stripped.startswith("+")
    digits = stripped.removeprefix("+").translate(_PHONE_SEPARATORS)
    if not (_MIN_PHONE_DIGITS <= len(digits) <= _MAX_PHONE_DIGITS):
        return None
    if not all(ch in string.digits for ch in digits):
        return None
    return f"+{digits}" if plus else digits


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _account(text: str) -> tuple[Any, str | None, str]:
    """``(column, normalised value or None, throttle key)`` for a login account."""
    if "@" in text:
        column, value = User.email, normalise_email(text)
    else:
        column, value = User.phone, normalise_phone(text)
    if value is not None:
        return column, value, value
    # Unusable input is still throttled, under a key the database can store (PostgreSQL
    # refuses NUL characters and lone surrogates; the column is 254 characters).
    key = text.strip().lower().replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return column, None, key[:_MAX_EMAIL]


async def create_user(
    kernel: Any,
    *,
    email: str | None = None,
    phone: str | None = None,
    password: str,
    display_name: str = "",
    platform_admin: bool = False,
) -> User:
    """Create a user with an e-mail address and/or a phone number and a password.

    Raises :class:`~kernel.errors.BadUserInput` (with field errors) for a missing or malformed
    e-mail/phone or an unacceptable password, :class:`~kernel.errors.Conflict` when the e-mail
    or phone is already taken.
    """
    errors: dict[str, str] = {}
    norm_email = normalise_email(email) if email else None
    norm_phone = normalise_phone(phone) if phone else None
    if email and norm_email is None:
        errors["email"] = "This is not a valid e-mail address."
    if phone and norm_phone is None:
        errors["phone"] = "This is not a valid phone number."
    if not email and not phone:
        errors["email"] = "Give an e-mail address or a phone number."
    if errors:
        raise BadUserInput(next(iter(errors.values())), field_errors=errors)
    validate_new_password(password)
    display_name = display_name.strip()
    if len(display_name) > 120 or not display_name.isprintable() or not _utf8(display_name):
        raise BadUserInput(
            "The display name must be at most 120 printable characters.",
            field_errors={"displayName": "At most 120 printable characters."},
        )
    password_hash = await hash_password_async(password)
    taken = Conflict("An account with this e-mail address or phone number already exists.")
    try:
        async with kernel.db.write():
            # Checked first for a clean answer; the unique indexes still decide races.
            clashes = [User.email == norm_email] if norm_email else []
            clashes += [User.phone == norm_phone] if norm_phone else []
            if await User.exists().where(functools.reduce(operator.or_, clashes)):
                raise taken
            user = User(
                email=norm_email,
                phone=norm_phone,
                display_name=display_name,
                password_hash=password_hash,
                is_platform_admin=platform_admin,
                created_at=kernel.clock(),
            )
            await user.save()
    except Exception as exc:
        if is_unique_violation(exc):
            raise taken from None
        raise
    return user


@functools.cache
def _dummy_hash() -> str:
    # Made with the current parameters, so an unknown account costs what a known one does.
    return hash_password(secrets.token_urlsafe(16))


async def login(kernel: Any, *, account: str, password: str) -> TokenPair:
    """Sign in with an e-mail address or phone number and a password.

    Raises :class:`~kernel.errors.RateLimited` when the account is locked (without checking
    the password) and :class:`~kernel.errors.Unauthenticated` with the same message for a
    wrong password, an unknown account and an inactive user. Every attempt is recorded.
    """
    now = kernel.clock()
    column, value, key = _account(account)
    reservation = await reserve_attempt(kernel, key, now=now)
    if reservation.locked:
        raise RateLimited(_LOCKED)
    user = None
    if value is not None:
        user = (
            await User.select(User.id, User.password_hash, User.is_active)
            .where(column == value)
            .first()
        )
    stored: str | None = user["password_hash"] if user is not None else None
    if stored is None:
        stored = await asyncio.to_thread(_dummy_hash)
    check = await verify_password_async(stored, password)
    if user is None or user["password_hash"] is None or not check.ok or not user["is_active"]:
        raise Unauthenticated(BAD_CREDENTIALS)
    new_hash = await hash_password_async(password) if check.needs_rehash else None
    async with kernel.db.write():
        await mark_succeeded(reservation.attempt_id)
        if new_hash is not None:
            # Only over the hash just verified: a password changed meanwhile must win.
            await User.update({User.password_hash: new_hash}).where(
                (User.id == user["id"]) & (User.password_hash == stored)
            )
        return await start_session(kernel, user_id=int(user["id"]), now=now)

"""API keys for machines: bound to one member and a set of actions, shown once, revocable.

The key format and hashing are in :mod:`kernel.identity.secrets`; authentication with a key is
in :mod:`kernel.identity.authn`. A key never holds an action its creator could not perform in
that member at creation time, and only people create keys: a key cannot mint further keys.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, Final

from kernel.db.errors import is_unique_violation
from kernel.db.scoped import scoped
from kernel.errors import BadUserInput, Conflict, Forbidden, NotFound
from kernel.identity.principal import Principal
from kernel.identity.secrets import new_api_key
from kernel.identity.tables import ApiKey
from kernel.permissions.actions import KERNEL_ACTIONS

__all__ = ["MAX_NAME_LENGTH", "create_api_key", "key_actions", "list_api_keys", "revoke_api_key"]

MAX_NAME_LENGTH: Final = 120


def key_actions(key: ApiKey) -> list[str]:
    """The actions of ``key`` as a list (the JSON column reads back as text)."""
    value = key.actions
    return list(json.loads(value) if isinstance(value, str) else value)


def _is_foreign_key_violation(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.IntegrityError):
        return "FOREIGN KEY" in str(exc)
    return getattr(exc, "sqlstate", None) == "23503"


def _known_actions() -> frozenset[str]:
    # A function, not a constant: plugins will register their actions at start-up.
    return frozenset(KERNEL_ACTIONS)


def _clean_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH or not cleaned.isprintable():
        message = f"Give the key a name of 1 to {MAX_NAME_LENGTH} printable characters."
        raise BadUserInput(message, field_errors={"name": message})
    return cleaned


def _clean_actions(actions: Iterable[str]) -> list[str]:
    wanted = sorted(set(actions))
    if not wanted:
        message = "Give the key at least one action."
        raise BadUserInput(message, field_errors={"actions": message})
    unknown = [a for a in wanted if a not in _known_actions()]
    if unknown:
        message = f"Unknown action(s): {', '.join(unknown)}."
        raise BadUserInput(message, field_errors={"actions": message})
    return wanted


async def create_api_key(
    kernel: Any,
    *,
    member_id: int,
    name: str,
    actions: Sequence[str],
    created_by: Principal,
) -> tuple[ApiKey, str]:
    """Create a key for ``member_id``; returns the stored row and the plaintext key.

    The plaintext is returned once and never stored (only its SHA-256). Raises
    :class:`~kernel.errors.Forbidden` when ``created_by`` is an API key or lacks one of
    ``actions`` in the member, :class:`~kernel.errors.BadUserInput` for an empty or unknown
    action or a bad name, :class:`~kernel.errors.Conflict` when the member already has a key
    of that name.
    """
    if created_by.is_api_key or created_by.user_id is None:
        raise Forbidden("API keys cannot create API keys: sign in as a person.")
    cleaned_name = _clean_name(name)
    wanted = _clean_actions(actions)
    lacking = [
        action
        for action in wanted
        if not await kernel.authorizer.allowed(created_by, action, member_id=member_id)
    ]
    if lacking:
        raise Forbidden(f"A key cannot do what its creator may not: {', '.join(lacking)}.")
    secret = new_api_key()
    key = ApiKey(
        member=member_id,
        name=cleaned_name,
        prefix=secret.prefix,
        key_hash=secret.hashed,
        actions=wanted,
        created_by=created_by.user_id,
        created_at=kernel.clock(),
    )
    taken = Conflict(
        "This member already has an API key with that name.",
        field_errors={"name": "Already used by another key of this member."},
    )
    try:
        async with kernel.db.write():
            if await scoped(ApiKey, member_id).exists().where(ApiKey.name == cleaned_name):
                raise taken
            rows = await scoped(ApiKey, member_id).insert(key).returning(ApiKey.id)
    except Exception as exc:
        if is_unique_violation(exc):
            raise taken from None
        if _is_foreign_key_violation(exc):
            # Only a platform admin gets this far for a member that does not exist.
            raise NotFound("Member not found") from None
        raise
    key.id = rows[0]["id"]
    return key, secret.plaintext


async def revoke_api_key(kernel: Any, *, member_id: int, key_id: int) -> ApiKey:
    """Revoke key ``key_id`` of ``member_id`` (idempotent) and return it.

    Raises :class:`~kernel.errors.NotFound` when the member has no such key (another member's
    key looks exactly like a missing one).
    """
    async with kernel.db.write():
        await (
            scoped(ApiKey, member_id)
            .update({ApiKey.revoked_at: kernel.clock()})
            .where((ApiKey.id == key_id) & ApiKey.revoked_at.is_null())
        )
        key = await scoped(ApiKey, member_id).objects().where(ApiKey.id == key_id).first()
    if key is None:
        raise NotFound("API key not found")
    return key  # type: ignore[no-any-return]


async def list_api_keys(
    kernel: Any, *, member_id: int, after_id: int = 0, limit: int = 21
) -> list[ApiKey]:
    """Keys of ``member_id`` with id greater than ``after_id``, in id order, at most ``limit``
    (revoked keys included: they stay listed so that their use can be audited)."""
    rows = (
        await scoped(ApiKey, member_id)
        .objects()
        .where(ApiKey.id > after_id)
        .order_by(ApiKey.id)
        .limit(limit)
    )
    return list(rows)

"""Password hashing and the new-password policy, against the real argon2 implementation."""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Coroutine
from typing import Any

import pytest
from argon2 import PasswordHasher, Type

from kernel.errors import BadUserInput, ErrorCode
from kernel.identity import passwords
from kernel.identity.passwords import (
    MAX_PASSWORD_BYTES,
    PasswordCheck,
    hash_password,
    hash_password_async,
    is_common_password,
    validate_new_password,
    verify_password,
    verify_password_async,
)

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_password(PASSWORD)


# --- hashing -------------------------------------------------------------------------------


def test_hash_format(stored: str) -> None:
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored


def test_hashes_are_salted(stored: str) -> None:
    assert hash_password(PASSWORD) != stored


def test_verify_ok(stored: str) -> None:
    assert verify_password(stored, PASSWORD) == PasswordCheck(ok=True, needs_rehash=False)


@pytest.mark.parametrize(
    "attempt", ["", "correct horse battery stapl", "Correct horse battery staple", PASSWORD + " "]
)
def test_verify_wrong(stored: str, attempt: str) -> None:
    assert verify_password(stored, attempt) == PasswordCheck(ok=False, needs_rehash=False)


@pytest.mark.parametrize(
    "weaker",
    [
        PasswordHasher(memory_cost=4096, time_cost=1, parallelism=1),
        PasswordHasher(memory_cost=19456, time_cost=1, parallelism=1),
        PasswordHasher(memory_cost=19456, time_cost=2, parallelism=1, type=Type.I),
        PasswordHasher(memory_cost=19456, time_cost=2, parallelism=1, salt_len=8),
    ],
    ids=["m4096-t1", "t1", "argon2i", "short-salt"],
)
def test_needs_rehash_for_other_parameters(weaker: PasswordHasher) -> None:
    old = weaker.hash(PASSWORD)
    assert verify_password(old, PASSWORD) == PasswordCheck(ok=True, needs_rehash=True)
    # The upgrade the login flow performs:
    assert verify_password(hash_password(PASSWORD), PASSWORD).needs_rehash is False


def test_wrong_password_on_weak_hash_does_not_ask_for_rehash() -> None:
    old = PasswordHasher(memory_cost=4096, time_cost=1).hash(PASSWORD)
    assert verify_password(old, "nope") == PasswordCheck(ok=False, needs_rehash=False)


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "not a hash",
        "$argon2id$",
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ",
        "$argon2id$v=19$m=19456,t=2,p=1$!!!$!!!",
        "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5Hh2XxXuO0l0H/0bS9.aZLI9pG3d7Ka",  # bcrypt
        "pbkdf2_sha256$600000$salt$hash",
        "$argon2id$v=19$m=19456,t=2,p=1$é$é",
        "\x00",
    ],
)
def test_malformed_hash_is_not_ok(malformed: str) -> None:
    assert verify_password(malformed, PASSWORD) == PasswordCheck(ok=False, needs_rehash=False)


def test_truncated_hash_is_not_ok(stored: str) -> None:
    assert verify_password(stored[:-5], PASSWORD).ok is False


def test_unicode_is_normalised(stored: str) -> None:
    composed = "Ünïcödé pässwörd"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert verify_password(hash_password(composed), decomposed).ok
    assert verify_password(hash_password(decomposed), composed).ok


def test_lone_surrogate_password(stored: str) -> None:
    assert verify_password(stored, "abc\ud800def").ok is False
    with pytest.raises(ValueError):
        hash_password("abc\ud800def")


# --- length limits -------------------------------------------------------------------------


def test_longest_password_accepted() -> None:
    password = "a" * MAX_PASSWORD_BYTES
    validate_new_password(password)
    assert verify_password(hash_password(password), password).ok


def test_one_byte_too_long_refused() -> None:
    password = "a" * (MAX_PASSWORD_BYTES + 1)
    with pytest.raises(BadUserInput) as info:
        validate_new_password(password)
    assert info.value.field_errors == {"password": info.value.message}
    assert "too long" in info.value.message
    assert "1,024 bytes" in info.value.message


def test_length_is_counted_in_bytes() -> None:
    validate_new_password("é" * 512)  # 1,024 bytes, 512 characters
    with pytest.raises(BadUserInput, match="too long"):
        validate_new_password("é" * 512 + "a")  # 1,025 bytes
    with pytest.raises(BadUserInput, match="too long"):
        validate_new_password("🔑" * 257)  # 4 bytes each: 1,028 bytes, 257 characters


def test_too_long_is_refused_before_hashing() -> None:
    # argon2 itself would hash 10 MB without complaint: each refusal below is ours.
    huge = "x" * 10_000_000
    with pytest.raises(BadUserInput, match="too long"):
        validate_new_password(huge)
    with pytest.raises(ValueError, match="validate it first"):
        hash_password(huge)
    assert verify_password(hash_password("short password"), huge).ok is False
    assert not is_common_password(huge)


def test_too_long_for_verification_is_refused_without_hashing(stored: str) -> None:
    assert verify_password(stored, PASSWORD + "x" * MAX_PASSWORD_BYTES).ok is False


# --- policy --------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["", "a", "Abc12!x", "é" * 7])
def test_short_refused(password: str) -> None:
    with pytest.raises(BadUserInput) as info:
        validate_new_password(password)
    assert info.value.code is ErrorCode.BAD_USER_INPUT
    assert info.value.message == "The password is too short: use at least 8 characters."
    assert info.value.field_errors == {"password": info.value.message}


def test_eight_multibyte_characters_are_long_enough() -> None:
    validate_new_password("éüøßñçåæ")


@pytest.mark.parametrize(
    "password",
    ["password", "Password", "PASSWORD", "123456789", "qwertyuiop", "iloveyou", " password "],
)
def test_common_refused(password: str) -> None:
    with pytest.raises(BadUserInput, match="too common") as info:
        validate_new_password(password)
    assert info.value.field_errors == {"password": info.value.message}


@pytest.mark.parametrize(
    "password", [PASSWORD, "Tr0ub4dor&3-xyz", "ein langes deutsches Passwort", "汉字汉字汉字汉字"]
)
def test_good_passwords_accepted(password: str) -> None:
    validate_new_password(password)


def test_field_name_is_configurable() -> None:
    with pytest.raises(BadUserInput) as info:
        validate_new_password("short", field="newPassword")
    assert list(info.value.field_errors) == ["newPassword"]
    assert info.value.extensions()["fieldErrors"][0]["field"] == "newPassword"


def test_unencodable_password_refused() -> None:
    with pytest.raises(BadUserInput, match="cannot be used"):
        validate_new_password("abcdefgh\ud800")


def test_common_password_list_is_loaded_once() -> None:
    first = passwords._common_passwords()
    assert isinstance(first, frozenset)
    assert len(first) > 19_000
    assert passwords._common_passwords() is first
    assert "password" in first
    assert is_common_password("PassWord")
    assert not is_common_password(PASSWORD)


# --- async ---------------------------------------------------------------------------------


async def test_async_round_trip() -> None:
    stored = await hash_password_async(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await verify_password_async(stored, PASSWORD) == PasswordCheck(True, False)
    assert (await verify_password_async(stored, "wrong")).ok is False


@pytest.mark.parametrize("operation", ["hash", "verify"])
async def test_async_does_not_block_the_loop(stored: str, operation: str) -> None:
    work: Coroutine[Any, Any, object] = (
        hash_password_async(PASSWORD)
        if operation == "hash"
        else verify_password_async(stored, PASSWORD)
    )
    task = asyncio.create_task(work)
    # One trip round the loop runs the task's first step. Were argon2 run on the loop, that
    # step would be the whole computation and the task would be done when we get back.
    await asyncio.sleep(0)
    assert not task.done()
    await task

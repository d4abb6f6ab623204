"""API keys: format, parsing and constant-time matching."""

from __future__ import annotations

import hashlib
import re

import pytest

from kernel.identity.secrets import (
    NewApiKey,
    api_key_matches,
    hash_api_key,
    new_api_key,
    parse_api_key,
)


@pytest.fixture
def key() -> NewApiKey:
    return new_api_key()


def test_format(key: NewApiKey) -> None:
    assert re.fullmatch(r"ak_[a-z0-9]{8}_[A-Za-z0-9]{43}", key.plaintext)
    assert key.plaintext.split("_")[1] == key.prefix
    assert key.hashed == hashlib.sha256(key.plaintext.encode()).hexdigest()
    assert key.hashed == hash_api_key(key.plaintext)


def test_round_trip(key: NewApiKey) -> None:
    assert parse_api_key(key.plaintext) == (key.prefix, key.hashed)
    assert api_key_matches(key.plaintext, key.hashed)


def test_surrounding_whitespace_is_ignored(key: NewApiKey) -> None:
    assert parse_api_key(f"  {key.plaintext}\n") == (key.prefix, key.hashed)
    assert api_key_matches(f"{key.plaintext} ", key.hashed)


def test_keys_are_unique() -> None:
    keys = [new_api_key() for _ in range(200)]
    assert len({k.plaintext for k in keys}) == 200
    assert len({k.prefix for k in keys}) == 200


def test_repr_hides_the_secret(key: NewApiKey) -> None:
    secret = key.plaintext.rsplit("_", 1)[1]
    assert secret not in repr(key)
    assert key.prefix in repr(key)


def test_wrong_key_does_not_match(key: NewApiKey) -> None:
    other = new_api_key()
    assert not api_key_matches(other.plaintext, key.hashed)
    # Same prefix, different secret: the prefix alone proves nothing.
    forged = key.plaintext[:-1] + ("A" if key.plaintext[-1] != "A" else "B")
    assert parse_api_key(forged) is not None
    assert not api_key_matches(forged, key.hashed)


@pytest.mark.parametrize("stored", ["", "x", "é" * 64, "0" * 64])
def test_garbage_stored_hash_does_not_match(key: NewApiKey, stored: str) -> None:
    assert not api_key_matches(key.plaintext, stored)


def _mutations(plaintext: str) -> list[str]:
    prefix, secret = plaintext[3:11], plaintext[12:]
    return [
        "",
        "ak_",
        "garbage",
        plaintext[:-1],  # secret one character short
        plaintext + "A",  # one character long
        plaintext.upper(),  # prefix must be lowercase
        f"AK_{prefix}_{secret}",
        f"sk_{prefix}_{secret}",
        f"ak-{prefix}-{secret}",
        f"ak_{prefix}{secret}",
        f"ak_{prefix[:7]}_{secret}",
        f"ak_{prefix}_{secret[:-1]}-",
        f"ak_{prefix}_{secret[:-1]}é",
        f"ak_{prefix}_{secret[:-1]}\ud800",
        f"Bearer {plaintext}",
        f"{plaintext}\x00",
        plaintext.replace("_", "_\n", 1),
    ]


def test_malformed_keys_parse_to_none(key: NewApiKey) -> None:
    for text in _mutations(key.plaintext):
        assert parse_api_key(text) is None, text
        assert not api_key_matches(text, key.hashed), text


def test_non_ascii_digits_are_not_accepted(key: NewApiKey) -> None:
    # \d and [0-9]-like classes can match other scripts' digits without re.ASCII.
    arabic = key.plaintext[:-1] + "٣"
    assert parse_api_key(arabic) is None

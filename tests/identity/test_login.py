"""Sign-up and login: normalisation, conflicts, credentials, hash upgrades."""

from __future__ import annotations

import datetime as dt
import json

import argon2
import pytest

from kernel.errors import BadUserInput, Conflict, ErrorCode, Unauthenticated
from kernel.identity import service
from kernel.identity.login import normalise_email, normalise_phone
from kernel.identity.tables import LoginAttempt, User
from kernel.runtime import Kernel
from tests.factories import Factory
from tests.graphql_client import GraphQLClient, Result

PASSWORD = "correct horse battery staple"

LOGIN = """
mutation Login($account: String!, $password: String!) {
  login(account: $account, password: $password) {
    accessToken refreshToken expiresAt tokenType
  }
}
"""


def test_normalise_email_and_phone() -> None:
    assert normalise_email("  Ann@Example.TEST ") == "ann@example.test"
    assert normalise_email("no-at-sign") is None
    assert normalise_email("a b@example.test") is None
    assert normalise_email("a\x00@example.test") is None
    assert normalise_phone("+86 138-0013-8000") == "+8613800138000"
    assert normalise_phone("(021) 5555.1234") == "02155551234"
    assert normalise_phone("12ab34567") is None
    assert normalise_phone("123") is None
    assert normalise_phone("+" + "1" * 16) is None


async def test_create_user_normalises_and_hashes(kernel: Kernel) -> None:
    user = await service.create_user(
        kernel, email=" Li.Wei@Example.TEST", phone="+86 138 0013 8000", password=PASSWORD
    )
    row = await User.select().where(User.id == user.id).first()
    assert row["email"] == "li.wei@example.test"
    assert row["phone"] == "+8613800138000"
    assert row["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in str(row)


async def test_create_user_refuses_taken_email_or_phone(kernel: Kernel) -> None:
    await service.create_user(kernel, email="ann@example.test", password=PASSWORD)
    await service.create_user(kernel, phone="13800138000", password=PASSWORD)
    with pytest.raises(Conflict):
        await service.create_user(kernel, email="ANN@example.test ", password=PASSWORD)
    with pytest.raises(Conflict):
        await service.create_user(
            kernel, email="new@example.test", phone="138-0013-8000", password=PASSWORD
        )
    assert await User.count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "email"),
        ({"email": "not an address"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"email": "a@example.test", "password": "password"}, "password"),
        ({"email": "a@example.test", "password": "x" * 1025}, "password"),
        ({"email": "a@example.test", "password": "short"}, "password"),
    ],
)
async def test_create_user_refuses_bad_input(
    kernel: Kernel, fields: dict[str, str], field: str
) -> None:
    with pytest.raises(BadUserInput) as caught:
        await service.create_user(kernel, **{"password": PASSWORD, **fields})
    assert field in caught.value.field_errors
    assert await User.count() == 0


async def test_too_long_password_message_is_clear(kernel: Kernel) -> None:
    with pytest.raises(BadUserInput, match="too long: at most 1,024 bytes"):
        await service.create_user(kernel, email="a@example.test", password="é" * 600)


async def test_login_returns_a_short_lived_access_token_and_a_refresh_token(
    kernel: Kernel, gql: GraphQLClient
) -> None:
    await service.create_user(kernel, email="ann@example.test", password=PASSWORD)
    before = kernel.clock()
    payload = (await gql(LOGIN, {"account": " ANN@example.test", "password": PASSWORD})).ok()[
        "login"
    ]
    assert payload["tokenType"] == "Bearer"
    expires = dt.datetime.fromisoformat(payload["expiresAt"])
    assert before < expires <= before + dt.timedelta(minutes=15, seconds=1)
    claims = kernel.tokens.decode_access(payload["accessToken"], now=kernel.clock())
    assert claims.expires_at == expires
    assert len(payload["refreshToken"]) >= 43
    attempts = await LoginAttempt.select(LoginAttempt.account, LoginAttempt.succeeded)
    assert attempts == [{"account": "ann@example.test", "succeeded": True}]


async def test_login_by_phone(kernel: Kernel) -> None:
    user = await service.create_user(kernel, phone="+86 138 0013 8000", password=PASSWORD)
    pair = await service.login(kernel, account="+8613800138000", password=PASSWORD)
    assert kernel.tokens.decode_access(pair.access_token).user_id == user.id


async def test_wrong_password_and_unknown_account_look_the_same(
    kernel: Kernel, gql: GraphQLClient, factory: Factory
) -> None:
    await factory.user(email="ann@example.test", password=PASSWORD)
    wrong = await gql(LOGIN, {"account": "ann@example.test", "password": "not the password"})
    unknown = await gql(LOGIN, {"account": "nobody@example.test", "password": PASSWORD})
    # NUL and a lone surrogate (JSON "\ud800"), which PostgreSQL cannot store, still count.
    body = json.dumps(
        {"query": LOGIN, "variables": {"account": "\x00\ud800" * 300, "password": PASSWORD}}
    )
    response = await gql.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    garbage = Result(status=response.status_code, body=response.json())
    for result in (wrong, unknown, garbage):
        assert result.code == ErrorCode.UNAUTHENTICATED
        assert result.data == {"login": None}
        assert result.errors[0]["message"] == service.BAD_CREDENTIALS
    # Every attempt is recorded, known account or not.
    rows = await LoginAttempt.select(LoginAttempt.account, LoginAttempt.succeeded).order_by(
        LoginAttempt.id
    )
    assert [r["account"] for r in rows[:2]] == ["ann@example.test", "nobody@example.test"]
    assert len(rows) == 3 and not any(r["succeeded"] for r in rows)


async def test_inactive_user_cannot_log_in(kernel: Kernel, factory: Factory) -> None:
    await factory.user(email="gone@example.test", password=PASSWORD, is_active=False)
    with pytest.raises(Unauthenticated, match=service.BAD_CREDENTIALS):
        await service.login(kernel, account="gone@example.test", password=PASSWORD)


async def test_user_without_password_cannot_log_in(kernel: Kernel) -> None:
    await User(email="sso@example.test", password_hash=None, created_at=kernel.clock()).save()
    with pytest.raises(Unauthenticated):
        await service.login(kernel, account="sso@example.test", password=PASSWORD)


async def test_login_upgrades_a_weaker_hash(kernel: Kernel, gql: GraphQLClient) -> None:
    weak = argon2.PasswordHasher(memory_cost=4096, time_cost=1, parallelism=1).hash(PASSWORD)
    assert "m=4096,t=1,p=1" in weak
    user = User(email="old@example.test", password_hash=weak, created_at=kernel.clock())
    await user.save()

    (await gql(LOGIN, {"account": "old@example.test", "password": PASSWORD})).ok()

    stored = (await User.select(User.password_hash).where(User.id == user.id).first())[
        "password_hash"
    ]
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    # The upgraded hash still verifies, and a second login leaves it alone.
    (await gql(LOGIN, {"account": "old@example.test", "password": PASSWORD})).ok()
    again = await User.select(User.password_hash).where(User.id == user.id).first()
    assert again["password_hash"] == stored

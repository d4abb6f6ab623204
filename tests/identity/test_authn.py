"""Authenticating requests: the negative token suite end to end, and the cost per request."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from kernel.db.scoped import scoped
from kernel.errors import ErrorCode, Unauthenticated
from kernel.gateway.ids import encode_id
from kernel.identity import service
from kernel.identity.authn import authenticate
from kernel.identity.tables import User
from kernel.runtime import Kernel
from kernel.tenancy.tables import Member, Membership
from tests.conftest import TEST_SECRET
from tests.factories import Factory
from tests.graphql_client import GraphQLClient

API_KEYS = "query ($member: ID!) { apiKeys(memberId: $member) { edges { node { id } } } }"
PASSWORD = "correct horse battery staple"


async def owner(kernel: Kernel, factory: Factory, member: Member) -> User:
    user = await factory.user(password=PASSWORD)
    await scoped(Membership, member.id).insert(
        Membership(member=member.id, user=user.id, role="owner", created_at=kernel.clock())
    )
    return user


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def forged_tokens(kernel: Kernel, good: str) -> Iterator[tuple[str, str]]:
    claims = jwt.decode(good, options={"verify_signature": False})
    yield "alg none", f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    yield "wrong secret", jwt.encode(claims, "another-secret-" + "x" * 40, algorithm="HS256")
    yield "HS512", jwt.encode(claims, TEST_SECRET * 2, algorithm="HS512")
    yield "garbage", "not-a-token"
    yield "tampered", good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    yield "other sub", jwt.encode({**claims, "sub": "999"}, TEST_SECRET, algorithm="HS256")
    yield "other session", jwt.encode({**claims, "sid": "x"}, TEST_SECRET, algorithm="HS256")
    past = kernel.clock() - dt.timedelta(minutes=16)
    sid = claims["sid"]
    yield (
        "expired",
        kernel.tokens.issue_access(user_id=int(claims["sub"]), session_id=sid, now=past),
    )


async def test_forged_and_expired_tokens_are_refused_over_http(
    kernel: Kernel, gql: GraphQLClient, factory: Factory
) -> None:
    member = await factory.member()
    user = await owner(kernel, factory, member)
    good = (await factory.sign_in(user)).token
    variables = {"member": encode_id("Member", member.id)}
    (await gql(API_KEYS, variables, token=good)).ok()
    for label, token in forged_tokens(kernel, good):
        result = await gql(API_KEYS, variables, token=token)
        assert result.code == ErrorCode.UNAUTHENTICATED, label
        assert result.data is None, label


@pytest.mark.parametrize(
    "header",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer   ",
        "ApiKey",
        "ApiKey ak_short_key",
        "ApiKey ak_abcdefgh_" + "A" * 43,  # well-formed, unknown prefix
        "Token abc",
    ],
)
async def test_malformed_headers_are_refused(
    kernel: Kernel, gql: GraphQLClient, factory: Factory, header: str
) -> None:
    member = await factory.member()
    result = await gql(
        API_KEYS, {"member": encode_id("Member", member.id)}, headers={"Authorization": header}
    )
    assert result.code == ErrorCode.UNAUTHENTICATED
    with pytest.raises(Unauthenticated):
        await authenticate(kernel, header)


async def test_a_bad_header_does_not_block_public_fields(
    kernel: Kernel, gql: GraphQLClient, factory: Factory
) -> None:
    user = await factory.user(password=PASSWORD)
    result = await gql(
        "mutation ($a: String!, $p: String!) { login(account: $a, password: $p) { tokenType } }",
        {"a": user.email, "p": PASSWORD},
        token="expired-or-garbage",
    )
    assert result.ok() == {"login": {"tokenType": "Bearer"}}


async def test_no_header_is_anonymous(kernel: Kernel, gql: GraphQLClient) -> None:
    assert await authenticate(kernel, None) is None
    assert await authenticate(kernel, "  ") is None
    result = await gql(API_KEYS, {"member": encode_id("Member", 1)})
    assert result.code == ErrorCode.UNAUTHENTICATED


async def test_scheme_is_case_insensitive(kernel: Kernel, factory: Factory) -> None:
    user = await factory.user()
    signed = await factory.sign_in(user)
    principal = await authenticate(kernel, f"bearer {signed.token}")
    assert principal is not None
    assert (principal.user_id, principal.session_id) == (user.id, signed.session_id)
    assert principal.is_platform_admin is False


async def test_platform_admin_comes_from_the_database(kernel: Kernel, factory: Factory) -> None:
    admin = await factory.user(platform_admin=True)
    principal = await authenticate(kernel, f"Bearer {(await factory.sign_in(admin)).token}")
    assert principal is not None and principal.is_platform_admin


async def test_a_user_of_member_a_is_not_found_on_member_b(
    kernel: Kernel, gql: GraphQLClient, factory: Factory
) -> None:
    alliance = await factory.alliance()
    a, b = await factory.member(alliance), await factory.member(alliance)
    user = await owner(kernel, factory, a)
    await owner(kernel, factory, b)
    pair = await service.login(kernel, account=str(user.email), password=PASSWORD)
    (await gql(API_KEYS, {"member": encode_id("Member", a.id)}, token=pair.access_token)).ok()
    result = await gql(API_KEYS, {"member": encode_id("Member", b.id)}, token=pair.access_token)
    assert result.code == ErrorCode.NOT_FOUND


async def test_a_deactivated_users_token_is_refused_at_once(
    kernel: Kernel, gql: GraphQLClient, factory: Factory
) -> None:
    member = await factory.member()
    user = await owner(kernel, factory, member)
    token = (await factory.sign_in(user)).token
    await User.update({User.is_active: False}).where(User.id == user.id)
    result = await gql(API_KEYS, {"member": encode_id("Member", member.id)}, token=token)
    assert result.code == ErrorCode.UNAUTHENTICATED


class QueryCounter:
    def __init__(self, kernel: Kernel, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        # On the class: piccolo's PostgresEngine has __slots__.
        engine_class = type(kernel.db.engine)
        original = engine_class.run_querystring

        async def counting(engine: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await original(engine, *args, **kwargs)

        monkeypatch.setattr(engine_class, "run_querystring", counting)


async def test_authentication_costs_one_query(
    kernel: Kernel, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = await factory.member()
    user = await owner(kernel, factory, member)
    token = (await factory.sign_in(user)).token
    _, plaintext = await service.create_api_key(
        kernel,
        member_id=member.id,
        name="k",
        actions=["kernel.members.read"],
        created_by=(await authenticate(kernel, f"Bearer {token}")),  # type: ignore[arg-type]
    )
    await authenticate(kernel, f"ApiKey {plaintext}")  # first use records last_used_at

    counter = QueryCounter(kernel, monkeypatch)
    assert await authenticate(kernel, f"Bearer {token}") is not None
    assert counter.count == 1
    principal = await authenticate(kernel, f"ApiKey {plaintext}")
    assert counter.count == 2
    assert principal is not None
    assert principal.api_key_member_id == member.id
    assert principal.api_key_actions == frozenset({"kernel.members.read"})

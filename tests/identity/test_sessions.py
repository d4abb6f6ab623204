"""Sessions: refresh-token rotation, reuse detection, expiry, logout."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from kernel.db.scoped import scoped
from kernel.errors import AllianceError, ErrorCode, Unauthenticated
from kernel.gateway.ids import encode_id
from kernel.identity import service
from kernel.identity.tables import AuthSession, RefreshToken
from kernel.identity.tokens import hash_opaque_token
from kernel.runtime import Kernel
from kernel.tenancy.tables import Member, Membership
from tests.factories import Factory
from tests.graphql_client import GraphQLClient

PASSWORD = "correct horse battery staple"

LOGIN = """
mutation ($account: String!, $password: String!) {
  login(account: $account, password: $password) { accessToken refreshToken expiresAt }
}
"""
REFRESH = """
mutation ($token: String!) {
  refreshToken(refreshToken: $token) { accessToken refreshToken expiresAt tokenType }
}
"""
LOGOUT = "mutation { logout }"
API_KEYS = "query ($member: ID!) { apiKeys(memberId: $member) { edges { node { id } } } }"


async def owner_of_a_member(kernel: Kernel, factory: Factory) -> tuple[str, Member]:
    """A user (e-mail returned) who owns a member, so that apiKeys is a field they may read."""
    user = await factory.user(password=PASSWORD)
    member = await factory.member()
    await scoped(Membership, member.id).insert(
        Membership(member=member.id, user=user.id, role="owner", created_at=kernel.clock())
    )
    return str(user.email), member


async def login(gql: GraphQLClient, account: str) -> dict[str, str]:
    payload: dict[str, str] = (await gql(LOGIN, {"account": account, "password": PASSWORD})).ok()[
        "login"
    ]
    return payload


async def test_refresh_rotates_the_token(
    kernel: Kernel, gql: GraphQLClient, factory: Factory
) -> None:
    account, member = await owner_of_a_member(kernel, factory)
    first = await login(gql, account)
    second = (await gql(REFRESH, {"token": first["refreshToken"]})).ok()["refreshToken"]
    assert second["refreshToken"] != first["refreshToken"]
    assert second["tokenType"] == "Bearer"
    # Same session, new access token that works.
    sid = kernel.tokens.decode_access(first["accessToken"]).session_id
    assert kernel.tokens.decode_access(second["accessToken"]).session_id == sid
    variables = {"member": encode_id("Member", member.id)}
    (await gql(API_KEYS, variables, token=second["accessToken"])).ok()
    # The successor rotates again; only digests are stored.
    third = (await gql(REFRESH, {"token": second["refreshToken"]})).ok()["refreshToken"]
    rows = await RefreshToken.select(RefreshToken.token_hash, RefreshToken.used_at).order_by(
        RefreshToken.id
    )
    assert [r["token_hash"] for r in rows] == [
        hash_opaque_token(p["refreshToken"]) for p in (first, second, third)
    ]
    assert [r["used_at"] is not None for r in rows] == [True, True, False]


async def test_reusing_a_refresh_token_revokes_the_whole_family(
    kernel: Kernel, gql: GraphQLClient, factory: Factory
) -> None:
    account, member = await owner_of_a_member(kernel, factory)
    first = await login(gql, account)
    second = (await gql(REFRESH, {"token": first["refreshToken"]})).ok()["refreshToken"]

    replay = await gql(REFRESH, {"token": first["refreshToken"]})
    assert replay.code == ErrorCode.UNAUTHENTICATED
    # The newest token of the family is dead too, and so is the session's access token.
    assert (await gql(REFRESH, {"token": second["refreshToken"]})).code == "UNAUTHENTICATED"
    variables = {"member": encode_id("Member", member.id)}
    denied = await gql(API_KEYS, variables, token=second["accessToken"])
    assert denied.code == ErrorCode.UNAUTHENTICATED
    session = await AuthSession.select(AuthSession.revoked_at, AuthSession.revoked_reason).first()
    assert session["revoked_reason"] == "refresh_token_reuse"
    assert session["revoked_at"] is not None
    # Another login is a new family and unaffected.
    fresh = await login(gql, account)
    (await gql(API_KEYS, variables, token=fresh["accessToken"])).ok()


async def test_concurrent_refreshes_of_one_token_do_not_both_succeed(
    kernel: Kernel, factory: Factory
) -> None:
    user = await factory.user(password=PASSWORD)
    pair = await service.login(kernel, account=str(user.email), password=PASSWORD)
    results = await asyncio.gather(
        *(service.refresh(kernel, refresh_token=pair.refresh_token) for _ in range(5)),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, service.TokenPair)]
    losers = [r for r in results if isinstance(r, AllianceError)]
    assert len(winners) == 1 and len(losers) == 4, results
    # The losers were reuse: the family, including the winner's token, is revoked.
    with pytest.raises(Unauthenticated):
        await service.refresh(kernel, refresh_token=winners[0].refresh_token)


async def test_expired_refresh_token_is_refused(kernel: Kernel, factory: Factory) -> None:
    user = await factory.user(password=PASSWORD)
    pair = await service.login(kernel, account=str(user.email), password=PASSWORD)
    moment = kernel.clock() + service.REFRESH_TOKEN_TTL
    kernel.clock = lambda: moment
    with pytest.raises(Unauthenticated):
        await service.refresh(kernel, refresh_token=pair.refresh_token)
    # Refusing an expired token is not reuse: the session stays as it was.
    assert (await AuthSession.select(AuthSession.revoked_at).first())["revoked_at"] is None


async def test_refresh_refuses_garbage_and_deactivated_users(
    kernel: Kernel, gql: GraphQLClient, factory: Factory
) -> None:
    for token in ("", "nope", "x" * 10_000, "é" * 43):
        assert (await gql(REFRESH, {"token": token})).code == ErrorCode.UNAUTHENTICATED
    user = await factory.user(password=PASSWORD)
    pair = await service.login(kernel, account=str(user.email), password=PASSWORD)
    await type(user).update({type(user).is_active: False}).where(type(user).id == user.id)
    with pytest.raises(Unauthenticated):
        await service.refresh(kernel, refresh_token=pair.refresh_token)


async def test_logout_ends_the_session(
    kernel: Kernel, gql: GraphQLClient, factory: Factory
) -> None:
    account, member = await owner_of_a_member(kernel, factory)
    pair = await login(gql, account)
    variables = {"member": encode_id("Member", member.id)}
    (await gql(API_KEYS, variables, token=pair["accessToken"])).ok()

    assert (await gql(LOGOUT, token=pair["accessToken"])).ok() == {"logout": True}

    after = await gql(API_KEYS, variables, token=pair["accessToken"])
    assert after.code == ErrorCode.UNAUTHENTICATED
    assert after.data is None
    assert (await gql(REFRESH, {"token": pair["refreshToken"]})).code == "UNAUTHENTICATED"
    session = await AuthSession.select(AuthSession.revoked_reason).first()
    assert session["revoked_reason"] == "logout"


async def test_logout_needs_a_signed_in_caller(gql: GraphQLClient) -> None:
    assert (await gql(LOGOUT)).code == ErrorCode.UNAUTHENTICATED


def test_refresh_tokens_live_thirty_days() -> None:
    assert dt.timedelta(days=30) == service.REFRESH_TOKEN_TTL

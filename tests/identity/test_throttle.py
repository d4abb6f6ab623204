"""Login throttling: 10 failures in 15 minutes lock an account, however attempts arrive."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from kernel.errors import AllianceError, ErrorCode, RateLimited, Unauthenticated
from kernel.gateway.limits import MAX_ALIASES
from kernel.identity import service
from kernel.identity.tables import LoginAttempt
from kernel.runtime import Kernel
from tests.factories import Factory
from tests.graphql_client import GraphQLClient

PASSWORD = "correct horse battery staple"
ACCOUNT = "ann@example.test"


async def fail(kernel: Kernel, times: int, account: str = ACCOUNT) -> None:
    for _ in range(times):
        with pytest.raises(Unauthenticated):
            await service.login(kernel, account=account, password="wrong password!")


def later(kernel: Kernel, delta: dt.timedelta) -> None:
    moment = kernel.clock() + delta
    kernel.clock = lambda: moment


async def test_ten_failures_lock_the_account_until_the_window_passes(
    kernel: Kernel, factory: Factory
) -> None:
    await factory.user(email=ACCOUNT, password=PASSWORD)
    await fail(kernel, service.MAX_FAILURES)
    # Locked: refused before the password is even checked, right or wrong.
    with pytest.raises(RateLimited):
        await service.login(kernel, account=ACCOUNT, password=PASSWORD)
    # Another spelling of the same account is the same account.
    with pytest.raises(RateLimited):
        await service.login(kernel, account="  Ann@EXAMPLE.test", password=PASSWORD)

    later(kernel, dt.timedelta(minutes=14))
    with pytest.raises(RateLimited):
        await service.login(kernel, account=ACCOUNT, password=PASSWORD)

    later(kernel, service.THROTTLE_WINDOW + dt.timedelta(seconds=1))
    pair = await service.login(kernel, account=ACCOUNT, password=PASSWORD)
    assert pair.access_token
    assert await LoginAttempt.count() == service.MAX_FAILURES + 4


async def test_other_accounts_are_not_locked(kernel: Kernel, factory: Factory) -> None:
    await factory.user(email=ACCOUNT, password=PASSWORD)
    await factory.user(email="bo@example.test", password=PASSWORD)
    await fail(kernel, service.MAX_FAILURES)
    assert await service.login(kernel, account="bo@example.test", password=PASSWORD)


async def test_a_success_resets_the_count(kernel: Kernel, factory: Factory) -> None:
    await factory.user(email=ACCOUNT, password=PASSWORD)
    await fail(kernel, service.MAX_FAILURES - 1)
    await service.login(kernel, account=ACCOUNT, password=PASSWORD)
    await fail(kernel, service.MAX_FAILURES - 1)
    assert await service.login(kernel, account=ACCOUNT, password=PASSWORD)


async def test_unknown_accounts_are_throttled_too(kernel: Kernel) -> None:
    # Otherwise "never rate limited" would tell which accounts exist.
    await fail(kernel, service.MAX_FAILURES, account="nobody@example.test")
    with pytest.raises(RateLimited):
        await service.login(kernel, account="nobody@example.test", password=PASSWORD)


async def test_concurrent_attempts_cannot_overrun_the_limit(
    kernel: Kernel, factory: Factory
) -> None:
    """20 attempts at once: exactly 10 get a password check, the rest are refused."""
    await factory.user(email=ACCOUNT, password=PASSWORD)
    results = await asyncio.gather(
        *(service.login(kernel, account=ACCOUNT, password="wrong password!") for _ in range(20)),
        return_exceptions=True,
    )
    assert all(isinstance(r, AllianceError) for r in results), results
    codes = sorted(str(r.code) for r in results if isinstance(r, AllianceError))
    assert codes.count(ErrorCode.UNAUTHENTICATED) == service.MAX_FAILURES
    assert codes.count(ErrorCode.RATE_LIMITED) == 20 - service.MAX_FAILURES
    assert await LoginAttempt.count() == 20


def login_document(first: int, count: int, password: str) -> str:
    fields = "\n".join(
        f'  a{i}: login(account: "{ACCOUNT}", password: "{password}") {{ accessToken }}'
        for i in range(first, first + count)
    )
    return f"mutation {{\n{fields}\n}}"


async def test_a_hundred_logins_in_documents_count_as_a_hundred_attempts(
    kernel: Kernel, gql: GraphQLClient, factory: Factory
) -> None:
    """The gateway allows 15 aliases per document, so 100 logins take 7 documents; every
    aliased login is its own attempt, and the right password does not help once locked."""
    await factory.user(email=ACCOUNT, password=PASSWORD)
    codes: list[str | None] = []
    sent = 0
    while sent < 100:
        count = min(MAX_ALIASES, 100 - sent)
        result = await gql(login_document(sent, count, "wrong password!"))
        assert result.status == 200
        assert len(result.errors) == count  # each alias ran and failed on its own
        codes.extend(result.codes)
        sent += count
    assert codes == [ErrorCode.UNAUTHENTICATED] * 10 + [ErrorCode.RATE_LIMITED] * 90
    assert await LoginAttempt.count() == 100

    right = await gql(login_document(0, 3, PASSWORD))
    assert right.codes == [ErrorCode.RATE_LIMITED] * 3
    assert await LoginAttempt.count() == 103


async def test_a_document_over_the_alias_limit_is_refused_before_any_attempt(
    kernel: Kernel, gql: GraphQLClient
) -> None:
    result = await gql(login_document(0, MAX_ALIASES + 1, "wrong password!"))
    assert result.code == ErrorCode.QUERY_REFUSED
    assert await LoginAttempt.count() == 0

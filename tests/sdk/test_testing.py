"""The pytest fixtures of ``alliance_sdk.testing``, run as a plugin author would (pytester)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

PLUGIN = """
from typing import Any, ClassVar

import strawberry
from strawberry.types import Info

from alliance_sdk import (
    Event, EventSubscription, PluginManifest, SchemaPart, hookimpl, member_arg, requires,
)

HANDLED: list[int] = []


class SdknotesPinged(Event):
    type: ClassVar[str] = "sdknotes.pinged"


@strawberry.type
class SdknotesQuery:
    @strawberry.field(extensions=[requires("kernel.members.read", member=member_arg())])
    async def sdknotes_hello(self, info: Info[Any, Any], member_id: strawberry.ID) -> str:
        return "hi"


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="sdknotes", name="SDK notes", version="0.1.0", publisher="Tests",
        requires_kernel=">=0.1",
    )


@hookimpl
def register_graphql() -> SchemaPart:
    return SchemaPart("sdknotes", query=SdknotesQuery)


async def _pinged(kernel: Any, event: Event) -> None:
    HANDLED.append(event.member_id)


@hookimpl
def register_event_handlers() -> list[EventSubscription]:
    return [EventSubscription(SdknotesPinged, _pinged)]


@hookimpl
async def on_plugin_enabled(kernel: Any, member_id: int, slug: str) -> None:
    from kernel.events.outbox import publish

    if slug == "sdknotes":
        async with kernel.db.write():
            await publish(kernel, SdknotesPinged(member_id=member_id))
"""

BAD_PLUGIN = """
from alliance_sdk import PluginManifest, hookimpl


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="sdkbad", name="Bad", version="0.1.0", publisher="Tests", requires_kernel=">=99",
    )
"""

TESTS = """
import sdknotes

HELLO = "query($m: ID!) { sdknotesHello(memberId: $m) }"


async def test_app_client_and_factories(
    alliance_kernel, alliance_factory, alliance_client
) -> None:
    assert "sdknotes" in alliance_kernel.plugins.plugins
    alliance = await alliance_factory.alliance()
    member = await alliance_factory.member(alliance)
    await alliance_factory.community(alliance)
    user = await alliance_factory.user()
    await alliance_factory.membership(member, user, "owner")
    await alliance_client.sign_in(user)
    gid = alliance_client.gid("Member", member)
    assert (await alliance_client(HELLO, {"m": gid})).code == "PLUGIN_DISABLED"
    await alliance_factory.enable_plugin(member, "sdknotes")
    assert (await alliance_client(HELLO, {"m": gid})).ok() == {"sdknotesHello": "hi"}
    alliance_client.sign_out()
    assert (await alliance_client(HELLO, {"m": gid})).errors


async def test_captured_events_and_delivery(alliance_factory, captured_events) -> None:
    member = await alliance_factory.member()
    assert await captured_events.all() == []
    await alliance_factory.enable_plugin(member, "sdknotes")
    pinged = await captured_events.of(sdknotes.SdknotesPinged)
    assert [e.member_id for e in pinged] == [member.id]
    assert "sdknotes.pinged" in await captured_events.types()
    assert sdknotes.HANDLED == []
    assert await captured_events.deliver() >= 1
    assert sdknotes.HANDLED == [member.id]


async def test_each_test_has_its_own_database(alliance_factory, captured_events) -> None:
    await alliance_factory.member()
    assert await captured_events.all() == []
"""

BAD_TESTS = """
import pytest


@pytest.mark.alliance_plugins("sdkbad")
async def test_refused(alliance_app) -> None:
    pass
"""

OVERRIDE_TESTS = """
import pytest


@pytest.fixture
def alliance_plugins():
    return []


async def test_overridden_to_nothing(alliance_kernel) -> None:
    assert alliance_kernel.plugins.plugins == {}
"""

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
alliance_plugins = sdknotes
# These tests are about the fixtures; the engines are chosen in test_engines_are_configured.
alliance_engines = sqlite
filterwarnings =
    error
    ignore::litestar.utils.deprecation.LitestarDeprecationWarning
    ignore::DeprecationWarning:piccolo.*
    ignore::DeprecationWarning:casbin.*
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    pytester.makepyfile(sdknotes=PLUGIN, sdkbad=BAD_PLUGIN)
    pytester.syspathinsert()
    return pytester


def test_fixtures_run_a_plugin_on_a_real_kernel(project: pytest.Pytester) -> None:
    project.makepyfile(test_notes=TESTS)
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=3)


def test_a_refused_plugin_fails_with_the_reason(project: pytest.Pytester) -> None:
    project.makepyfile(test_bad=BAD_TESTS, test_override=OVERRIDE_TESTS)
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*plugin refused by the kernel: sdkbad: requires kernel*"])


def test_engines_are_configured(project: pytest.Pytester) -> None:
    project.makepyfile(test_notes=TESTS)
    project.makeini(
        INI.replace("alliance_engines = sqlite", "alliance_engines =\n    sqlite\n    postgres")
    )
    both = project.runpytest_subprocess("-p", "no:cacheprovider", "--collect-only", "-q")
    both.stdout.fnmatch_lines(["*test_app_client_and_factories?sqlite?*"])
    both.stdout.fnmatch_lines(["*test_app_client_and_factories?postgres?*"])
    project.makeini(INI.replace("alliance_engines = sqlite", "alliance_engines = mysql"))
    bad = project.runpytest_subprocess("-p", "no:cacheprovider", "--collect-only", "-q")
    assert bad.ret != 0

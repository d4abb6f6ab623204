"""The serving configuration end to end: a plugin's declared event handler is a durable
consumer of the outbox, run by the background dispatcher, only for members that enabled it."""

from __future__ import annotations

import asyncio

import pytest
from litestar import Litestar

from kernel.events.outbox import publish
from kernel.gateway.app import create_app
from kernel.plugins.service import enable_plugin
from kernel.runtime import Kernel
from kernel.settings import Settings
from tests.factories import Factory
from tests.plugins.conftest import sample_host
from tests.plugins.sample_plugins import alpha
from tests.plugins.sample_plugins.alpha import AlphaNoted


@pytest.fixture
def app(settings: Settings) -> Litestar:
    serving = settings.model_copy(update={"background_tasks": True})
    return create_app(serving, plugins=sample_host(alpha))


async def test_plugin_handlers_run_after_commit_for_enabling_members_only(
    kernel: Kernel, factory: Factory
) -> None:
    assert kernel.dispatcher is not None, "a serving kernel runs the event dispatcher"
    assert "alpha:_noted" in kernel.events.consumers
    alliance = await factory.alliance()
    with_alpha, without = await factory.member(alliance), await factory.member(alliance)
    await enable_plugin(kernel, actor=None, member_id=with_alpha.id, slug="alpha")

    async with kernel.db.write():
        await publish(kernel, AlphaNoted(member_id=with_alpha.id, text="hi"))
        await publish(kernel, AlphaNoted(member_id=without.id, text="hi"))
        await asyncio.sleep(0.05)
        assert ("event", with_alpha.id) not in alpha.CALLS  # not before commit

    for _ in range(200):  # woken by the publish; bounded wait, not a timing assertion
        if ("event", with_alpha.id) in alpha.CALLS:
            break
        await asyncio.sleep(0.05)
    await kernel.dispatcher.drain()
    assert alpha.CALLS.count(("event", with_alpha.id)) == 1
    assert ("event", without.id) not in alpha.CALLS

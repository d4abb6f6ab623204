"""Enabling and disabling in another OS process is in force on this process's next request."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from kernel.settings import Settings
from tests.factories import Factory
from tests.graphql_client import GraphQLClient
from tests.plugins.test_enablement import NOTE, _scene

ROOT = Path(__file__).resolve().parents[2]

_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from kernel.plugins.service import disable_plugin, enable_plugin
    from kernel.runtime import Kernel
    from kernel.settings import Settings
    from tests.plugins.conftest import sample_host

    async def main(url, secret, var_dir, verb, member):
        settings = Settings(
            database_url=url, secret_key=secret, var_dir=var_dir, db_pool_size=1,
            background_tasks=False,
        )
        kernel = Kernel.from_settings(settings, plugins=sample_host())
        await kernel.start()
        try:
            change = enable_plugin if verb == "enable" else disable_plugin
            await change(kernel, actor=None, member_id=member, slug="alpha")
        finally:
            await kernel.stop()

    asyncio.run(main(*sys.argv[1:5], int(sys.argv[5])))
    """
)


async def _in_another_process(settings: Settings, verb: str, member: int) -> None:
    assert settings.secret_key is not None
    args = [
        settings.database_url,
        settings.secret_key.get_secret_value(),
        str(settings.var_dir),
        verb,
        str(member),
    ]
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", _CHILD, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


async def test_enabling_in_another_process_is_in_force_on_the_next_request(
    gql: GraphQLClient, factory: Factory, settings: Settings
) -> None:
    me = await _scene(factory)
    assert (await gql(NOTE, {"m": me.gid}, token=me.token)).code == "PLUGIN_DISABLED"
    await _in_another_process(settings, "enable", me.member)
    assert (await gql(NOTE, {"m": me.gid}, token=me.token)).ok()
    await _in_another_process(settings, "disable", me.member)
    assert (await gql(NOTE, {"m": me.gid}, token=me.token)).code == "PLUGIN_DISABLED"

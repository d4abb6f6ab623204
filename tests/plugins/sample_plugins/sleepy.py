"""A plugin whose notification takes longer than its budget."""

from __future__ import annotations

import asyncio

from alliance_sdk import PluginManifest, hookimpl

FINISHED: list[str] = []


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="sleepy", name="Sleepy", version="1.0", publisher="Tests", requires_kernel=">=0.1"
    )


@hookimpl(tryfirst=True)
async def on_plugin_enabled(slug: str) -> None:
    await asyncio.sleep(30)
    FINISHED.append(slug)

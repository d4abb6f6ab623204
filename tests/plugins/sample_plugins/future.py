"""A plugin for a kernel that does not exist yet."""

from __future__ import annotations

from alliance_sdk import PluginManifest, hookimpl


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="future", name="Future", version="1.0", publisher="Tests", requires_kernel=">=99"
    )

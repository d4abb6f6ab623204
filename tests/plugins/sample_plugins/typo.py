"""A plugin implementing a hook nobody specifies (a typo)."""

from __future__ import annotations

from alliance_sdk import PluginManifest, hookimpl


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="typo", name="Typo", version="1.0", publisher="Tests", requires_kernel=">=0.1"
    )


@hookimpl
def on_plugin_enabeld(slug: str) -> None:
    pass

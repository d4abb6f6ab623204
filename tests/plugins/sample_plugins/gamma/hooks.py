"""Gamma's hooks: only the manifest, naming its piccolo app."""

from __future__ import annotations

from alliance_sdk import PluginManifest, hookimpl


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="gamma",
        name="Gamma",
        version="0.3.0",
        publisher="Tests",
        requires_kernel=">=0.1",
        piccolo_app="tests.plugins.sample_plugins.gamma.piccolo_app",
    )

"""A plugin whose hooks raise: the host contains them."""

from __future__ import annotations

from typing import Any

from alliance_sdk import EventSubscription, PluginManifest, hookimpl


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="faulty", name="Faulty", version="1.0", publisher="Tests", requires_kernel=">=0.1"
    )


@hookimpl(tryfirst=True)
def on_plugin_enabled(slug: str) -> None:
    raise RuntimeError(f"faulty cannot stand {slug}")


def _explode(kernel: Any, event: Any) -> None:
    raise RuntimeError("faulty handler exploded")


@hookimpl
def register_event_handlers() -> list[EventSubscription]:
    return [EventSubscription("alpha.noted", _explode)]


@hookimpl(tryfirst=True)
def attribute_order() -> object:
    raise RuntimeError("faulty cannot decide")

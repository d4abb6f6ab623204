"""A plugin that depends on alpha, and declares a hook of its own for others."""

from __future__ import annotations

from typing import Any

from alliance_sdk import EventSubscription, PluginManifest, hookimpl, hookspec

CALLS: list[tuple[str, Any]] = []


class BetaSpecs:
    @hookspec
    def beta_price(self, amount: int) -> int | None:
        """Adjust a price (fen)."""


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="beta",
        name="Beta",
        version="0.3.0",
        publisher="Tests",
        requires_kernel=">=0.1",
        dependencies={"alpha": ">=1.0,<2"},
    )


@hookimpl
def register_hookspecs() -> list[object]:
    return [BetaSpecs]


def _noted(kernel: Any, event: Any) -> None:
    CALLS.append(("event", event.member_id))


@hookimpl
def register_event_handlers() -> list[EventSubscription]:
    return [EventSubscription("alpha.noted", _noted)]


@hookimpl
def on_plugin_enabled(slug: str) -> None:
    CALLS.append(("enabled", slug))

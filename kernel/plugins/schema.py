"""Composing the GraphQL schema: the kernel's parts first, then each plugin's
``register_graphql`` answer, gated; a plugin whose root field or type name is taken is
refused (the kernel's own parts must never collide: that raises)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry

from kernel.gateway.compose import SchemaComposition, SchemaPart
from kernel.plugins.gate import gate_part
from kernel.plugins.manager import PluginHost

__all__ = ["compose_graphql"]


def compose_graphql(host: PluginHost, base: Iterable[SchemaPart]) -> dict[str, Any]:
    """The schema roots (``query``, ``mutation``, ``subscription``, ``types``) of ``base``
    and every installed plugin's part. A refused plugin stays refused (and unregistered)."""
    composition = SchemaComposition()
    for part in base:
        composition.add(part)
    for name, part in host.declarations("register_graphql"):
        if not isinstance(part, SchemaPart):
            host.refuse(name, "register_graphql must return a SchemaPart")
            continue
        gated = gate_part(name, part)
        try:
            composition.add(gated)
            # Type-name collisions (and any other broken type) surface when strawberry builds.
            strawberry.Schema(**composition.roots())
        except Exception as exc:
            if gated in composition.parts:
                composition.parts.remove(gated)
            host.refuse(name, f"GraphQL contribution refused: {exc}")
    return composition.roots()

"""Composing one schema from parts, each contributing ``Query``/``Mutation``/``Subscription``.

``strawberry.tools.merge_types`` only warns on a duplicate field and lets the later type win;
here a collision is a refusal that names both contributors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import strawberry
from strawberry.types.base import has_object_definition

__all__ = ["SchemaComposition", "SchemaCompositionError", "SchemaPart"]

ROOTS = ("Query", "Mutation", "Subscription")


class SchemaCompositionError(RuntimeError):
    pass


@dataclass(frozen=True)
class SchemaPart:
    """One contributor's root types (any may be None) and extra types to register."""

    name: str
    query: type | None = None
    mutation: type | None = None
    subscription: type | None = None
    types: tuple[type, ...] = ()


@dataclass
class SchemaComposition:
    parts: list[SchemaPart] = field(default_factory=list)

    def add(self, part: SchemaPart) -> None:
        """Add ``part``; refuse it whole if any root field name is already taken."""
        for root in ROOTS:
            mine = _fields(getattr(part, root.lower()))
            for other in self.parts:
                taken = mine & _fields(getattr(other, root.lower()))
                if taken:
                    raise SchemaCompositionError(
                        f"{part.name}: {root} field(s) {', '.join(sorted(taken))} "
                        f"already defined by {other.name}"
                    )
        self.parts.append(part)

    def roots(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for root in ROOTS:
            types = tuple(t for p in self.parts if (t := getattr(p, root.lower())) is not None)
            merged[root.lower()] = strawberry.type(type(root, types, {})) if types else None
        merged["types"] = tuple(t for p in self.parts for t in p.types)
        return merged


def _fields(root: type | None) -> set[str]:
    if root is None or not has_object_definition(root):
        return set()
    return {f.name for f in root.__strawberry_definition__.fields}


def compose(parts: Iterable[SchemaPart]) -> dict[str, Any]:
    composition = SchemaComposition()
    for part in parts:
        composition.add(part)
    return composition.roots()

"""A plugin defining a type whose name is already alpha's."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import PluginManifest, SchemaPart, hookimpl


@strawberry.type(name="AlphaNote")
class Imposter:
    fake: bool


@strawberry.type
class TypeclashQuery:
    @strawberry.field
    async def typeclash_note(self, info: Info[Any, Any], member_id: strawberry.ID) -> Imposter:
        return Imposter(fake=True)


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="typeclash",
        name="Typeclash",
        version="1.0",
        publisher="Tests",
        requires_kernel=">=0.1",
    )


@hookimpl
def register_graphql() -> SchemaPart:
    return SchemaPart("typeclash", query=TypeclashQuery)

"""A plugin whose root field is already alpha's."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import PluginManifest, SchemaPart, hookimpl


@strawberry.type
class ClashQuery:
    @strawberry.field
    async def alpha_note(self, info: Info[Any, Any], member_id: strawberry.ID) -> str:
        return "mine"


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="clash", name="Clash", version="1.0", publisher="Tests", requires_kernel=">=0.1"
    )


@hookimpl
def register_graphql() -> SchemaPart:
    return SchemaPart("clash", query=ClashQuery)

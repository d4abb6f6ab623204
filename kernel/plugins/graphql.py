"""GraphQL fields of kernel.plugins: what is installed, and each member's stack.

- ``availablePlugins``: any signed-in caller (members choose from it).
- ``Member.plugins`` (in :mod:`kernel.tenancy.types`), ``enablePlugin``, ``configurePlugin``,
  ``disablePlugin``: ``kernel.plugins.manage`` in the member (its owner and admins).
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from kernel.gateway.compose import SchemaPart
from kernel.gateway.context import context_of
from kernel.gateway.ids import decode_id
from kernel.permissions.field import authenticated, member_arg, requires
from kernel.plugins import service
from kernel.plugins.types import MemberPluginType, PluginType

__all__ = ["PART", "PluginsMutation", "PluginsQuery", "member_plugins"]

_MANAGE = "kernel.plugins.manage"


async def member_plugins(kernel: Any, member_id: int) -> list[MemberPluginType]:
    """The member's stack as GraphQL objects (for ``Member.plugins``)."""
    rows = await service.member_plugins(member_id)
    return [MemberPluginType.from_row(row, kernel.plugins.manifest(row["slug"])) for row in rows]


def _node(info: Info[Any, Any], row: dict[str, Any]) -> MemberPluginType:
    return MemberPluginType.from_row(row, context_of(info).kernel.plugins.manifest(row["slug"]))


def _config(value: Any) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    from kernel.errors import BadUserInput

    raise BadUserInput("config must be an object", field_errors={"config": "an object"})


@strawberry.type
class PluginsQuery:
    @strawberry.field(
        description="The plugins installed on this kernel, with their manifests.",
        extensions=[authenticated()],
    )
    def available_plugins(self, info: Info[Any, Any]) -> list[PluginType]:
        host = context_of(info).kernel.plugins
        return [
            PluginType.from_manifest(host.plugins[slug].manifest) for slug in sorted(host.plugins)
        ]


@strawberry.type
class PluginsMutation:
    @strawberry.mutation(
        description="Enable a plugin for the member (its dependencies must be enabled first); "
        "config is validated against the plugin's model.",
        extensions=[requires(_MANAGE, member=member_arg())],
    )
    async def enable_plugin(
        self, info: Info[Any, Any], member_id: strawberry.ID, slug: str, config: JSON | None = None
    ) -> MemberPluginType:
        context = context_of(info)
        row = await service.enable_plugin(
            context.kernel,
            actor=context.require_principal(),
            member_id=decode_id("Member", member_id),
            slug=slug,
            config=_config(config),
        )
        return _node(info, row)

    @strawberry.mutation(
        description="Replace the configuration of a plugin the member has enabled.",
        extensions=[requires(_MANAGE, member=member_arg())],
    )
    async def configure_plugin(
        self, info: Info[Any, Any], member_id: strawberry.ID, slug: str, config: JSON
    ) -> MemberPluginType:
        context = context_of(info)
        row = await service.configure_plugin(
            context.kernel,
            actor=context.require_principal(),
            member_id=decode_id("Member", member_id),
            slug=slug,
            config=_config(config) or {},
        )
        return _node(info, row)

    @strawberry.mutation(
        description="Disable a plugin for the member; its configuration and data are kept.",
        extensions=[requires(_MANAGE, member=member_arg())],
    )
    async def disable_plugin(
        self, info: Info[Any, Any], member_id: strawberry.ID, slug: str
    ) -> MemberPluginType:
        context = context_of(info)
        row = await service.disable_plugin(
            context.kernel,
            actor=context.require_principal(),
            member_id=decode_id("Member", member_id),
            slug=slug,
        )
        return _node(info, row)


PART = SchemaPart("kernel.plugins", query=PluginsQuery, mutation=PluginsMutation)

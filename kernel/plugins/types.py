"""GraphQL types of kernel.plugins: installed plugins (their manifests) and a member's stack."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from kernel.plugins.manifest import PluginManifest

__all__ = ["MemberPluginType", "PluginAction", "PluginDependency", "PluginType"]


@strawberry.type
class PluginDependency:
    slug: str
    versions: str = strawberry.field(description="A version specifier, e.g. '>=1.0,<2'.")


@strawberry.type
class PluginAction:
    name: str
    description: str
    default_roles: list[str]


@strawberry.type(name="Plugin", description="A plugin installed on this kernel.")
class PluginType:
    slug: str
    name: str
    version: str
    publisher: str
    description: str
    requires_kernel: str
    dependencies: list[PluginDependency]
    actions: list[PluginAction]
    consent_scopes: list[str]
    config_schema: dict[str, Any] | None = strawberry.field(
        graphql_type=JSON | None,
        description="The JSON Schema a member's configuration must satisfy (null: none).",
    )

    @classmethod
    def from_manifest(cls, manifest: PluginManifest) -> PluginType:
        return cls(
            slug=manifest.slug,
            name=manifest.name,
            version=manifest.version,
            publisher=manifest.publisher,
            description=manifest.description,
            requires_kernel=manifest.requires_kernel,
            dependencies=[
                PluginDependency(slug=s, versions=v)
                for s, v in sorted(manifest.dependencies.items())
            ],
            actions=[
                PluginAction(name=n, description=a.description, default_roles=sorted(a.roles))
                for n, a in sorted(manifest.actions.items())
            ],
            consent_scopes=sorted(manifest.consent_scopes),
            config_schema=manifest.config.model_json_schema() if manifest.config else None,
        )


@strawberry.type(name="MemberPlugin", description="A plugin in a member's stack.")
class MemberPluginType:
    slug: str
    version: str = strawberry.field(description="The version last enabled or configured.")
    enabled: bool
    config: dict[str, Any] = strawberry.field(graphql_type=JSON)
    plugin: PluginType | None = strawberry.field(
        description="The installed plugin (null when it is no longer installed)."
    )

    @classmethod
    def from_row(cls, row: dict[str, Any], manifest: PluginManifest | None) -> MemberPluginType:
        return cls(
            slug=row["slug"],
            version=row["version"],
            enabled=bool(row["enabled"]),
            config=row["config"] if isinstance(row["config"], dict) else {},
            plugin=PluginType.from_manifest(manifest) if manifest is not None else None,
        )

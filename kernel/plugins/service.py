"""Enabling, configuring and disabling plugins for a member: the logic, free of GraphQL.

Who may do this is declared on the GraphQL fields (``kernel.plugins.manage``); these
functions check what the plugin requires. Each change records the member in the kernel state
version in its transaction (every process's plugin gate drops what it cached for the member)
and commits first, then the ``on_plugin_*`` notifications run (failures there are contained,
never undo the change).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from kernel.audit.log import append as audit
from kernel.db.errors import is_unique_violation
from kernel.db.scoped import scoped
from kernel.errors import BadUserInput, Conflict, NotFound
from kernel.identity.principal import Principal
from kernel.permissions.actions import member_domain
from kernel.plugins.calls import call_hook, call_implementations
from kernel.plugins.gate import enabled_plugins
from kernel.plugins.manifest import PluginManifest
from kernel.plugins.tables import MemberPlugin
from kernel.state import changed

__all__ = ["configure_plugin", "disable_plugin", "enable_plugin", "member_plugins"]

_COLUMNS = (
    MemberPlugin.id,
    MemberPlugin.slug,
    MemberPlugin.enabled,
    MemberPlugin.config,
    MemberPlugin.version,
)


def _installed(kernel: Any, slug: str) -> PluginManifest:
    manifest: PluginManifest | None = kernel.plugins.manifest(slug)
    if manifest is None:
        raise BadUserInput(f"no plugin {slug!r} is installed", field_errors={"slug": "unknown"})
    return manifest


def _validated(manifest: PluginManifest, config: dict[str, Any] | None) -> dict[str, Any]:
    try:
        return manifest.validate_config(config)
    except ValidationError as exc:
        errors = {
            ".".join(["config", *(str(p) for p in e["loc"])]): str(e["msg"]) for e in exc.errors()
        }
        raise BadUserInput(
            f"invalid configuration for {manifest.slug}", field_errors=errors
        ) from None
    except ValueError as exc:
        raise BadUserInput(str(exc), field_errors={"config": str(exc)}) from None


async def member_plugins(member_id: int) -> list[dict[str, Any]]:
    """The member's plugin rows (enabled or not), in slug order."""
    rows: list[dict[str, Any]] = (
        await scoped(MemberPlugin, member_id)
        .select(*_COLUMNS)
        .order_by(MemberPlugin.slug)
        .output(load_json=True)
    )
    return rows


async def _row(member_id: int, slug: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await scoped(MemberPlugin, member_id)
        .select(*_COLUMNS)
        .where(MemberPlugin.slug == slug)
        .output(load_json=True)
        .first()
    )
    return row


async def enable_plugin(
    kernel: Any,
    *,
    actor: Principal | None,
    member_id: int,
    slug: str,
    config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Enable ``slug`` for the member with ``config`` (validated against the plugin's model;
    with None, a configuration kept from before, else the model's defaults). Refused
    (BAD_USER_INPUT) while a plugin it depends on is not enabled for the member."""
    manifest = _installed(kernel, slug)
    now = kernel.clock()
    async with kernel.db.write():
        missing = sorted(set(manifest.dependencies) - await enabled_plugins(kernel, member_id))
        if missing:
            raise BadUserInput(
                f"{slug} needs {', '.join(missing)} enabled first",
                field_errors={"slug": f"enable first: {', '.join(missing)}"},
            )
        existing = await _row(member_id, slug)
        if config is None and existing is not None:
            config = existing["config"]
        validated = _validated(manifest, config)
        if existing is None:
            row = MemberPlugin(
                member=member_id,
                slug=slug,
                enabled=True,
                config=validated,
                version=manifest.version,
                created_at=now,
                updated_at=now,
            )
            try:
                await scoped(MemberPlugin, member_id).insert(row)
            except Exception as exc:
                if is_unique_violation(exc):
                    raise Conflict(f"{slug} was enabled at the same time elsewhere") from None
                raise
        else:
            await _update(
                kernel, member_id, slug, enabled=True, config=validated, version=manifest.version
            )
        await _audit(kernel, actor, "enable", member_id, slug, manifest.version)
        await changed(member_domain(member_id))
    await call_hook(kernel, "on_plugin_enabled", member_id=member_id, slug=slug, config=validated)
    return await _current(member_id, slug)


async def configure_plugin(
    kernel: Any, *, actor: Principal | None, member_id: int, slug: str, config: dict[str, Any]
) -> dict[str, Any]:
    """Replace the configuration of ``slug``, enabled for the member (BAD_USER_INPUT with
    the model's field errors when it does not validate)."""
    manifest = _installed(kernel, slug)
    validated = _validated(manifest, config)
    async with kernel.db.write():
        existing = await _row(member_id, slug)
        if existing is None or not existing["enabled"]:
            raise Conflict(f"{slug} is not enabled for this member: enable it first")
        await _update(kernel, member_id, slug, config=validated, version=manifest.version)
        await _audit(kernel, actor, "configure", member_id, slug, manifest.version)
        await changed(member_domain(member_id))
    await call_hook(
        kernel, "on_plugin_configured", member_id=member_id, slug=slug, config=validated
    )
    return await _current(member_id, slug)


async def disable_plugin(
    kernel: Any, *, actor: Principal | None, member_id: int, slug: str
) -> dict[str, Any]:
    """Disable ``slug`` for the member. Its configuration and data are kept. Refused
    (CONFLICT) while another enabled plugin depends on it; disabling twice is a no-op."""
    host = kernel.plugins
    async with kernel.db.write():
        existing = await _row(member_id, slug)
        if existing is None:
            raise NotFound(f"{slug} was never enabled for this member")
        enabled = await enabled_plugins(kernel, member_id)
        dependants = sorted(
            other
            for other in enabled
            if slug in (m.dependencies if (m := host.manifest(other)) else {})
        )
        if dependants:
            raise Conflict(f"{', '.join(dependants)} depend(s) on {slug}: disable them first")
        if existing["enabled"]:
            await _update(kernel, member_id, slug, enabled=False)
            await _audit(kernel, actor, "disable", member_id, slug, existing["version"])
            await changed(member_domain(member_id))
    if existing["enabled"]:
        # The plugin hears of its own disabling, with the member's remaining stack.
        impls = host.implementations("on_plugin_disabled", enabled | {slug})
        await call_implementations(
            "on_plugin_disabled",
            impls,
            {"kernel": kernel, "member_id": member_id, "slug": slug},
            budget=host.budget,
        )
    return await _current(member_id, slug)


async def _update(kernel: Any, member_id: int, slug: str, **values: Any) -> None:
    changes = {getattr(MemberPlugin, name): value for name, value in values.items()}
    changes[MemberPlugin.updated_at] = kernel.clock()
    await scoped(MemberPlugin, member_id).update(changes).where(MemberPlugin.slug == slug)


async def _current(member_id: int, slug: str) -> dict[str, Any]:
    row = await _row(member_id, slug)
    assert row is not None
    return row


async def _audit(
    kernel: Any, actor: Principal | None, verb: str, member_id: int, slug: str, version: str
) -> None:
    await audit(
        kernel,
        actor=actor,
        action=f"kernel.plugins.{verb}",
        member_id=member_id,
        subject=f"plugin:{slug}",
        details={"version": version},
    )

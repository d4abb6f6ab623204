"""Building the process's :class:`~kernel.plugins.manager.PluginHost`: the kernel's essential
parts, the built-in plugins, the entry points; then everything they declare is checked and
composed, so every refusal happens before the kernel serves (or migrates)."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Sequence
from typing import Final

from piccolo.conf.apps import AppConfig, AppRegistry

from kernel.permissions.registry import ActionRegistry, ActionSpec
from kernel.plugins.discovery import (
    Candidate,
    builtin_candidates,
    entry_point_candidates,
    package_name,
)
from kernel.plugins.manager import PluginHost, Tier
from kernel.plugins.schema import compose_graphql

__all__ = ["ESSENTIAL", "install_piccolo_apps", "load_plugins", "prepare"]

logger = logging.getLogger("kernel.plugins")

# The kernel's own modules implementing hooks (named here: they are the kernel).
ESSENTIAL: Final = ("kernel.plugins.fallbacks",)


def load_plugins(
    *,
    blocked: Iterable[str] = (),
    builtin: bool = True,
    entry_points: bool = True,
    extra: Sequence[object] = (),
    kernel_version: str | None = None,
    actions: ActionRegistry | None = None,
) -> PluginHost:
    """A finished host: essential parts, built-in plugins, entry points, then ``extra``
    plugin modules (tests, embedding applications), in that order. Plugins' actions join
    ``actions`` (the process's catalogue by default)."""
    host = PluginHost(blocked=blocked, kernel_version=kernel_version, actions=actions)
    for module_name in ESSENTIAL:
        host.add_essential(importlib.import_module(module_name))
    candidates: list[tuple[Candidate, Tier]] = []
    if builtin:
        candidates += [(c, Tier.DEFAULT) for c in builtin_candidates()]
    if entry_points:
        candidates += [(c, Tier.THIRD_PARTY) for c in entry_point_candidates()]
    for candidate, tier in candidates:
        _add(host, candidate, tier)
    for module in extra:
        host.add(module, tier=Tier.THIRD_PARTY, origin="registered by the application")
    return prepare(host)


def _add(host: PluginHost, candidate: Candidate, tier: Tier) -> None:
    if candidate.name in host.blocked:
        logger.info("plugin %s: blocked by ALLIANCE_PLUGINS_BLOCKED", candidate.name)
        return
    try:
        module = candidate.load()
    except Exception as exc:
        host.refuse(candidate.name, f"{candidate.origin} failed to import: {exc!r}")
        return
    found = package_name(str(getattr(module, "__name__", "")))
    if found != candidate.name:
        host.refuse(candidate.name, f"{candidate.origin}: the name must be the package ({found})")
        return
    host.add(module, tier=tier, origin=candidate.origin, name=candidate.name)


def prepare(host: PluginHost) -> PluginHost:
    """Finish ``host`` (dependencies, hookspecs, ``check_pending``), refuse plugins whose
    piccolo app or actions do not fit, compose the GraphQL schema (refusing colliding
    plugins), then register the survivors' actions and default roles in ``host.actions``."""
    host.finish()
    registry = host.actions
    roles = registry.default_roles().keys()
    for slug, plugin in sorted(host.plugins.items()):
        unknown = sorted({r for a in plugin.manifest.actions.values() for r in a.roles} - roles)
        problem = _piccolo_app_problem(slug, plugin.manifest.piccolo_app)
        if unknown:
            problem = f"actions name unknown default roles {unknown}"
        if problem is not None:
            host.refuse(slug, problem)
    from kernel.gateway.parts import kernel_parts

    compose_graphql(host, kernel_parts())
    for slug, plugin in sorted(host.plugins.items()):
        specs = {
            name: ActionSpec.of(action.description, action.roles)
            for name, action in plugin.manifest.actions.items()
        }
        try:
            registry.register(slug, specs)
        except ValueError as exc:
            host.refuse(slug, f"actions refused: {exc}")
    return host


def _piccolo_app(path: str) -> AppConfig:
    app: AppConfig = importlib.import_module(path).APP_CONFIG
    return app


def _piccolo_app_problem(slug: str, path: str | None) -> str | None:
    if path is None:
        return None
    try:
        app = _piccolo_app(path)
    except (ImportError, AttributeError) as exc:
        return f"piccolo app {path}: {exc!r}"
    outside = [
        t._meta.tablename for t in app.table_classes if not t._meta.tablename.startswith(f"{slug}_")
    ]
    if app.app_name != slug or outside:
        return f"piccolo app {path} must be named {slug!r} and its tables {slug}_* (not {outside})"
    return None


def install_piccolo_apps(host: PluginHost, registry: AppRegistry) -> list[str]:
    """Add each plugin's piccolo app (checked by :func:`prepare`) to ``registry``, before
    migrations run; returns the app names added (none twice)."""
    added: list[str] = []
    for slug, plugin in sorted(host.plugins.items()):
        path = plugin.manifest.piccolo_app
        if path is not None and slug not in registry.app_configs:
            registry.apps.append(path)
            registry.app_configs[slug] = _piccolo_app(path)
            added.append(slug)
    return added

"""The plugin host: one pluggy ``PluginManager`` per process, in three tiers.

- essential: kernel modules implementing hooks (the fallback decisions). Never blocked,
  never gated, no manifest.
- default: the built-in plugins under ``plugins/``; third-party: entry points. Both carry a
  manifest, may be blocked (``ALLIANCE_PLUGINS_BLOCKED``), and run for a member only when that
  member has enabled them.

A plugin that is broken or does not fit (bad manifest, wrong kernel, missing dependency, an
implementation of an unknown hook, a wrapper) is refused with one log line naming it and
the reason; the kernel starts without it. :meth:`PluginHost.finish` ends registration.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import pluggy
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from pydantic import ValidationError

import kernel
from kernel.permissions.registry import REGISTRY, ActionRegistry
from kernel.plugins import hookspecs
from kernel.plugins.declarations import EventSubscription
from kernel.plugins.discovery import package_name
from kernel.plugins.manifest import PluginManifest, kernel_version_problem
from kernel.plugins.markers import PROJECT

__all__ = ["DEFAULT_BUDGET", "InstalledPlugin", "PluginHost", "Tier"]

logger = logging.getLogger("kernel.plugins")

_CACHE_LIMIT = 4096
DEFAULT_BUDGET = 2.0


class Tier(enum.Enum):
    ESSENTIAL = "essential"
    DEFAULT = "default"
    THIRD_PARTY = "third-party"


@dataclass(frozen=True, slots=True)
class InstalledPlugin:
    """A plugin registered and validated in this process."""

    slug: str
    tier: Tier
    origin: str
    module: object
    manifest: PluginManifest


class PluginHost:
    """Registers plugins, refuses the unfit ones, and answers which implementations of a hook
    run for a member's enabled set (cached per set: a set's answer never changes)."""

    def __init__(
        self,
        *,
        blocked: Iterable[str] = (),
        kernel_version: str | None = None,
        budget: float = DEFAULT_BUDGET,
        actions: ActionRegistry | None = None,
    ) -> None:
        # The action catalogue the plugins' actions join (the kernel's authorizer reads it).
        self.actions = actions or REGISTRY
        # Seconds one implementation or event handler may take before it is abandoned.
        self.budget = budget
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.kernel_version = kernel_version or kernel.__version__
        self.blocked = frozenset(blocked)
        self.plugins: dict[str, InstalledPlugin] = {}
        self.refused: dict[str, str] = {}
        self.finished = False
        self._essential: list[str] = []
        self._impls: dict[tuple[str, frozenset[str]], tuple[pluggy.HookImpl, ...]] = {}
        self._events: dict[str, list[tuple[str, Any]]] | None = None

    # --- registration ----------------------------------------------------------------------

    def add_essential(self, module: object, name: str | None = None) -> None:
        """Register a kernel module's hook implementations (cannot be blocked)."""
        name = name or str(getattr(module, "__name__", repr(module)))
        self.pm.register(module, name=name)
        self._essential.append(name)

    def add(
        self, module: object, *, tier: Tier = Tier.THIRD_PARTY, origin: str = "", name: str = ""
    ) -> InstalledPlugin | None:
        """Register a plugin; None (and one log line) if it is blocked or refused.

        ``name`` is the slug it is expected to have (the package name by default)."""
        expected = name or package_name(str(getattr(module, "__name__", "")))
        if expected in self.blocked:
            logger.info("plugin %s: blocked by ALLIANCE_PLUGINS_BLOCKED", expected)
            return None
        if self.finished:
            raise RuntimeError("plugins are registered before the host is finished")
        try:
            self.pm.register(module, name=expected)
        except (ValueError, pluggy.PluginValidationError) as exc:
            self.refuse(expected, str(exc))
            return None
        problem, manifest = self._manifest_of(expected)
        if problem is None and any(i.wrapper or i.hookwrapper for i in self._impls_of(expected)):
            problem = "hook wrappers are not supported on kernel hooks"
        if problem is not None or manifest is None:
            self.refuse(expected, problem or "no manifest")
            return None
        plugin = InstalledPlugin(expected, tier, origin or expected, module, manifest)
        self.plugins[expected] = plugin
        return plugin

    def refuse(self, slug: str, reason: str) -> None:
        """Take ``slug`` out (if registered) and log why, once."""
        self.refused[slug] = reason
        self.plugins.pop(slug, None)
        if self.pm.get_plugin(slug) is not None:
            self.pm.unregister(name=slug)
        self._impls.clear()
        logger.error("plugin %s refused: %s", slug, reason)

    def _impls_of(self, slug: str) -> list[pluggy.HookImpl]:
        plugin = self.pm.get_plugin(slug)
        return [
            impl
            for caller in self.pm.get_hookcallers(plugin) or []
            for impl in caller.get_hookimpls()
            if impl.plugin_name == slug
        ]

    def _manifest_of(self, slug: str) -> tuple[str | None, PluginManifest | None]:
        impls = [i for i in self._impls_of(slug) if i.function.__name__ == "register_manifest"]
        if not impls:
            return "it does not implement register_manifest", None
        try:
            manifest = impls[0].function()
        except ValidationError as exc:
            errors = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'manifest'}: {e['msg']}"
                for e in exc.errors()
            )
            return f"invalid manifest: {errors}", None
        except Exception as exc:
            return f"register_manifest raised {type(exc).__name__}: {exc}", None
        if not isinstance(manifest, PluginManifest):
            return "register_manifest did not return a PluginManifest", None
        if manifest.slug != slug:
            return f"manifest slug {manifest.slug!r} is not the package name {slug!r}", None
        return kernel_version_problem(manifest, self.kernel_version), manifest

    # --- finishing -------------------------------------------------------------------------

    def finish(self) -> None:
        """End registration: refuse plugins whose dependencies are missing or of the wrong
        version, add plugins' own hookspecs, refuse implementations of unknown hooks, then
        ``check_pending()``. Idempotent."""
        if self.finished:
            return
        self._check_dependencies()
        for slug in list(self.plugins):
            for impl in self._impls_of(slug):
                if impl.function.__name__ != "register_hookspecs":
                    continue
                try:
                    for spec in cast("Iterable[Any]", impl.function() or ()):
                        self.pm.add_hookspecs(spec)
                except pluggy.PluginValidationError as exc:
                    self.refuse(str(self.pm.get_name(exc.plugin) or slug), str(exc))
                except Exception as exc:
                    self.refuse(slug, f"register_hookspecs raised {type(exc).__name__}: {exc}")
        self.check_pending()
        self.finished = True

    def _check_dependencies(self) -> None:
        changed = True
        while changed:  # a refusal can break the plugins depending on the refused one
            changed = False
            for plugin in list(self.plugins.values()):
                for slug, spec in sorted(plugin.manifest.dependencies.items()):
                    other = self.plugins.get(slug)
                    if other is None:
                        self.refuse(plugin.slug, f"depends on plugin {slug}, not installed")
                    elif Version(other.manifest.version) not in SpecifierSet(spec):
                        self.refuse(
                            plugin.slug,
                            f"depends on {slug} {spec}, installed is {other.manifest.version}",
                        )
                    else:
                        continue
                    changed = True
                    break

    def check_pending(self) -> None:
        """Refuse every plugin implementing a hook nobody specifies (a typo, or another
        plugin's hook that is not installed), then let pluggy verify the rest."""
        for name, caller in list(vars(self.pm.hook).items()):
            if name.startswith("_") or caller.has_spec():
                continue
            for impl in caller.get_hookimpls():
                if not impl.optionalhook:
                    self.refuse(impl.plugin_name, f"implements unknown hook {name!r}")
        self.pm.check_pending()

    # --- questions -------------------------------------------------------------------------

    @property
    def installed(self) -> frozenset[str]:
        """Slugs of the plugins that may be enabled for members."""
        return frozenset(self.plugins)

    def manifest(self, slug: str) -> PluginManifest | None:
        plugin = self.plugins.get(slug)
        return plugin.manifest if plugin is not None else None

    def implementations(self, hook: str, enabled: frozenset[str]) -> tuple[pluggy.HookImpl, ...]:
        """The implementations of ``hook`` that run for a member with ``enabled`` plugins:
        the essential ones and those of enabled plugins (``pm.subset_hook_caller``)."""
        key = (hook, enabled)
        found = self._impls.get(key)
        if found is None:
            others = [p.module for s, p in self.plugins.items() if s not in enabled]
            found = tuple(self.pm.subset_hook_caller(hook, remove_plugins=others).get_hookimpls())
            if len(self._impls) >= _CACHE_LIMIT:
                self._impls.clear()
            self._impls[key] = found
        return found

    def declarations(self, hook: str) -> list[tuple[str, Any]]:
        """``(plugin name, answer)`` of every registered plugin's ``register_*`` hook, in
        registration order (essential parts first). A plugin whose hook raises is refused."""
        answers: list[tuple[str, Any]] = []
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            try:
                answer = impl.function()
            except Exception as exc:
                if impl.plugin_name in self._essential:
                    raise
                self.refuse(impl.plugin_name, f"{hook} raised {type(exc).__name__}: {exc}")
                continue
            if answer is not None:
                answers.append((impl.plugin_name, answer))
        return answers

    def is_gated(self, name: str) -> bool:
        """Whether ``name`` runs only for members that enabled it (not an essential part)."""
        return name not in self._essential

    def subscriptions(self, event_type: str, enabled: frozenset[str]) -> list[tuple[str, Any]]:
        """``(plugin name, handler)`` pairs subscribed to ``event_type`` for a member's stack
        (declarations are read once, at the first delivery)."""
        if self._events is None:
            self._events = {}
            for name, entries in self.declarations("register_event_handlers"):
                for entry in entries:
                    assert isinstance(entry, EventSubscription), entry
                    self._events.setdefault(entry.type_name, []).append((name, entry.handler))
        return [
            (name, handler)
            for name, handler in self._events.get(event_type, ())
            if name in enabled or not self.is_gated(name)
        ]

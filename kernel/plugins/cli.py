"""``alliance plugins ...``: what is installed, and ``check PATH`` for plugin authors (the
same diagnostics the kernel logs at start). Registered through ``kernel.cli.COMMAND_MODULES``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from kernel.plugins.discovery import builtin_candidates, entry_point_candidates, import_hooks
from kernel.plugins.loading import load_plugins
from kernel.plugins.manager import PluginHost

__all__ = ["check_plugin", "cmd_check", "cmd_list", "register"]


def _quietly(**options: Any) -> PluginHost:
    # Other plugins' refusals are not this command's news; the target's is printed below.
    log = logging.getLogger("kernel.plugins")
    level, log.level = log.level, logging.CRITICAL
    try:
        return load_plugins(**options)
    finally:
        log.level = level


def check_plugin(path: Path) -> tuple[bool, list[str]]:
    """Load the plugin package at ``path`` next to every installed plugin, as the kernel
    would at start; returns whether it is accepted, and the lines to print."""
    path = path.resolve()
    name = path.name
    if not (path / "__init__.py").is_file():
        return False, [f"plugin {name} refused: {path} is not a Python package"]
    discovered = {c.name for c in builtin_candidates()} | {c.name for c in entry_point_candidates()}
    sys.path.insert(0, str(path.parent))
    try:
        try:
            module = import_hooks(name)
        except Exception as exc:
            return False, [f"plugin {name} refused: failed to import: {exc!r}"]
        host = _quietly(extra=[] if name in discovered else [module])
    finally:
        sys.path.remove(str(path.parent))
    if name in host.refused or name not in host.plugins:
        return False, [f"plugin {name} refused: {host.refused.get(name, 'not loaded')}"]
    manifest = host.plugins[name].manifest
    hooks = sorted(
        caller.name for caller in host.pm.get_hookcallers(host.pm.get_plugin(name)) or []
    )
    lines = [
        f"plugin {name} {manifest.version} by {manifest.publisher}: ok "
        f"(requires kernel {manifest.requires_kernel}; this is {host.kernel_version})",
        f"  hooks: {', '.join(hooks)}",
    ]
    if manifest.dependencies:
        deps = ", ".join(f"{s} {v}" for s, v in sorted(manifest.dependencies.items()))
        lines.append(f"  depends on: {deps}")
    if manifest.actions:
        lines.append(f"  actions: {', '.join(sorted(manifest.actions))}")
    return True, lines


def cmd_check(args: argparse.Namespace) -> int:
    """Check a plugin package: manifest, kernel version, dependencies, hooks, GraphQL."""
    ok, lines = check_plugin(Path(args.path))
    print("\n".join(lines), file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def cmd_list(args: argparse.Namespace) -> int:
    """List the installed plugins, and the refused ones with the reason."""
    from kernel.settings import Settings

    host = _quietly(blocked=Settings().plugins_blocked)
    for slug, plugin in sorted(host.plugins.items()):
        print(f"{slug} {plugin.manifest.version}  {plugin.tier.value}  {plugin.origin}")
    for slug, reason in sorted(host.refused.items()):
        print(f"{slug} REFUSED: {reason}")
    return 0


def register(commands: Any) -> None:
    """Add ``plugins list`` and ``plugins check PATH`` to the ``alliance`` command."""
    plugins = commands.add_parser("plugins", help="installed plugins").add_subparsers(
        title="commands", metavar="COMMAND", required=True
    )
    listing = plugins.add_parser(
        "list", help="list installed plugins", description=cmd_list.__doc__
    )
    listing.set_defaults(command=cmd_list)
    check = plugins.add_parser(
        "check", help="check a plugin package", description=cmd_check.__doc__
    )
    check.add_argument("path", metavar="PATH", help="the plugin's package directory")
    check.set_defaults(command=cmd_check)

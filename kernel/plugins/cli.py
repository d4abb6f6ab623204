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

__all__ = ["check_plugin", "cmd_check", "cmd_list", "cmd_new", "cmd_uninstall", "register"]


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


def cmd_uninstall(args: argparse.Namespace) -> int:
    """Export one member's data of a plugin to a JSON file, then delete it and the plugin
    from the member's stack (disabling keeps the data; this does not)."""
    import asyncio

    from kernel.cli_common import CLIError, ensure_migrated, load_settings, running_kernel
    from kernel.plugins.uninstall import default_export_path, uninstall

    settings = load_settings()

    async def go() -> int:
        async with running_kernel(settings) as started:
            await ensure_migrated(started)
            if started.plugins.manifest(args.slug) is None:
                raise CLIError(f"no plugin {args.slug!r} is installed")
            out = (
                Path(args.out)
                if args.out
                else default_export_path(settings.var_dir, args.slug, args.member, started.clock())
            )
            try:
                summary = await uninstall(started, member_id=args.member, slug=args.slug, out=out)
            except OSError as exc:
                raise CLIError(f"export failed, nothing deleted: {exc}") from None
        for table, count in sorted(summary.counts.items()):
            print(f"{table}: {count} row(s) exported and deleted")
        for table in summary.skipped:
            print(f"{table}: not member-scoped, left alone")
        stack = "removed from" if summary.stack_entry else "was not in"
        print(f"{summary.slug} {stack} member {summary.member_id}'s stack")
        print(f"exported to {summary.path}")
        return 0

    return asyncio.run(go())


def _member_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a member id: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a member id: {text!r}")
    return value


def cmd_new(args: argparse.Namespace) -> int:
    """Create a plugin project (package, manifest, hook, GraphQL field, table and migration,
    tests, README) in DIR/alliance-plugin-NAME."""
    from kernel.plugins.scaffold import ScaffoldError, render

    try:
        target = render(args.name, Path(args.dir))
    except ScaffoldError as exc:
        print(f"alliance plugins new: {exc}", file=sys.stderr)
        return 2
    print(f"created {target}")
    print(f"  next: cd {target} && pip install -e '.[test]' && pytest")
    return 0


def register(commands: Any) -> None:
    """Add ``plugins list``, ``plugins check PATH`` and ``plugins uninstall SLUG --member ID``
    to the ``alliance`` command."""
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
    remove = plugins.add_parser(
        "uninstall",
        help="export a member's plugin data to JSON, then purge it",
        description=cmd_uninstall.__doc__,
    )
    remove.add_argument("slug", metavar="SLUG", help="the plugin")
    remove.add_argument("--member", required=True, type=_member_id, metavar="ID", help="member id")
    remove.add_argument(
        "--out",
        metavar="FILE",
        help="the JSON file (default var/exports/<slug>-member-<id>-<timestamp>.json)",
    )
    remove.set_defaults(command=cmd_uninstall)
    new = plugins.add_parser("new", help="create a plugin project", description=cmd_new.__doc__)
    new.add_argument("name", metavar="NAME", help="the plugin's slug and package name")
    new.add_argument(
        "--dir", default=".", metavar="PATH", help="where to create it (default: here)"
    )
    new.set_defaults(command=cmd_new)

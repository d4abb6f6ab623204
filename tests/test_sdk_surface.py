"""The SDK is the whole public surface for plugins: documented, and the only import they use."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import alliance_sdk

ROOT = Path(__file__).resolve().parents[1]


def test_every_export_exists_and_is_documented() -> None:
    undocumented = []
    for name in alliance_sdk.__all__:
        value = getattr(alliance_sdk, name)
        if (inspect.isfunction(value) or inspect.isclass(value)) and not inspect.getdoc(value):
            undocumented.append(name)
    assert undocumented == []


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_plugins_import_only_the_sdk_from_the_kernel() -> None:
    plugin_files = [
        *ROOT.glob("plugins/**/*.py"),
        *ROOT.glob("tests/plugins/sample_plugins/**/*.py"),
    ]
    assert plugin_files
    offending = {
        str(path.relative_to(ROOT)): sorted(
            m for m in _imported_modules(path) if m.split(".")[0] == "kernel"
        )
        for path in plugin_files
    }
    assert {path: mods for path, mods in offending.items() if mods} == {}


def test_every_export_is_in_the_reference_page() -> None:
    page = (ROOT / "docs" / "plugins" / "sdk.md").read_text()
    missing = [name for name in alliance_sdk.__all__ if f"`{name}`" not in page]
    assert missing == []


def test_plugins_never_import_each_other() -> None:
    # A built-in plugin uses another only through hooks and events: it could move to its
    # own repository unchanged. (Its own tests may import its own package.)
    offending = {}
    for path in ROOT.glob("plugins/*/**/*.py"):
        own = path.relative_to(ROOT).parts[1]
        others = sorted(
            m
            for m in _imported_modules(path)
            if m.startswith("plugins.") and m.split(".")[1] != own
        )
        if others:
            offending[str(path.relative_to(ROOT))] = others
    assert offending == {}

"""Finding plugins: the built-in ones by scanning the ``plugins`` package's subpackages, the
third-party ones from the ``alliance.plugins`` entry-point group. Nothing is listed by name.

A candidate is loaded lazily by the host, so a plugin that fails to import is refused alone.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Final

__all__ = [
    "BUILTIN_PACKAGE",
    "ENTRY_POINT_GROUP",
    "Candidate",
    "builtin_candidates",
    "entry_point_candidates",
    "import_hooks",
    "package_name",
]

BUILTIN_PACKAGE: Final = "plugins"
ENTRY_POINT_GROUP: Final = "alliance.plugins"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A plugin found but not imported yet: ``load()`` returns the object holding its hooks."""

    name: str
    origin: str
    load: Callable[[], object]


def package_name(module_name: str) -> str:
    """The plugin's package name (its slug) from the dotted name of its hooks' module:
    ``plugins.groupbuy.hooks`` and ``groupbuy.hooks`` are both ``groupbuy``."""
    parts = module_name.split(".")
    if len(parts) > 1 and parts[-1] == "hooks":
        parts.pop()
    return parts[-1]


def import_hooks(package: str) -> object:
    # A plugin keeps its hook implementations in ``hooks``; a tiny one may use the package.
    if importlib.util.find_spec(f"{package}.hooks") is not None:
        return importlib.import_module(f"{package}.hooks")
    return importlib.import_module(package)


def builtin_candidates(package: str = BUILTIN_PACKAGE) -> list[Candidate]:
    """Every subpackage of ``package`` (not starting with ``_``), in name order."""
    try:
        root = importlib.import_module(package)
    except ImportError:
        return []
    found = [
        info.name
        for info in pkgutil.iter_modules(getattr(root, "__path__", []))
        if info.ispkg and not info.name.startswith("_")
    ]
    return [
        Candidate(
            name=name,
            origin=f"built-in {package}.{name}",
            load=functools.partial(import_hooks, f"{package}.{name}"),
        )
        for name in sorted(found)
    ]


def entry_point_candidates(group: str = ENTRY_POINT_GROUP) -> Iterable[Candidate]:
    """Every entry point of ``group`` (``slug = package.hooks``) of the installed
    distributions."""
    for entry_point in sorted(entry_points(group=group), key=lambda ep: ep.name):
        dist = entry_point.dist
        where = f" from {dist.name} {dist.version}" if dist is not None else ""
        yield Candidate(
            name=entry_point.name,
            origin=f"entry point {entry_point.name} = {entry_point.value}{where}",
            load=entry_point.load,
        )

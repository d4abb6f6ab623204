"""``alliance plugins new NAME``: render the plugin project template.

The template (``kernel/plugins/template/``, package data) is a tree of ``*.tmpl`` files; the
tokens ``{{name}}``, ``{{pascal}}``, ``{{camel}}``, ``{{title}}`` and ``{{kernel_requires}}``
are replaced in paths and contents, and the ``.tmpl`` suffix is dropped.
"""

from __future__ import annotations

import keyword
import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

from packaging.version import Version

__all__ = ["ScaffoldError", "kernel_requirement", "project_dir", "render", "tokens", "valid_name"]

_NAME: Final = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_SUFFIX: Final = ".tmpl"
# Top-level packages a plugin must not shadow.
_TAKEN: Final = frozenset(
    {"kernel", "plugins", "alliance_sdk", "migrations", "tests", "test", "hooks"}
)


class ScaffoldError(ValueError):
    """The name or the target directory does not fit."""


def valid_name(name: str) -> str:
    """``name`` if it can be a plugin's slug and package; raises :class:`ScaffoldError`."""
    if not (2 <= len(name) <= 40 and _NAME.match(name)) or keyword.iskeyword(name):
        raise ScaffoldError(
            f"{name!r} is not a plugin name: lowercase letters, digits and single underscores, "
            "starting with a letter, 2 to 40 characters (e.g. pickup_reminders)"
        )
    if name in _TAKEN:
        raise ScaffoldError(f"{name!r} is taken by the kernel; choose another name")
    return name


def kernel_requirement(version: str) -> str:
    """The compatible kernel versions for a plugin written against ``version``: the same
    minor series before 1.0, the same major series after."""
    v = Version(version)
    if v.major == 0:
        return f">={v.major}.{v.minor},<{v.major}.{v.minor + 1}"
    return f">={v.major}.{v.minor},<{v.major + 1}"


def tokens(name: str, kernel_version: str | None = None) -> dict[str, str]:
    """The replacements for plugin ``name``."""
    from kernel import __version__

    parts = valid_name(name).split("_")
    return {
        "{{name}}": name,
        "{{pascal}}": "".join(p.capitalize() for p in parts),
        "{{camel}}": parts[0] + "".join(p.capitalize() for p in parts[1:]),
        "{{title}}": " ".join(p.capitalize() for p in parts),
        "{{kernel_requires}}": kernel_requirement(kernel_version or __version__),
    }


def project_dir(name: str, parent: Path) -> Path:
    """Where ``render`` puts plugin ``name``'s project: ``parent/alliance-plugin-<name>``."""
    return parent / f"alliance-plugin-{valid_name(name)}"


def _substitute(text: str, values: dict[str, str]) -> str:
    for token, value in values.items():
        text = text.replace(token, value)
    return text


def _walk(node: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        relative = f"{prefix}{child.name}"
        if child.is_dir():
            if child.name != "__pycache__":
                found += _walk(child, relative + "/")
        elif child.name.endswith(_SUFFIX):
            found.append((relative.removesuffix(_SUFFIX), child))
    return found


def render(name: str, parent: Path, *, kernel_version: str | None = None) -> Path:
    """Write plugin ``name``'s project under ``parent``; returns its directory. Refuses a
    directory that exists and is not empty."""
    target = project_dir(name, parent)
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"{target} exists and is not empty")
    values = tokens(name, kernel_version)
    for relative, source in _walk(resources.files("kernel.plugins") / "template"):
        path = target / _substitute(relative, values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_substitute(source.read_text(encoding="utf-8"), values), encoding="utf-8")
    return target

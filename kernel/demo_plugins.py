"""The plugins' part of the demo: the context handed to every plugin's ``seed_demo`` hook.

The kernel creates the demo alliance's members, communities and residents
(:mod:`kernel.demo`); each installed plugin then adds its own objects, in its own write
transaction, through ``seed_demo(kernel, demo)``. A plugin that fails to seed fails the
command with its slug named: a half-seeded demo is worse than none.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kernel.plugins.gate import enabled_plugins
from kernel.plugins.service import enable_plugin

if TYPE_CHECKING:
    from kernel.runtime import Kernel

__all__ = ["DemoContext", "DemoResident", "seed_plugins"]


@dataclass(frozen=True)
class DemoResident:
    """A demo resident: the user, the community they live in, the leader they follow."""

    user_id: int
    email: str
    display_name: str
    community_id: int
    leader_member_id: int


@dataclass
class DemoContext:
    """Ids of the demo alliance's objects, by natural key, for plugins' ``seed_demo``.

    ``members`` and ``member_kinds`` by member slug (``lakeside-fresh-mart``), ``owners``
    the owner user id by member slug, ``communities`` by name, ``users`` by e-mail."""

    kernel: Kernel
    alliance_id: int
    members: dict[str, int]
    member_kinds: dict[str, str]
    owners: dict[str, int]
    communities: dict[str, int]
    served: dict[str, list[int]]  # member slug -> community ids it serves
    residents: list[DemoResident]
    users: dict[str, int]
    progress: Callable[[str], None] = lambda line: None
    counts: dict[str, int] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[str]:
        """Slugs of the demo members of ``kind`` (``store``, ``leader``, ...), in order."""
        return [slug for slug, k in self.member_kinds.items() if k == kind]

    def created(self, what: str, n: int = 1) -> None:
        """Report ``n`` new objects (shown by ``alliance demo``)."""
        if n:
            self.counts[what] = self.counts.get(what, 0) + n
            self.progress(f"  + {n} {what}")

    async def enable(
        self, member_slug: str, plugin_slug: str, config: dict[str, Any] | None = None
    ) -> bool:
        """Enable ``plugin_slug`` (and, first, the plugins it depends on) for the demo
        member; returns False when it was already enabled (or is not installed)."""
        kernel = self.kernel
        manifest = kernel.plugins.manifest(plugin_slug)
        if manifest is None:
            return False
        member_id = self.members[member_slug]
        for dependency in manifest.dependencies:
            await self.enable(member_slug, dependency)
        if plugin_slug in await enabled_plugins(kernel, member_id):
            return False
        await enable_plugin(
            kernel, actor=None, member_id=member_id, slug=plugin_slug, config=config
        )
        self.created(f"{plugin_slug} enablement")
        return True


async def seed_plugins(kernel: Kernel, demo: DemoContext) -> None:
    """Call every installed plugin's ``seed_demo``, each in its own write transaction."""
    host = kernel.plugins
    for impl in reversed(host.implementations("seed_demo", host.installed)):
        arguments = {"kernel": kernel, "demo": demo}
        try:
            async with kernel.db.write():
                result = impl.function(*[arguments[name] for name in impl.argnames])
                if inspect.isawaitable(result):
                    await result
        except Exception as exc:
            raise RuntimeError(f"plugin {impl.plugin_name}: seed_demo failed: {exc}") from exc

"""Every hook of the alliance kernel: the specification and the only documentation.

``docs/plugins/hooks.md`` is generated from these docstrings (``python -m
kernel.plugins.hookdoc``); a test fails when a hook has no docstring or the page is stale.

Three families:

- ``register_*``: called once at start; each returns a declaration the host composes.
- ``on_*``: notifications, after the change they announce has committed; called only for
  plugins the member concerned has enabled. An implementation may be ``async`` (the host
  awaits it); one that raises or exceeds its time budget is logged with its plugin's slug and
  never stops the others.
- decisions (``firstresult``): the first non-``None`` answer wins. They must be synchronous
  (pluggy would take a coroutine object for an answer) and free of I/O: the kernel hands them
  the facts to decide on. The kernel's own fallback answers last.

Implement a hook with ``@hookimpl`` from ``alliance_sdk`` on a function of the same name;
implementations may take any subset of the parameters, by name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kernel.plugins.markers import hookspec

if TYPE_CHECKING:
    from kernel.gateway.compose import SchemaPart
    from kernel.plugins.declarations import EventSubscription
    from kernel.plugins.manifest import PluginManifest

__all__ = [
    "attribute_order",
    "on_kernel_started",
    "on_plugin_configured",
    "on_plugin_disabled",
    "on_plugin_enabled",
    "register_event_handlers",
    "register_graphql",
    "register_hookspecs",
    "register_manifest",
    "register_routes",
    "reserve_stock",
]

# --- declarations: register_* (once, at start) ------------------------------------------------


@hookspec
def register_manifest() -> PluginManifest:  # type: ignore[empty-body]
    """Return the plugin's :class:`~alliance_sdk.PluginManifest`.

    Required of every plugin (built-in or third-party). The host calls it alone, before
    any other hook of the plugin, and refuses the plugin (one log line, the kernel starts
    anyway) when the manifest is invalid, its ``slug`` is not the package name, it requires
    another kernel version, or a dependency is not installed in a fitting version.

    Actions with their default roles, consent scopes, the configuration model and the
    piccolo app (tables and migrations) are declared here.
    """


@hookspec
def register_hookspecs() -> Sequence[object]:  # type: ignore[empty-body]
    """Return modules or classes holding the plugin's own hook specifications (functions
    marked with ``@hookspec`` from ``alliance_sdk``), for other plugins to implement.

    Name them after the plugin (``groupbuy_price_order``) so they cannot clash.
    Implementations of a hook nobody specifies refuse their plugin at start.
    """


@hookspec
def register_graphql() -> SchemaPart | None:
    """Return the plugin's contribution to the GraphQL schema: root ``query``,
    ``mutation`` and ``subscription`` types and extra ``types``, as a
    :class:`~alliance_sdk.SchemaPart`.

    Every root field a plugin contributes is gated: for a member that has not enabled the
    plugin it answers ``PLUGIN_DISABLED``. The member is the field's ``memberId`` argument
    (or ``member_id``/``id`` holding a Member ID), else the member the caller acts for (an
    API key's). Prefix type names with the plugin's name (``GroupbuyCampaign``); a type or
    root field name already taken refuses the later plugin at start.
    """


@hookspec
def register_event_handlers() -> Sequence[EventSubscription]:  # type: ignore[empty-body]
    """Return :class:`~alliance_sdk.EventSubscription` entries: which committed events the
    plugin handles, and the handler (sync or async, ``handler(kernel, event)``).

    A member's events are delivered only to plugins that member has enabled. A handler
    that raises or exceeds its time budget is logged with the plugin's slug; the others
    still run.
    """


@hookspec
def register_routes() -> Sequence[Any]:  # type: ignore[empty-body]
    """Return litestar route handlers (or routers, controllers); the host mounts them under
    ``/plugins/<slug>/``.

    Routes are not gated automatically (a URL names no member): check the member with
    ``plugin_enabled`` from ``alliance_sdk`` where a route acts for one.
    """


# --- notifications: on_* (after commit, per member) --------------------------------------------


@hookspec
def on_kernel_started(kernel: Any) -> Awaitable[None] | None:
    """The kernel of this process has started (database open, migrations checked).

    Called for every installed plugin, whatever members enabled: warm caches here, do not
    write member data.

    :param kernel: the process's :class:`~kernel.runtime.Kernel`.
    """


@hookspec
def on_plugin_enabled(
    kernel: Any, member_id: int, slug: str, config: Mapping[str, Any]
) -> Awaitable[None] | None:
    """Plugin ``slug`` was enabled for ``member_id`` (the change has committed).

    Called on the plugins the member has enabled, ``slug`` included.

    :param kernel: the process's kernel.
    :param member_id: the member that enabled it.
    :param slug: the plugin enabled.
    :param config: its validated configuration (defaults filled in).
    """


@hookspec
def on_plugin_configured(
    kernel: Any, member_id: int, slug: str, config: Mapping[str, Any]
) -> Awaitable[None] | None:
    """The configuration of plugin ``slug`` changed for ``member_id`` (committed).

    Called on the plugins the member has enabled.

    :param kernel: the process's kernel.
    :param member_id: the member.
    :param slug: the plugin configured.
    :param config: the new validated configuration.
    """


@hookspec
def on_plugin_disabled(kernel: Any, member_id: int, slug: str) -> Awaitable[None] | None:
    """Plugin ``slug`` was disabled for ``member_id`` (committed). Its data is kept.

    Called on the plugins the member still has enabled, and on ``slug`` itself.

    :param kernel: the process's kernel.
    :param member_id: the member.
    :param slug: the plugin disabled.
    """


# --- decisions: firstresult (synchronous, no I/O) ---------------------------------------------


@hookspec(firstresult=True)
def reserve_stock(
    member_id: int, sku: str, quantity: int, stock: Mapping[int, int]
) -> Mapping[int, int] | None:
    """Decide where a reservation of ``quantity`` units of ``sku`` takes its stock from.

    ``firstresult``: stops at the first plan that is not ``None``. The kernel's fallback
    takes from the locations in ascending id order; it answers ``None`` (no reservation)
    when there is not enough stock.

    :param member_id: the member selling (whose enabled plugins decide).
    :param sku: the stock-keeping unit.
    :param quantity: units wanted (positive).
    :param stock: units available per location (a warehouse member's id).
    :return: units to take per location, summing to ``quantity``; or ``None`` to pass.
    """


@hookspec(firstresult=True)
def attribute_order(
    member_id: int, buyer_user_id: int, community_id: int, leaders: Sequence[int]
) -> int | None:
    """Choose the group leader an order is credited to.

    ``firstresult``: stops at the first leader that is not ``None``. The kernel's fallback
    credits the first of ``leaders`` (the buyer's own leader comes first), or nobody.

    :param member_id: the member selling.
    :param buyer_user_id: the buying resident.
    :param community_id: the community the order is delivered to.
    :param leaders: member ids of the leaders serving that community.
    :return: one of ``leaders``, or ``None`` to pass.
    """

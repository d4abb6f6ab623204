"""Every hook of the alliance kernel: the specification and the only documentation.

``docs/plugins/hooks.md`` is generated from these docstrings (``python -m
kernel.plugins.hookdoc``); a test fails when a hook has no docstring or the page is stale.

Three families:

- ``register_*``: called once at start; each returns a declaration the host composes.
- ``on_*``: notifications, after the change they announce has committed; called only for
  plugins the member concerned has enabled. An implementation may be ``async`` (the host
  awaits it); one that raises or exceeds its time budget is logged with its plugin's slug and
  never stops the others.
- decisions (``firstresult``): the first non-``None`` answer wins; the kernel's own fallback
  answers last. An implementation may be ``async`` (the host awaits each one in turn, so a
  coroutine is never taken for an answer).
- work inside the caller's transaction (``reserve_stock``, ``release_stock``): called with the
  caller's write transaction open; a failure propagates and rolls the whole change back.

Implement a hook with ``@hookimpl`` from ``alliance_sdk`` on a function of the same name;
implementations may take any subset of the parameters, by name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kernel.plugins.markers import hookspec

if TYPE_CHECKING:
    from kernel.events.base import Event
    from kernel.gateway.compose import SchemaPart
    from kernel.plugins.declarations import (
        Attribution,
        EventSubscription,
        Job,
        StockReservation,
    )
    from kernel.plugins.manifest import PluginManifest

__all__ = [
    "attribute_order",
    "on_kernel_started",
    "on_plugin_configured",
    "on_plugin_disabled",
    "on_plugin_enabled",
    "register_event_handlers",
    "register_events",
    "register_graphql",
    "register_hookspecs",
    "register_jobs",
    "register_manifest",
    "register_routes",
    "release_stock",
    "reserve_stock",
    "seed_demo",
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
def register_events() -> Sequence[type[Event]]:  # type: ignore[empty-body]
    """Return the :class:`~alliance_sdk.Event` subclasses the plugin publishes, so that they
    can be rebuilt from the outbox for any subscriber, including other plugins that
    subscribe by ``type`` string without importing the class.
    """


@hookspec
def register_jobs() -> Sequence[Job]:  # type: ignore[empty-body]
    """Return :class:`~alliance_sdk.Job` entries: periodic work (closing campaigns at their
    deadline, releasing frozen funds) that serving processes run every ``job.every`` seconds
    and ``alliance jobs run <slug>.<name>`` runs once.

    A job finds its work in the database, so it survives restarts; it may run in several
    processes at once and must stay correct (conditional updates). A job that raises is
    logged with the plugin's slug and runs again next time.
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


@hookspec
def seed_demo(kernel: Any, demo: Any) -> Awaitable[None] | None:
    """Add the plugin's part of the demo alliance (``alliance demo``, ``make run``).

    Called for every installed plugin after the kernel's own demo objects exist, each in
    its own write transaction. Must be idempotent: look objects up by natural key and create
    only what is missing. ``demo`` (:class:`~alliance_sdk.DemoContext`) gives the ids
    of the demo's members, communities and residents, ``await demo.enable(member_slug,
    plugin_slug, config)`` and ``demo.created(what, n)`` to report progress.

    :param kernel: the process's kernel.
    :param demo: the demo context.
    """


# --- decisions: firstresult (may be async) -----------------------------------------------------


@hookspec(firstresult=True)
def attribute_order(
    kernel: Any,
    member_id: int,
    buyer_user_id: int,
    community_id: int,
    leaders: Sequence[int],
    referral_code: str | None,
) -> Attribution | None:
    """Choose who is credited with bringing an order: a group leader and/or an ambassador.

    ``firstresult``: stops at the first :class:`~alliance_sdk.Attribution` that is not
    ``None``. The kernel's fallback credits the first of ``leaders`` (the buyer's own leader
    comes first) with reason ``community_leader``, or nobody (reason ``none``). May be
    ``async`` (to look a referral code up), called before the order is written.

    :param kernel: the process's kernel.
    :param member_id: the member selling.
    :param buyer_user_id: the buying resident.
    :param community_id: the community the order is delivered to.
    :param leaders: member ids of the leaders serving that community, the buyer's own first.
    :param referral_code: the referral code the order came with, or ``None``.
    :return: an :class:`~alliance_sdk.Attribution`, or ``None`` to pass.
    """


# --- inside the caller's transaction ------------------------------------------------------------


@hookspec(firstresult=True)
def reserve_stock(
    kernel: Any, member_id: int, community_id: int, order_ref: str, lines: Mapping[str, int]
) -> Awaitable[StockReservation | None] | StockReservation | None:
    """Reserve the stock for an order of ``member_id``'s goods (a warehouse plugin does, from
    the hub serving ``community_id``), all lines or none.

    ``firstresult``, called inside the seller's write transaction (``kernel.db.write()``
    joins it), without containment: an exception rolls the order back. Answer ``None`` when
    this plugin does not hold the member's stock (the seller then uses its own);
    ``StockReservation(reserved=False, short=...)`` when it does but some SKU is short
    (nothing may stay reserved); else ``reserved=True`` with the takes. Lock rows in a fixed
    order (by SKU) so that concurrent carts cannot deadlock.

    :param kernel: the process's kernel.
    :param member_id: the member selling, who owns the stock.
    :param community_id: the community the order is delivered to.
    :param order_ref: the order's stable reference (``release_stock`` names it again).
    :param lines: units wanted per SKU code (each positive).
    :return: a :class:`~alliance_sdk.StockReservation`, or ``None`` to pass.
    """


@hookspec
def release_stock(
    kernel: Any, member_id: int, order_ref: str, reason: str
) -> Awaitable[int | None] | int | None:
    """Give back what ``reserve_stock`` reserved for ``order_ref`` (the order was cancelled).

    Called inside the seller's write transaction, without containment, on every plugin of
    the member's stack. Must release exactly once however often it is called (mark the
    reservation released with a conditional update); a plugin holding nothing for
    ``order_ref`` answers ``None``.

    :param kernel: the process's kernel.
    :param member_id: the member selling.
    :param order_ref: the order whose reservation is released.
    :param reason: why (``cancelled``, ``group_failed``, ``refunded``).
    :return: units released, or ``None``.
    """

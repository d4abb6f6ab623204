"""The SDK for alliance plugins: everything a plugin may import, and nothing else.

A plugin (built-in under ``plugins/`` or a third-party distribution with an
``alliance.plugins`` entry point) is a package whose ``hooks`` module implements hooks with
:data:`hookimpl`; ``register_manifest`` is required. See docs/plugins/using.md and, for every
hook, docs/plugins/hooks.md. What is exported here is stable; the kernel behind it is not.
"""

from __future__ import annotations

from kernel.consent import (
    live_grantors,
    live_grants,
    may_read,
    record_read,
    register_purpose,
    register_scope,
)
from kernel.db.bulk import insert_rows
from kernel.db.constraints import create_unique_indexes
from kernel.db.scoped import MemberScopedTable, member_column, scoped
from kernel.demo_plugins import DemoContext, DemoResident
from kernel.errors import AllianceError, BadUserInput, Conflict, ErrorCode, Forbidden, NotFound
from kernel.events.base import Event
from kernel.events.idempotency import once
from kernel.events.outbox import publish, publish_many
from kernel.events.sql import placeholders
from kernel.events.sql import query as run_sql
from kernel.events.sql import query_records as run_sql_records
from kernel.gateway.compose import SchemaPart
from kernel.gateway.context import context_of
from kernel.gateway.ids import decode_id, encode_id
from kernel.gateway.pagination import Connection, page_request
from kernel.gateway.response_cache import cache_depends, cache_touch
from kernel.live.topics import broadcast, listen
from kernel.permissions.field import authenticated, member_arg, of_source, requires
from kernel.plugins.calls import answering_plugins, call_hook, decide
from kernel.plugins.declarations import (
    Attribution,
    EventSubscription,
    Job,
    StockReservation,
    StockTake,
)
from kernel.plugins.gate import PluginGate, enabled_plugins, plugin_enabled
from kernel.plugins.manifest import Action, PluginManifest
from kernel.plugins.markers import hookimpl, hookspec
from kernel.tenancy.lookups import (
    CommunityInfo,
    MemberInfo,
    Neighbourhood,
    Residence,
    ServingMember,
    communities,
    member_info,
    neighbourhood,
    neighbourhoods,
    residences,
    resident_counts,
    residents_of,
    serving_members,
)

__all__ = [
    "Action",
    "AllianceError",
    "Attribution",
    "BadUserInput",
    "CommunityInfo",
    "Conflict",
    "Connection",
    "DemoContext",
    "DemoResident",
    "ErrorCode",
    "Event",
    "EventSubscription",
    "Forbidden",
    "Job",
    "MemberInfo",
    "MemberScopedTable",
    "Neighbourhood",
    "NotFound",
    "PluginGate",
    "PluginManifest",
    "Residence",
    "SchemaPart",
    "ServingMember",
    "StockReservation",
    "StockTake",
    "answering_plugins",
    "authenticated",
    "broadcast",
    "cache_depends",
    "cache_touch",
    "call_hook",
    "communities",
    "context_of",
    "create_unique_indexes",
    "decide",
    "decode_id",
    "enabled_plugins",
    "encode_id",
    "hookimpl",
    "hookspec",
    "insert_rows",
    "listen",
    "live_grantors",
    "live_grants",
    "may_read",
    "member_arg",
    "member_column",
    "member_info",
    "neighbourhood",
    "neighbourhoods",
    "of_source",
    "once",
    "page_request",
    "placeholders",
    "plugin_enabled",
    "publish",
    "publish_many",
    "record_read",
    "register_purpose",
    "register_scope",
    "requires",
    "residences",
    "resident_counts",
    "residents_of",
    "run_sql",
    "run_sql_records",
    "scoped",
    "serving_members",
]

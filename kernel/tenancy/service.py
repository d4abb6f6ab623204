"""The tenancy service: alliances, members, memberships, communities and residents.

Free of GraphQL. Every function takes the calling :class:`~kernel.identity.principal.Principal`
as ``actor`` and checks its permission; ``actor=None`` is a trusted system caller (the CLI,
the demo loader) and skips the checks. Every multi-row change is one transaction, and every
role change tells the authorizer inside it.

The implementation lives in :mod:`kernel.tenancy.alliances`, :mod:`kernel.tenancy.members`
and :mod:`kernel.tenancy.communities`; this module is the stable import path.
"""

from __future__ import annotations

from kernel.tenancy.alliances import appoint_alliance_admin, create_alliance, participates
from kernel.tenancy.communities import create_community, register_resident, serve_community
from kernel.tenancy.members import (
    DEFAULT_MEMBER_KINDS,
    add_membership,
    change_role,
    create_member,
    member_kinds,
    register_member_kind,
    remove_membership,
)

__all__ = [
    "DEFAULT_MEMBER_KINDS",
    "add_membership",
    "appoint_alliance_admin",
    "change_role",
    "create_alliance",
    "create_community",
    "create_member",
    "member_kinds",
    "participates",
    "register_member_kind",
    "register_resident",
    "remove_membership",
    "serve_community",
]

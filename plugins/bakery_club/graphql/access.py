"""Who the caller is, for the resolvers.

Bakery fields carry ``requires(<action>, member=member_arg())`` (owners, admins, staff).
Resident fields carry ``authenticated()``; the club is then open to people living in a
community of the bakery's alliance (anyone else gets NOT_FOUND, as for an unknown member),
and acting in it (registering, claiming, posting, redeeming) needs an active membership.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import context_of, decode_id
from plugins.bakery_club.service.common import eligible, user_of

__all__ = ["Caller", "bakery", "resident"]


@dataclass(frozen=True, slots=True)
class Caller:
    kernel: Any
    member_id: int
    user_id: int
    memo: dict[Any, Any]


def bakery(info: Info[Any, Any], member_id: strawberry.ID) -> tuple[Any, int]:
    """The kernel and the bakery of a field whose permission the kernel already checked."""
    return context_of(info).kernel, decode_id("Member", member_id)


async def resident(info: Info[Any, Any], member_id: strawberry.ID) -> Caller:
    context = context_of(info)
    member = decode_id("Member", member_id)
    user = user_of(context.require_principal())
    await eligible(context.kernel, member, user, context.memo)
    return Caller(context.kernel, member, user, context.memo)

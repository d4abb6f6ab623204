"""Root query fields. Permissions are declared on each field; the plugin gate (added by the
kernel, or named here) answers PLUGIN_DISABLED for a member without the plugin."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import (
    Connection,
    Forbidden,
    authenticated,
    context_of,
    decode_id,
    member_arg,
    page_request,
    requires,
)
from plugins.gov_notices import notices, reach, readers
from plugins.gov_notices.graphql.gates import ResidentFeedGate
from plugins.gov_notices.graphql.types import (
    GovNoticesContactType,
    GovNoticesNoticeType,
    GovNoticesReachType,
    contact_type,
    notice_types,
    reach_type,
)
from plugins.gov_notices.manifest import CONTACTS, FORWARD, REACH, READ

__all__ = ["GovNoticesQuery", "viewer_user"]


def viewer_user(info: Info[Any, Any]) -> int:
    """The signed-in person (an API key acts for a member, not a household)."""
    user_id = context_of(info).require_principal().user_id
    if user_id is None:
        raise Forbidden("only a signed-in resident has a household")
    return user_id


def _notice(value: strawberry.ID) -> int:
    return decode_id("GovNoticesNotice", value)


@strawberry.type
class GovNoticesQuery:
    @strawberry.field(
        description="The office's notices in every state (scheduled, live, expired, "
        "withdrawn), oldest first.",
        extensions=[requires(READ, member=member_arg())],
    )
    async def gov_notices(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[GovNoticesNoticeType]:
        page = page_request(first, after)
        office = decode_id("Member", member_id)
        found = await notices.office_notices(office, after_id=page.after_id, limit=page.limit)
        shown = {
            int(decode_id("GovNoticesNotice", t.id)): t
            for t in await notice_types(found, context_of(info).kernel.clock())
        }
        return page.connection(found, lambda n: shown[n.id])

    @strawberry.field(
        description="One of the office's notices.",
        extensions=[requires(READ, member=member_arg())],
    )
    async def gov_notice(
        self, info: Info[Any, Any], member_id: strawberry.ID, notice_id: strawberry.ID
    ) -> GovNoticesNoticeType:
        found = await notices.load_notice(decode_id("Member", member_id), _notice(notice_id))
        (shown,) = await notice_types([found], context_of(info).kernel.clock())
        return shown

    @strawberry.field(
        description='Reach per targeted community; counts of residents below 5 read "< 5".',
        extensions=[requires(REACH, member=member_arg())],
    )
    async def gov_notice_reach(
        self, info: Info[Any, Any], member_id: strawberry.ID, notice_id: strawberry.ID
    ) -> GovNoticesReachType:
        notice, rows = await reach.reach(decode_id("Member", member_id), _notice(notice_id))
        return await reach_type(notice, rows, context_of(info).kernel.clock())

    @strawberry.field(
        description="Residents of the notice's communities whose leader granted the office "
        "residents:contact for public-service (nobody without such a grant); every resident "
        "returned is recorded in the audit log.",
        extensions=[requires(CONTACTS, member=member_arg())],
    )
    async def gov_notice_contacts(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        notice_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[GovNoticesContactType]:
        context = context_of(info)
        page = page_request(first, after)
        found = await reach.contacts(
            context.kernel,
            actor=context.require_principal(),
            office_id=decode_id("Member", member_id),
            notice_id=_notice(notice_id),
            after_id=page.after_id,
            first=page.first,
            memo=context.memo,
        )
        return page.connection(found, contact_type)

    @strawberry.field(
        description="Live notices addressed to communities the leader or store serves, "
        "emergencies first, then newest first.",
        extensions=[requires(FORWARD, member=member_arg())],
    )
    async def gov_notices_to_forward(
        self, info: Info[Any, Any], member_id: strawberry.ID, first: int = 20
    ) -> list[GovNoticesNoticeType]:
        context = context_of(info)
        found = await readers.notices_for_forwarder(
            context.kernel, decode_id("Member", member_id), first=first, memo=context.memo
        )
        return await notice_types(found, context.kernel.clock())

    @strawberry.field(
        description="Live notices for the communities the viewer lives in: emergencies "
        "pinned first, then newest first (at most 100).",
        extensions=[ResidentFeedGate(), authenticated()],
    )
    async def gov_notices_for_me(
        self, info: Info[Any, Any], first: int = 20
    ) -> list[GovNoticesNoticeType]:
        context = context_of(info)
        found = await readers.notices_for_resident(
            context.kernel, viewer_user(info), first=first, memo=context.memo
        )
        return await notice_types(found, context.kernel.clock())

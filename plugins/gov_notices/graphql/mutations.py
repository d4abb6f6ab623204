"""Root mutation fields: offices publish and withdraw, leaders and stores forward, residents
acknowledge."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import authenticated, context_of, decode_id, member_arg, requires
from plugins.gov_notices import notices, push, readers
from plugins.gov_notices.graphql.gates import notice_gate
from plugins.gov_notices.graphql.queries import viewer_user
from plugins.gov_notices.graphql.types import GovNoticesInput, GovNoticesNoticeType, notice_types
from plugins.gov_notices.manifest import FORWARD, PUBLISH

__all__ = ["GovNoticesMutation"]


def _draft(data: GovNoticesInput) -> notices.NoticeDraft:
    return notices.NoticeDraft(
        title=data.title,
        body=data.body,
        category=data.category.value,
        whole_alliance=data.whole_alliance,
        community_ids=[decode_id("Community", c) for c in data.community_ids],
        publish_at=data.publish_at,
        expire_at=data.expire_at,
        attachments=list(data.attachments),
    )


async def _shown(info: Info[Any, Any], notice: notices.Notice) -> GovNoticesNoticeType:
    (shown,) = await notice_types([notice], context_of(info).kernel.clock())
    return shown


@strawberry.type
class GovNoticesMutation:
    @strawberry.mutation(
        description="Publish a notice of the office (a member of kind government_office). "
        "An emergency that is live at once is pushed to subscribed residents.",
        extensions=[requires(PUBLISH, member=member_arg())],
    )
    async def publish_gov_notice(
        self, info: Info[Any, Any], member_id: strawberry.ID, input: GovNoticesInput
    ) -> GovNoticesNoticeType:
        context = context_of(info)
        principal = context.require_principal()
        notice = await notices.publish_notice(
            context.kernel,
            office_id=decode_id("Member", member_id),
            user_id=principal.user_id,
            draft=_draft(input),
        )
        # After the commit: watchers never hear of a notice that rolled back.
        await push.push_emergency(context.kernel, notice)
        return await _shown(info, notice)

    @strawberry.mutation(
        description="Withdraw one of the office's notices: residents stop seeing it.",
        extensions=[requires(PUBLISH, member=member_arg())],
    )
    async def withdraw_gov_notice(
        self, info: Info[Any, Any], member_id: strawberry.ID, notice_id: strawberry.ID
    ) -> GovNoticesNoticeType:
        notice = await notices.withdraw_notice(
            context_of(info).kernel,
            office_id=decode_id("Member", member_id),
            notice_id=decode_id("GovNoticesNotice", notice_id),
        )
        return await _shown(info, notice)

    @strawberry.mutation(
        description="Mark a notice forwarded to the member's groups in every addressed "
        "community it serves (leaders and stores; idempotent).",
        extensions=[requires(FORWARD, member=member_arg())],
    )
    async def forward_gov_notice(
        self, info: Info[Any, Any], member_id: strawberry.ID, notice_id: strawberry.ID
    ) -> GovNoticesNoticeType:
        context = context_of(info)
        notice = await readers.forward(
            context.kernel,
            member_id=decode_id("Member", member_id),
            user_id=context.require_principal().user_id,
            notice_id=decode_id("GovNoticesNotice", notice_id),
            memo=context.memo,
        )
        return await _shown(info, notice)

    @strawberry.mutation(
        description="The viewer's household read the notice (idempotent).",
        extensions=[notice_gate(), authenticated()],
    )
    async def acknowledge_gov_notice(
        self, info: Info[Any, Any], notice_id: strawberry.ID
    ) -> GovNoticesNoticeType:
        context = context_of(info)
        notice = await readers.acknowledge(
            context.kernel,
            user_id=viewer_user(info),
            notice_id=decode_id("GovNoticesNotice", notice_id),
            memo=context.memo,
        )
        return await _shown(info, notice)

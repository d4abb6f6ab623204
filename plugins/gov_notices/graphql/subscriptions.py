"""The emergency push: ``govNoticeEmergencies`` over graphql-transport-ws."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import authenticated, context_of
from plugins.gov_notices import kernel_data, push
from plugins.gov_notices.graphql.gates import ResidentFeedGate
from plugins.gov_notices.graphql.queries import viewer_user
from plugins.gov_notices.graphql.types import GovNoticesEmergencyType

__all__ = ["GovNoticesSubscription"]

logger = logging.getLogger("plugins.gov_notices")


@strawberry.type
class GovNoticesSubscription:
    @strawberry.subscription(
        description="Emergency notices addressed to the communities the viewer lives in, "
        "as they are published (the communities are read when the subscription starts).",
        extensions=[ResidentFeedGate(), authenticated()],
    )
    async def gov_notice_emergencies(
        self, info: Info[Any, Any]
    ) -> AsyncGenerator[GovNoticesEmergencyType, None]:
        kernel = context_of(info).kernel
        homes = await kernel_data.residences(viewer_user(info))
        async with push.watch(kernel, homes) as pushes:
            async for payload in pushes:
                try:
                    item = GovNoticesEmergencyType.from_payload(payload)
                except (KeyError, TypeError, ValueError):
                    logger.warning("skipping a malformed emergency push")
                    continue
                yield item

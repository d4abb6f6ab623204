"""groupbuy's live progress: one broadcast per batch of joins, fanned out to every watcher
(the "25 neighbours joined, 5 to go" counter on the livestream page). No query per watcher:
the first value is read once per subscription, then updates arrive from the broadcaster."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import PluginGate, authenticated, context_of, decode_id, listen
from plugins.groupbuy.graphql.queries import campaign_seller
from plugins.groupbuy.graphql.types import GroupbuyProgress
from plugins.groupbuy.service.campaigns import Progress, progress_of, progress_topic

__all__ = ["GroupbuySubscription"]


@strawberry.type
class GroupbuySubscription:
    @strawberry.subscription(
        description="A community's group progress in a campaign: now, then at every change.",
        extensions=[authenticated(), PluginGate("groupbuy", member=campaign_seller)],
    )
    async def groupbuy_progress(
        self, info: Info[Any, Any], campaign_id: strawberry.ID, community_id: strawberry.ID
    ) -> AsyncGenerator[GroupbuyProgress, None]:
        kernel = context_of(info).kernel
        campaign = decode_id("GroupbuyCampaign", campaign_id)
        community = decode_id("Community", community_id)
        async with listen(kernel, progress_topic(campaign, community)) as stream:
            # Subscribed before reading: no change can fall between the read and the stream.
            current = (await progress_of(kernel, campaign, [community]))[community]
            yield GroupbuyProgress.of(current)
            async for payload in stream:
                yield GroupbuyProgress.of(
                    Progress(
                        campaign,
                        community,
                        int(payload["joined"]),
                        int(payload["needed"]),
                        str(payload["state"]),
                    )
                )

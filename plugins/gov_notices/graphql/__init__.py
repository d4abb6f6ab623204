"""The plugin's GraphQL part: types, queries, mutations and the emergency subscription."""

from __future__ import annotations

from alliance_sdk import SchemaPart
from plugins.gov_notices.graphql.mutations import GovNoticesMutation
from plugins.gov_notices.graphql.queries import GovNoticesQuery
from plugins.gov_notices.graphql.subscriptions import GovNoticesSubscription
from plugins.gov_notices.graphql.types import TYPES

__all__ = ["part"]


def part() -> SchemaPart:
    return SchemaPart(
        "gov_notices",
        query=GovNoticesQuery,
        mutation=GovNoticesMutation,
        subscription=GovNoticesSubscription,
        types=TYPES,
    )

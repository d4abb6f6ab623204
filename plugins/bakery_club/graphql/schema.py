"""The club's part of the schema: one query and one mutation root type."""

from __future__ import annotations

import strawberry

from alliance_sdk import SchemaPart
from plugins.bakery_club.graphql.activity_types import ACTIVITY_TYPES
from plugins.bakery_club.graphql.bakery_mutations import BakeryClubBakeryMutation
from plugins.bakery_club.graphql.queries import BakeryClubQuery
from plugins.bakery_club.graphql.resident_mutations import BakeryClubResidentMutation
from plugins.bakery_club.graphql.types import TYPES
from plugins.bakery_club.manifest import SLUG

__all__ = ["BakeryClubMutation", "schema_part"]


@strawberry.type
class BakeryClubMutation(BakeryClubBakeryMutation, BakeryClubResidentMutation):
    """The bakery's and the residents' mutations."""


def schema_part() -> SchemaPart:
    return SchemaPart(
        SLUG, query=BakeryClubQuery, mutation=BakeryClubMutation, types=TYPES + ACTIVITY_TYPES
    )

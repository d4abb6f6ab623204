"""GraphQL types of kernel.consent: the grant, its input and the list direction."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import strawberry
from strawberry.types import Info

from kernel.consent.service import Direction, categories
from kernel.gateway.context import context_of
from kernel.gateway.ids import encode_id
from kernel.tenancy.types import MemberType

__all__ = ["ConsentDirection", "ConsentGrantType", "GrantConsentInput"]


@strawberry.enum(description="Which grants of a member to list.")
class ConsentDirection(enum.Enum):
    GIVEN = "given"
    RECEIVED = "received"

    def to_service(self) -> Direction:
        return Direction(self.value)


@strawberry.input(description="A member lets another member of its alliance read its data.")
class GrantConsentInput:
    grantor_member_id: strawberry.ID
    grantee_member_id: strawberry.ID
    scope: str = strawberry.field(description="A registered scope, e.g. orders:read.")
    purpose: str = strawberry.field(description="A registered purpose, e.g. fulfilment.")
    legal_basis: str = strawberry.field(
        description="consent, contract, legitimate-interest or public-task."
    )
    data_categories: list[str] = strawberry.field(
        default_factory=list, description="Fields or data categories; empty: the whole scope."
    )
    expires_at: dt.datetime | None = strawberry.field(
        default=None, description="When the grant ends by itself; null: until revoked."
    )


@strawberry.type(name="ConsentGrant")
class ConsentGrantType:
    """Member ``grantor`` lets member ``grantee`` read its ``scope`` data for ``purpose``."""

    id: strawberry.ID
    grantor: MemberType
    grantee: MemberType
    scope: str
    purpose: str
    legal_basis: str
    data_categories: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ConsentGrantType:
        """``row`` has :data:`kernel.consent.service.GRANT_COLUMNS`."""
        return cls(
            id=encode_id("ConsentGrant", int(row["id"])),
            grantor=MemberType.from_row(row, "r_"),
            grantee=MemberType.from_row(row, "e_"),
            scope=row["scope"],
            purpose=row["purpose"],
            legal_basis=row["legal_basis"],
            data_categories=categories(row),
            created_at=row["created_at"],
            expires_at=row["expires_at"],
            revoked_at=row["revoked_at"],
        )

    @strawberry.field(description="Neither revoked nor expired now.")
    def live(self, info: Info[Any, Any]) -> bool:
        if self.revoked_at is not None:
            return False
        now: dt.datetime = context_of(info).kernel.clock()
        return self.expires_at is None or self.expires_at > now

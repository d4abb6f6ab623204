"""GraphQL fields of kernel.consent.

Who may do what (declared on the fields; resolvers never check by hand):

- ``grantConsent`` and ``revokeConsent``: ``kernel.consent.manage`` in the grantor member
  (its owners and admins). The grantee must be a member of the grantor's alliance: any other
  member id answers NOT_FOUND, word for word what a missing member answers.
- ``consentGrants(memberId, direction)``: ``kernel.consent.read`` in that member; GIVEN lists
  the grants it gave, RECEIVED those other members gave to it.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from kernel.consent import service
from kernel.consent.types import ConsentDirection, ConsentGrantType, GrantConsentInput
from kernel.gateway.compose import SchemaPart
from kernel.gateway.context import context_of
from kernel.gateway.ids import decode_id
from kernel.gateway.pagination import Connection, page_request
from kernel.permissions.field import DomainLocator, member_arg, requires
from kernel.tenancy.types import field, mutation

__all__ = ["PART", "ConsentMutation", "ConsentQuery"]


def _grantor_in_input() -> DomainLocator:
    return lambda source, info, kwargs: decode_id("Member", kwargs["input"].grantor_member_id)


@strawberry.type
class ConsentQuery:
    @field(
        description="The consent grants the member gave or received, live or not.",
        extensions=[requires(service.READ, member=member_arg())],
    )
    async def consent_grants(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        direction: ConsentDirection,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ConsentGrantType]:
        page = page_request(first, after)
        context = context_of(info)
        rows = await service.list_grants(
            context.kernel,
            actor=context.require_principal(),
            member_id=decode_id("Member", member_id),
            direction=direction.to_service(),
            after_id=page.after_id,
            limit=page.limit,
            memo=context.memo,
        )
        return page.connection(rows, ConsentGrantType.from_row)


@strawberry.type
class ConsentMutation:
    @mutation(
        description="Let another member of the alliance read the grantor's data.",
        extensions=[requires(service.MANAGE, member=_grantor_in_input())],
    )
    async def grant_consent(
        self, info: Info[Any, Any], input: GrantConsentInput
    ) -> ConsentGrantType:
        context = context_of(info)
        row = await service.grant_consent(
            context.kernel,
            actor=context.require_principal(),
            grantor_member_id=decode_id("Member", input.grantor_member_id),
            grantee_member_id=decode_id("Member", input.grantee_member_id),
            scope=input.scope,
            purpose=input.purpose,
            legal_basis=input.legal_basis,
            data_categories=input.data_categories,
            expires_at=input.expires_at,
            memo=context.memo,
        )
        return ConsentGrantType.from_row(row)

    @mutation(
        description="Revoke one of the member's grants: in force on the next request. "
        "Revoking a revoked grant changes nothing.",
        extensions=[requires(service.MANAGE, member=member_arg())],
    )
    async def revoke_consent(
        self, info: Info[Any, Any], member_id: strawberry.ID, grant_id: strawberry.ID
    ) -> ConsentGrantType:
        context = context_of(info)
        row = await service.revoke_consent(
            context.kernel,
            actor=context.require_principal(),
            grantor_member_id=decode_id("Member", member_id),
            grant_id=decode_id("ConsentGrant", grant_id),
            memo=context.memo,
        )
        return ConsentGrantType.from_row(row)


PART = SchemaPart("kernel.consent", query=ConsentQuery, mutation=ConsentMutation)

"""Helpers for the consent tests: a small alliance, an audit recorder, GraphQL documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from kernel.audit import log as audit_log
from kernel.gateway.ids import encode_id
from kernel.tenancy.tables import Member
from tests.factories import Factory

GRANT_FIELDS = (
    "id scope purpose legalBasis dataCategories createdAt expiresAt revokedAt live "
    "grantor { id name } grantee { id name }"
)
GRANT = (
    f"mutation($input: GrantConsentInput!) {{ grantConsent(input: $input) {{ {GRANT_FIELDS} }} }}"
)
REVOKE = (
    "mutation($m: ID!, $g: ID!) "
    f"{{ revokeConsent(memberId: $m, grantId: $g) {{ {GRANT_FIELDS} }} }}"
)
LIST = (
    "query($m: ID!, $d: ConsentDirection!, $first: Int, $after: String) "
    "{ consentGrants(memberId: $m, direction: $d, first: $first, after: $after) "
    f"{{ nodes {{ {GRANT_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }} }}"
)


def gid(type_name: str, pk: int) -> str:
    return str(encode_id(type_name, pk))


@dataclass
class Scene:
    """A store, a warehouse and a leader in one alliance; an outsider in another."""

    store: Member
    warehouse: Member
    leader: Member
    outsider: Member
    store_owner: str  # tokens
    store_staff: str
    warehouse_owner: str
    outsider_owner: str


async def scene(factory: Factory) -> Scene:
    alliance = await factory.alliance()
    store = await factory.member(alliance, kind="store")
    warehouse = await factory.member(alliance, kind="warehouse_operator")
    leader = await factory.member(alliance, kind="leader")
    outsider = await factory.member(await factory.alliance(), kind="store")
    tokens = []
    for member, role in [
        (store, "owner"),
        (store, "staff"),
        (warehouse, "owner"),
        (outsider, "owner"),
    ]:
        user = await factory.user()
        await factory.membership(member, user, role)
        tokens.append((await factory.sign_in(user)).token)
    return Scene(store, warehouse, leader, outsider, *tokens)


def grant_input(grantor: int, grantee: int, **fields: Any) -> dict[str, Any]:
    return {
        "grantorMemberId": gid("Member", grantor),
        "granteeMemberId": gid("Member", grantee),
        "scope": "orders:read",
        "purpose": "fulfilment",
        "legalBasis": "contract",
        **fields,
    }


def record_audit(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the audit log's ``append`` by a recorder that also checks its contract: it is
    called inside the caller's write transaction."""
    entries: list[dict[str, Any]] = []

    async def append(target: Any, **entry: Any) -> None:
        # ``target`` may be another kernel on the same database (a second "process").
        assert target.db.engine.current_transaction.get() is not None, "outside a transaction"
        entries.append(entry)

    monkeypatch.setattr(audit_log, "append", append)
    return entries

"""Granting, revoking and listing consent through GraphQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kernel.consent import purposes
from tests.consent import GRANT, LIST, REVOKE, Scene, gid, grant_input, record_audit, scene
from tests.factories import Factory
from tests.graphql_client import GraphQLClient


@pytest.fixture
def audit(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    return record_audit(monkeypatch)


@pytest.fixture
async def s(factory: Factory) -> Scene:
    return await scene(factory)


def _field_errors(result: Any) -> dict[str, str]:
    (error,) = result.errors
    return {e["field"]: e["message"] for e in error["extensions"].get("fieldErrors", [])}


async def test_grant_is_listed_given_and_received(
    gql: GraphQLClient, s: Scene, audit: list[dict[str, Any]]
) -> None:
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()
    variables = {
        "input": grant_input(
            s.store.id, s.warehouse.id, dataCategories=["lines", "pickup"], expiresAt=expires
        )
    }
    grant = (await gql(GRANT, variables, token=s.store_owner)).ok()["grantConsent"]
    assert grant["grantor"]["id"] == gid("Member", s.store.id)
    assert grant["grantee"]["id"] == gid("Member", s.warehouse.id)
    assert grant["dataCategories"] == ["lines", "pickup"]
    assert grant["live"] and grant["revokedAt"] is None and grant["expiresAt"]
    [entry] = audit
    assert entry["action"] == "consent.grant" and entry["member_id"] == s.store.id
    assert gid("ConsentGrant", entry["grant_id"]) == grant["id"]

    def ids(result: Any) -> list[str]:
        return [n["id"] for n in result.ok()["consentGrants"]["nodes"]]

    store = gid("Member", s.store.id)
    warehouse = gid("Member", s.warehouse.id)
    assert ids(await gql(LIST, {"m": store, "d": "GIVEN"}, token=s.store_owner)) == [grant["id"]]
    assert ids(await gql(LIST, {"m": store, "d": "RECEIVED"}, token=s.store_owner)) == []
    received = await gql(LIST, {"m": warehouse, "d": "RECEIVED"}, token=s.warehouse_owner)
    assert ids(received) == [grant["id"]]
    assert ids(await gql(LIST, {"m": warehouse, "d": "GIVEN"}, token=s.warehouse_owner)) == []


async def test_pages(gql: GraphQLClient, s: Scene) -> None:
    for grantee in (s.warehouse.id, s.leader.id, s.warehouse.id):
        (await gql(GRANT, {"input": grant_input(s.store.id, grantee)}, token=s.store_owner)).ok()
    store = gid("Member", s.store.id)
    first = await gql(LIST, {"m": store, "d": "GIVEN", "first": 2}, token=s.store_owner)
    page = first.ok()["consentGrants"]
    assert len(page["nodes"]) == 2 and page["pageInfo"]["hasNextPage"]
    after = page["pageInfo"]["endCursor"]
    rest = await gql(LIST, {"m": store, "d": "GIVEN", "after": after}, token=s.store_owner)
    assert len(rest.ok()["consentGrants"]["nodes"]) == 1


async def test_unknown_names_are_field_errors(gql: GraphQLClient, s: Scene) -> None:
    bad = grant_input(
        s.store.id,
        s.warehouse.id,
        scope="orders:steal",
        purpose="resale",
        legalBasis="because",
        dataCategories=["Not A Category"],
    )
    result = await gql(GRANT, {"input": bad}, token=s.store_owner)
    assert result.code == "BAD_USER_INPUT"
    assert set(_field_errors(result)) == {"scope", "purpose", "legalBasis", "dataCategories"}


async def test_expiry_in_the_past_is_refused(gql: GraphQLClient, s: Scene) -> None:
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    variables = {"input": grant_input(s.store.id, s.warehouse.id, expiresAt=past)}
    result = await gql(GRANT, variables, token=s.store_owner)
    assert result.code == "BAD_USER_INPUT"
    assert set(_field_errors(result)) == {"expiresAt"}


async def test_grantee_outside_the_alliance_is_not_found(
    gql: GraphQLClient, s: Scene, audit: list[dict[str, Any]]
) -> None:
    outside = await gql(
        GRANT, {"input": grant_input(s.store.id, s.outsider.id)}, token=s.store_owner
    )
    missing = await gql(
        GRANT, {"input": grant_input(s.store.id, s.outsider.id + 1000)}, token=s.store_owner
    )
    assert outside.code == missing.code == "NOT_FOUND"
    assert outside.errors[0]["message"] == missing.errors[0]["message"]
    assert audit == []


async def test_a_member_needs_no_grant_from_itself(gql: GraphQLClient, s: Scene) -> None:
    result = await gql(GRANT, {"input": grant_input(s.store.id, s.store.id)}, token=s.store_owner)
    assert result.code == "BAD_USER_INPUT"


async def test_staff_may_neither_grant_nor_list(gql: GraphQLClient, s: Scene) -> None:
    result = await gql(GRANT, {"input": grant_input(s.store.id, s.leader.id)}, token=s.store_staff)
    assert result.code == "FORBIDDEN"
    store = gid("Member", s.store.id)
    assert (await gql(LIST, {"m": store, "d": "GIVEN"}, token=s.store_staff)).code == "FORBIDDEN"


async def test_the_grantee_cannot_revoke_and_nobody_revokes_through_another_member(
    gql: GraphQLClient, s: Scene
) -> None:
    grant = (
        await gql(GRANT, {"input": grant_input(s.store.id, s.warehouse.id)}, token=s.store_owner)
    ).ok()["grantConsent"]
    as_grantee = await gql(
        REVOKE, {"m": gid("Member", s.store.id), "g": grant["id"]}, token=s.warehouse_owner
    )
    assert as_grantee.code == "NOT_FOUND"
    through_own = await gql(
        REVOKE, {"m": gid("Member", s.warehouse.id), "g": grant["id"]}, token=s.warehouse_owner
    )
    assert through_own.code == "NOT_FOUND"
    store = gid("Member", s.store.id)
    listed = await gql(LIST, {"m": store, "d": "GIVEN"}, token=s.store_owner)
    assert listed.ok()["consentGrants"]["nodes"][0]["live"]


async def test_revoking_twice_is_idempotent(
    gql: GraphQLClient, s: Scene, audit: list[dict[str, Any]]
) -> None:
    grant = (
        await gql(GRANT, {"input": grant_input(s.store.id, s.warehouse.id)}, token=s.store_owner)
    ).ok()["grantConsent"]
    variables = {"m": gid("Member", s.store.id), "g": grant["id"]}
    first = (await gql(REVOKE, variables, token=s.store_owner)).ok()["revokeConsent"]
    second = (await gql(REVOKE, variables, token=s.store_owner)).ok()["revokeConsent"]
    assert first["revokedAt"] is not None and not first["live"]
    assert second == first
    assert [e["action"] for e in audit] == ["consent.grant", "consent.revoke"]
    assert audit[1]["grant_id"] == audit[0]["grant_id"]


async def test_plugins_extend_the_vocabularies(gql: GraphQLClient, s: Scene) -> None:
    purposes.register_scope("bakery-orders:read", "A bakery's pre-orders.")
    purposes.register_purpose("cold-chain", "Keeping fresh goods cold on the way.")
    purposes.register_scope("bakery-orders:read", "A bakery's pre-orders.")  # idempotent
    with pytest.raises(ValueError):
        purposes.register_scope("bakery-orders:read", "Something else.")
    with pytest.raises(ValueError):
        purposes.register_purpose("Cold Chain", "bad name")
    variables = {
        "input": grant_input(
            s.store.id, s.warehouse.id, scope="bakery-orders:read", purpose="cold-chain"
        )
    }
    assert (await gql(GRANT, variables, token=s.store_owner)).ok()["grantConsent"]["live"]

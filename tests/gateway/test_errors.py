"""Error mapping: codes on every error, AllianceError passed through, the rest masked."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import pytest
from graphql import GraphQLError
from litestar import Litestar
from litestar.testing import TestClient

from kernel.errors import Conflict, ErrorCode
from kernel.gateway.errors import INTERNAL_MESSAGE, format_error, strip_suggestions

Client = TestClient[Litestar]


def post(client: Client, query: str, **kwargs: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, **kwargs})
    body: dict[str, Any] = response.json()
    return body


def test_alliance_error_code_and_field_errors(client: Client) -> None:
    body = post(client, "{ invalid }")
    (error,) = body["errors"]
    assert error["message"] == "Check the form"
    assert error["path"] == ["invalid"]
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "fieldErrors": [{"field": "price", "message": "must be positive"}],
    }


def test_not_found(client: Client) -> None:
    (error,) = post(client, "{ missing }")["errors"]
    assert error["message"] == "No such listing"
    assert error["extensions"] == {"code": "NOT_FOUND"}


def test_runtime_error_is_masked_and_logged(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="kernel.gateway"):
        response = client.post("/graphql", json={"query": "{ hello boom }"})
    text = response.text
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["message"] == INTERNAL_MESSAGE
    assert error["extensions"] == {"code": "INTERNAL"}
    for leak in ("hunter2", "RuntimeError", "Traceback", ".py", "conftest"):
        assert leak not in text
    records = [r for r in caplog.records if r.name == "kernel.gateway"]
    assert len(records) == 1
    assert records[0].exc_info is not None
    assert isinstance(records[0].exc_info[1], RuntimeError)
    assert "hunter2" in caplog.text  # server-side only


def test_expected_errors_are_not_logged(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="kernel.gateway"):
        post(client, "{ missing }")
        post(client, "{ nope }")
        post(client, "{ hello")
    assert not [r for r in caplog.records if r.name == "kernel.gateway"]


def test_parse_error_code(client: Client) -> None:
    (error,) = post(client, "{ hello")["errors"]
    assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    assert error["message"].startswith("Syntax Error")


def test_validation_error_code(client: Client) -> None:
    body = post(client, "{ hello(x: 1) }")
    assert body["errors"][0]["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


def test_variable_coercion_is_bad_user_input(client: Client, calls: Counter[str]) -> None:
    body = post(client, "query($t: String!) { echo(text: $t) }", variables={"t": 3})
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert calls["echo"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "{ helo }",  # field
        '{ echo(txt: "a") }',  # argument
        'query($f: Filtr) { echo(text: "a") }',  # type
        '{ echo(text: "a", filter: {limt: 1}) }',  # input field
    ],
)
def test_production_hides_suggestions(client: Client, dev_client: Client, query: str) -> None:
    production = post(client, query)["errors"]
    assert production and all("Did you mean" not in e["message"] for e in production)
    assert all(e["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" for e in production)
    # Development keeps them: the test above is not vacuous.
    assert any("Did you mean" in e["message"] for e in post(dev_client, query)["errors"])


def test_production_hides_suggestions_in_variable_errors(client: Client) -> None:
    body = post(
        client,
        'query($f: Filter) { echo(text: "a", filter: $f) }',
        variables={"f": {"limt": 1}},
    )
    assert body["errors"] and all("Did you mean" not in e["message"] for e in body["errors"])
    assert any("Found: {'limt': 1}" in e["message"] for e in body["errors"])


def test_introspection_refused_for_public_schema(client: Client) -> None:
    body = post(client, "{ __schema { types { name } } }")
    assert "data" not in body
    assert {e["extensions"]["code"] for e in body["errors"]} == {"QUERY_REFUSED"}
    assert "introspection" in body["errors"][0]["message"]
    # __typename is not introspection of the schema: still allowed.
    assert post(client, "{ __typename }") == {"data": {"__typename": "Query"}}


def test_introspection_allowed_for_admin_schema(client: Client) -> None:
    response = client.post(
        "/graphql",
        json={"query": "{ __schema { types { name } } }"},
        headers={"x-test-admin": "1"},
    )
    names = {t["name"] for t in response.json()["data"]["__schema"]["types"]}
    assert {"Query", "Node", "Mutation"} <= names


def test_every_error_has_a_code(client: Client) -> None:
    queries = ["{ hello", "{ nope }", "{ boom }", "{ missing }", '{ __type(name: "Q") { name } }']
    for query in queries:
        for error in post(client, query)["errors"]:
            assert error["extensions"]["code"] in set(ErrorCode)


def test_format_error_is_idempotent() -> None:
    errors = [
        GraphQLError("boom", original_error=RuntimeError("secret"), path=["x"]),
        GraphQLError("conflict", original_error=Conflict("Already taken"), path=["y"]),
        GraphQLError("Cannot query field 'a'. Did you mean 'b'?"),
    ]
    for error in errors:
        once = format_error(error, production=True)
        twice = format_error(once, production=True)
        assert once.formatted == twice.formatted
        assert "code" in (once.extensions or {})


def test_strip_suggestions() -> None:
    message = "Unknown argument 'txt' on field 'Query.echo'. Did you mean 'text'?"
    assert strip_suggestions(message) == "Unknown argument 'txt' on field 'Query.echo'."
    assert strip_suggestions("No suggestion here.") == "No suggestion here."
    inner = "Unknown field 'limt'. Did you mean 'limit' or 'limits'? Found: {'limt': 1}."
    assert strip_suggestions(inner) == "Unknown field 'limt'. Found: {'limt': 1}."

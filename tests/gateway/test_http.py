"""GraphQL over HTTP and WebSocket through the gateway controller."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from litestar import Litestar
from litestar.di import Provide
from litestar.testing import TestClient
from strawberry.litestar import make_graphql_controller

import kernel.gateway.controller as gateway_controller
from kernel.gateway.controller import GRAPHQL_RESPONSE_JSON, SchemaPair, make_controller

from .conftest import THREADS, get_context, make_schemas

Client = TestClient[Litestar]


def test_post_query(client: Client, calls: Counter[str]) -> None:
    response = client.post("/graphql", json={"query": "{ hello }"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"data": {"hello": "world"}}
    assert calls["hello"] == 1


def test_post_with_variables_and_operation_name(client: Client) -> None:
    response = client.post(
        "/graphql",
        json={
            "query": "query A { hello } query B($t: String!) { echo(text: $t) }",
            "operationName": "B",
            "variables": {"t": "hi"},
        },
    )
    assert response.json() == {"data": {"echo": "hi"}}


def test_post_mutation(client: Client, calls: Counter[str]) -> None:
    response = client.post("/graphql", json={"query": "mutation { bump }"})
    assert response.json() == {"data": {"bump": 1}}


def test_get_query(client: Client) -> None:
    response = client.get("/graphql", params={"query": "{ hello }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"hello": "world"}}


def test_get_mutation_refused_405(client: Client, calls: Counter[str]) -> None:
    response = client.get("/graphql", params={"query": "mutation { bump }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_REFUSED"
    assert calls["bump"] == 0


def test_subscription_over_post_refused(client: Client, calls: Counter[str]) -> None:
    response = client.post("/graphql", json={"query": "subscription { count(to: 2) }"})
    assert response.status_code == 400
    assert calls["count"] == 0


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(b"{ hello }", "text/plain"), (b"query={ hello }", "application/x-www-form-urlencoded")],
)
def test_wrong_content_type(client: Client, content: bytes, content_type: str) -> None:
    response = client.post("/graphql", content=content, headers={"content-type": content_type})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": "Unsupported content type", "extensions": {"code": "QUERY_REFUSED"}}]
    }


def test_invalid_json(client: Client) -> None:
    response = client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_REFUSED"


def test_missing_query(client: Client) -> None:
    response = client.post("/graphql", json={"variables": {}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "No GraphQL query found in the request"


def test_graphql_response_json_validation_error_is_400(client: Client) -> None:
    response = client.post(
        "/graphql", json={"query": "{ nope }"}, headers={"accept": GRAPHQL_RESPONSE_JSON}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    body = response.json()
    assert "data" not in body  # a request error has no "data" entry
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_graphql_response_json_parse_error_is_400(client: Client) -> None:
    response = client.post(
        "/graphql", json={"query": "{ hello"}, headers={"accept": GRAPHQL_RESPONSE_JSON}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_application_json_validation_error_is_200(client: Client) -> None:
    response = client.post(
        "/graphql", json={"query": "{ nope }"}, headers={"accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_graphql_response_json_field_error_is_200(client: Client) -> None:
    response = client.post(
        "/graphql",
        json={"query": "{ node { hello } missing }"},
        headers={"accept": GRAPHQL_RESPONSE_JSON},
    )
    # Execution started: a field error keeps 200 and the "data" entry (null here).
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert response.json()["data"] is None


def test_graphql_response_json_success(client: Client) -> None:
    response = client.post(
        "/graphql",
        json={"query": "{ hello }"},
        headers={"accept": f"{GRAPHQL_RESPONSE_JSON}, application/json;q=0.9"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)


def test_wildcard_accept_gets_application_json(client: Client) -> None:
    response = client.post("/graphql", json={"query": "{ nope }"}, headers={"accept": "*/*"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


def test_graphiql_off_in_production(client: Client) -> None:
    response = client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 404


def test_graphiql_on_in_development(dev_client: Client) -> None:
    response = client_get_html(dev_client)
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def client_get_html(client: Client) -> Any:
    return client.get("/graphql", headers={"accept": "text/html"})


def test_response_dependency_has_no_thread_hop() -> None:
    controller = make_controller(
        make_schemas(production=True), context_getter=get_context, graphiql=False
    )
    ours = controller.dependencies["response"]
    assert isinstance(ours, Provide) and ours.sync_to_thread is False
    # The stock controller does hop: the override is what removes it.
    stock = make_graphql_controller(make_schemas(production=True).public).dependencies["response"]
    assert isinstance(stock, Provide) and stock.sync_to_thread is True


def test_response_dependency_runs_on_event_loop_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = gateway_controller._response_getter

    def recording() -> Any:
        seen.append(threading.get_ident())
        return real()

    monkeypatch.setattr(gateway_controller, "_response_getter", recording)
    controller = make_controller(
        make_schemas(production=True), context_getter=get_context, graphiql=False
    )
    assert isinstance(controller.dependencies["response"], Provide)
    with TestClient(Litestar(route_handlers=[controller])) as client:
        response = client.post("/graphql", json={"query": "{ threadProbe }"})
    assert response.json() == {"data": {"threadProbe": True}}
    # The async resolver runs on the event loop thread; so did the response dependency.
    assert seen == THREADS and len(seen) == 1


def test_selector_gets_the_merged_context() -> None:
    pair = make_schemas(production=True)
    seen: list[Any] = []

    def selector_call(context: Any) -> Any:
        seen.append(context)
        return SchemaPair.__call__(pair, context)

    class Recording:
        default = pair.public
        __call__ = staticmethod(selector_call)

    controller = make_controller(Recording(), context_getter=get_context, graphiql=False)
    with TestClient(Litestar(route_handlers=[controller])) as client:
        client.post("/graphql", json={"query": "{ hello }"}, headers={"x-test-admin": "1"})
    assert seen[0]["introspection_allowed"] is True
    assert {"request", "response"} <= set(seen[0])


def ws_messages(client: Client, query: str, headers: dict[str, str] | None = None) -> list[Any]:
    with client.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"], headers=headers
    ) as ws:
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json() == {"type": "connection_ack"}
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        messages = []
        while True:
            message = ws.receive_json()
            messages.append(message)
            if message["type"] in ("complete", "error"):
                return messages


def test_subscription_over_websocket(client: Client, calls: Counter[str]) -> None:
    messages = ws_messages(client, "subscription { count(to: 3) }")
    assert [m["payload"]["data"]["count"] for m in messages if m["type"] == "next"] == [1, 2, 3]
    assert messages[-1] == {"id": "1", "type": "complete"}


def test_websocket_uses_the_selected_schema(client: Client) -> None:
    query = "query { __schema { queryType { name } } }"
    refused = ws_messages(client, query)
    assert refused[0]["type"] == "error"
    assert refused[0]["payload"][0]["extensions"]["code"] == "QUERY_REFUSED"
    allowed = ws_messages(client, query, headers={"x-test-admin": "1"})
    assert allowed[0]["payload"]["data"] == {"__schema": {"queryType": {"name": "Query"}}}


def test_websocket_limits_apply(client: Client, calls: Counter[str]) -> None:
    messages = ws_messages(
        client,
        "subscription { count(to: 1) " + " ".join(f"a{i}: count(to: 1)" for i in range(20)) + " }",
    )
    assert messages[0]["type"] == "error"
    assert calls["count"] == 0


def test_other_methods_refused(client: Client) -> None:
    assert client.put("/graphql", json={"query": "{ hello }"}).status_code == 405

"""Fixtures shared by the whole suite.

Every test that touches the database runs twice: on SQLite and on PostgreSQL. PostgreSQL is
``ALLIANCE_TEST_POSTGRES_URL`` (default: the local server as the ``postgres`` user). When it is
unreachable the PostgreSQL runs are skipped with a reason, except in CI (``CI=true``) or with
``ALLIANCE_TEST_REQUIRE_POSTGRES=1``, where they fail.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from litestar import Litestar

from alliance_sdk.testdb import empty_postgres, migrated, with_database
from kernel.db.piccolo_conf import APP_REGISTRY
from kernel.gateway.app import create_app
from kernel.plugins.loading import install_piccolo_apps, load_plugins
from kernel.runtime import Kernel
from kernel.settings import Settings
from tests.factories import Factory
from tests.graphql_client import GraphQLClient

PG_ADMIN_URL = os.environ.get(
    "ALLIANCE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_PG = (
    os.environ.get("CI") == "true" or os.environ.get("ALLIANCE_TEST_REQUIRE_POSTGRES") == "1"
)
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"

ENGINES = ["sqlite", "postgres"]


async def _migrate(url: str) -> None:
    # The built-in plugins' apps are installed when the first app is created; the template
    # may be made before that, so install them here (idempotent).
    install_piccolo_apps(load_plugins(), APP_REGISTRY)
    await migrated(url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite"
    asyncio.run(_migrate(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    name = f"alliance_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    async def create() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    async def drop() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    try:
        asyncio.run(create())
    except (OSError, asyncpg.PostgresError) as exc:
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"
        if REQUIRE_PG:
            pytest.fail(message)
        pytest.skip(message)
    url = with_database(PG_ADMIN_URL, name)
    asyncio.run(_migrate(url))
    yield url
    asyncio.run(drop())


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database for this test, on each engine in turn."""
    if request.param == "sqlite":
        path = tmp_path / "alliance.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(empty_postgres(url))
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET,  # type: ignore[arg-type]
        var_dir=tmp_path / "var",
        mode="development",  # type: ignore[arg-type]
        db_pool_size=4,
        # No background dispatcher: event tests drain explicitly (tests/events/test_wiring.py
        # checks the serving configuration).
        background_tasks=False,
    )


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def http(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the real app, running in the test's own event loop.

    litestar's ``AsyncTestClient`` runs the app in a portal thread with its own loop, and
    asyncpg connections cannot cross loops; httpx's ASGI transport plus the app's own
    lifespan keeps app, database and test on one loop.
    """
    # Start/stop hooks are called directly: app.lifespan() opens an anyio task group, which
    # pytest-asyncio would enter and exit in different tasks.
    for hook in app.on_startup:
        await hook()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        for hook in app.on_shutdown:
            await hook()


@pytest.fixture
def kernel(app: Litestar, http: httpx.AsyncClient) -> Kernel:
    """The started kernel behind ``http``: services and tables work in the test directly."""
    started: Kernel = app.state.kernel
    return started


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
def factory(kernel: Kernel) -> Factory:
    return Factory(kernel)


def pytest_collection_modifyitems(items: list[Any]) -> None:
    # Keep each engine's tests together so the PostgreSQL database is created once, late.
    items.sort(key=lambda item: "[postgres" in item.nodeid)

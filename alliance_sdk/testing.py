"""pytest fixtures for plugin authors: a real kernel on a temporary database (SQLite, and
PostgreSQL too when ``ALLIANCE_TEST_POSTGRES_URL`` is set), with the plugin under test
registered, a GraphQL client, factories and the events published.

Installed as a pytest plugin (the ``pytest11`` entry point ``alliance_sdk``): nothing to
import. Name the plugin(s) under test, by their package (``pickup``) or hooks module
(``pickup.hooks``), in one of three ways (the first found wins):

1. a marker on a test, module (``pytestmark``) or class:
   ``@pytest.mark.alliance_plugins("pickup")``;
2. the ``alliance_plugins`` ini option (``[tool.pytest.ini_options] alliance_plugins =
   ["pickup"]``);
3. overriding the ``alliance_plugins`` fixture (return module objects or names).

Engines: every test using the app runs once per engine (``alliance_engine`` is ``sqlite`` or
``postgres``): SQLite always; PostgreSQL when ``ALLIANCE_TEST_POSTGRES_URL`` names a server
(the tests create, migrate and drop databases of their own there). The ``alliance_engines``
ini option (``["sqlite", "postgres"]``) chooses explicitly. An unreachable PostgreSQL skips
its runs, or fails them when ``CI=true`` or ``ALLIANCE_TEST_REQUIRE_POSTGRES=1``.

Fixtures: ``alliance_engine``, ``alliance_settings``, ``alliance_app`` (started, migrated,
plugin accepted), ``alliance_kernel``, ``alliance_http``, ``alliance_client``,
``alliance_factory`` and ``captured_events``. The app runs in the test's own event loop
(httpx's ASGI transport), so services and tables can be used directly in the test. See
docs/plugins/testing.md.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar, cast

import httpx
import pytest
import pytest_asyncio
from litestar import Litestar

from alliance_sdk.testdb import REQUIRE_POSTGRES, TestDatabases, configured_engines
from alliance_sdk.testkit import AllianceClient, AllianceFactory, CapturedEvents, GraphQLResult
from kernel.db.piccolo_conf import APP_REGISTRY
from kernel.events.base import Event
from kernel.gateway.app import create_app
from kernel.permissions.registry import ActionRegistry
from kernel.plugins.discovery import import_hooks, package_name
from kernel.plugins.loading import install_piccolo_apps, load_plugins
from kernel.plugins.manager import PluginHost
from kernel.runtime import Kernel
from kernel.settings import Settings

__all__ = [
    "TEST_SECRET",
    "AllianceClient",
    "AllianceFactory",
    "CapturedEvents",
    "GraphQLResult",
    "alliance_app",
    "alliance_client",
    "alliance_database_url",
    "alliance_databases",
    "alliance_engine",
    "alliance_factory",
    "alliance_http",
    "alliance_kernel",
    "alliance_plugins",
    "alliance_settings",
    "captured_events",
    "resolve_plugins",
]

TEST_SECRET: Final = "alliance-sdk-test-secret-key-long-enough-0123456789"
_INI: Final = "alliance_plugins"
_ENGINES_INI: Final = "alliance_engines"
_MARKER: Final = "alliance_plugins"
E = TypeVar("E", bound=Event)


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``alliance_plugins`` ini option."""
    parser.addini(
        _INI,
        type="linelist",
        default=[],
        help="alliance_sdk.testing: plugin packages (or hooks modules) under test",
    )
    parser.addini(
        _ENGINES_INI,
        type="linelist",
        default=[],
        help="alliance_sdk.testing: engines to run on (sqlite, postgres); default sqlite, "
        "plus postgres when ALLIANCE_TEST_POSTGRES_URL is set",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``alliance_plugins`` marker (``--strict-markers`` friendly)."""
    config.addinivalue_line(
        "markers", f"{_MARKER}(*modules): the plugins registered in alliance_app for this test"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses the app once per configured engine."""
    if "alliance_engine" in metafunc.fixturenames:
        engines = configured_engines(metafunc.config.getini(_ENGINES_INI))
        metafunc.parametrize("alliance_engine", engines, indirect=True)


def resolve_plugins(names: Sequence[object]) -> list[object]:
    """Plugin objects for ``names``: a module object passes through; a package name imports
    its ``hooks`` module when it has one; any other name imports that module."""
    modules: list[object] = []
    for name in names:
        if not isinstance(name, str):
            modules.append(name)
            continue
        module = importlib.import_module(name)
        modules.append(import_hooks(name) if hasattr(module, "__path__") else module)
    return modules


def _slug(module: object) -> str:
    return package_name(str(getattr(module, "__name__", "")))


# --- the app ----------------------------------------------------------------------------------


@pytest.fixture
def alliance_plugins(request: pytest.FixtureRequest) -> list[object]:
    """The plugins under test: the closest ``alliance_plugins`` marker's arguments, else the
    ini option. Override this fixture to choose them in code."""
    marker = request.node.get_closest_marker(_MARKER)
    names: Sequence[object] = marker.args if marker is not None else request.config.getini(_INI)
    if not names:
        pytest.fail(
            "alliance_sdk.testing: no plugin under test; set the alliance_plugins ini option, "
            "mark the test @pytest.mark.alliance_plugins('yourplugin') or override the "
            "alliance_plugins fixture",
            pytrace=False,
        )
    return resolve_plugins(names)


@pytest.fixture
def alliance_engine(request: pytest.FixtureRequest) -> str:
    """The engine of this test's database: ``sqlite`` or ``postgres``."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def alliance_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabases]:
    """The session's migrated templates and PostgreSQL databases (dropped at the end)."""
    databases = TestDatabases(tmp_path_factory.mktemp("alliance_db"))
    yield databases
    databases.drop_all()


def _host(plugins: Sequence[object]) -> PluginHost:
    """A host with only the kernel's parts and ``plugins`` (nothing discovered)."""
    return load_plugins(builtin=False, entry_points=False, extra=plugins, actions=ActionRegistry())


@pytest_asyncio.fixture
async def alliance_database_url(
    alliance_engine: str,
    alliance_plugins: list[object],
    alliance_databases: TestDatabases,
    tmp_path: Path,
) -> str:
    """The URL of this test's own empty database. SQLite: a file ``alliance_app`` fills
    from the plugin set's migrated template. PostgreSQL: the plugin set's database, migrated
    on first use and emptied for each test."""
    if alliance_engine == "sqlite":
        return f"sqlite:///{tmp_path / 'alliance.sqlite'}"
    # The plugins' piccolo apps must be known before the first migration.
    host = _host(alliance_plugins)
    install_piccolo_apps(host, APP_REGISTRY)
    try:
        return await alliance_databases.postgres(tuple(sorted(host.plugins)))
    except Exception as exc:  # OSError, asyncpg.PostgresError: the server is not there
        message = f"PostgreSQL not reachable at {alliance_databases.admin_url}: {exc}"
        if REQUIRE_POSTGRES:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture
def alliance_settings(alliance_database_url: str, tmp_path: Path) -> Settings:
    """Settings of a development kernel on this test's database, without the background
    dispatcher (deliver events with ``captured_events.deliver()``)."""
    return Settings(
        database_url=alliance_database_url,
        secret_key=TEST_SECRET,
        var_dir=tmp_path / "var",
        mode="development",
        db_pool_size=4,
        background_tasks=False,
    )


@pytest_asyncio.fixture
async def alliance_app(
    alliance_settings: Settings,
    alliance_plugins: list[object],
    alliance_databases: TestDatabases,
) -> AsyncIterator[Litestar]:
    """The kernel's app with only the kernel's parts and the plugins under test (no built-in
    or installed plugins are discovered), migrated (the plugins' apps included) and started.
    Fails the test with the host's reason when a plugin under test is refused."""
    host = _host(alliance_plugins)
    refused = {s: host.refused[s] for s in map(_slug, alliance_plugins) if s in host.refused}
    if refused:
        reasons = "; ".join(f"{slug}: {why}" for slug, why in sorted(refused.items()))
        pytest.fail(f"plugin refused by the kernel: {reasons}", pytrace=False)
    app = create_app(alliance_settings, plugins=host)  # installs the plugins' piccolo apps
    url = alliance_settings.database_url
    if url.startswith("sqlite:///"):
        target = Path(url.removeprefix("sqlite:///"))
        await alliance_databases.sqlite(tuple(sorted(host.plugins)), target)
    # Start/stop hooks are called directly: app.lifespan() opens an anyio task group, which
    # pytest-asyncio would enter and exit in different tasks.
    # The kernel's hooks take no arguments (litestar's type allows an ``app`` parameter).
    for hook in app.on_startup:
        await cast("Any", hook)()
    try:
        yield app
    finally:
        for hook in app.on_shutdown:
            await cast("Any", hook)()


@pytest.fixture
def alliance_kernel(alliance_app: Litestar) -> Kernel:
    """The started kernel behind ``alliance_app``: services and tables work directly."""
    kernel: Kernel = alliance_app.state.kernel
    return kernel


@pytest_asyncio.fixture
async def alliance_http(alliance_app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on ``alliance_app`` (base URL ``http://testserver``)."""
    transport = httpx.ASGITransport(app=cast("Any", alliance_app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


# --- GraphQL, factories, events (classes in alliance_sdk.testkit) -------------------------


@pytest.fixture
def alliance_client(alliance_http: httpx.AsyncClient, alliance_kernel: Kernel) -> AllianceClient:
    """A GraphQL client on ``alliance_app``, anonymous until ``sign_in(user)``."""
    return AllianceClient(alliance_http, alliance_kernel)


@pytest.fixture
def alliance_factory(alliance_kernel: Kernel) -> AllianceFactory:
    """Factories of alliances, members, users, communities, memberships, enablements."""
    return AllianceFactory(alliance_kernel)


@pytest.fixture
def captured_events(alliance_kernel: Kernel) -> CapturedEvents:
    """The events published during the test (each test has its own database)."""
    return CapturedEvents(alliance_kernel)

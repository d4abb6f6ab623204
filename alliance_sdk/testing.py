"""pytest fixtures for plugin authors: a real kernel on a temporary SQLite database, with the
plugin under test registered, a GraphQL client, factories and the events published.

Installed as a pytest plugin (the ``pytest11`` entry point ``alliance_sdk``): nothing to
import. Name the plugin(s) under test, by their package (``pickup``) or hooks module
(``pickup.hooks``), in one of three ways (the first found wins):

1. a marker on a test, module (``pytestmark``) or class:
   ``@pytest.mark.alliance_plugins("pickup")``;
2. the ``alliance_plugins`` ini option (``[tool.pytest.ini_options] alliance_plugins =
   ["pickup"]``);
3. overriding the ``alliance_plugins`` fixture (return module objects or names).

Fixtures: ``alliance_settings``, ``alliance_app`` (started, migrated, plugin accepted),
``alliance_kernel``, ``alliance_http``, ``alliance_client``, ``alliance_factory`` and
``captured_events``. The app runs in the test's own event loop (httpx's ASGI transport), so
services and tables can be used directly in the test. See docs/plugins/testing.md.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar, cast

import httpx
import pytest
import pytest_asyncio
from litestar import Litestar

from alliance_sdk.testkit import AllianceClient, AllianceFactory, CapturedEvents, GraphQLResult
from kernel.db import Database
from kernel.db.migrate import apply_migrations
from kernel.events.base import Event
from kernel.gateway.app import create_app
from kernel.permissions.registry import ActionRegistry
from kernel.plugins.discovery import import_hooks, package_name
from kernel.plugins.loading import load_plugins
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


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``alliance_plugins`` marker (``--strict-markers`` friendly)."""
    config.addinivalue_line(
        "markers", f"{_MARKER}(*modules): the plugins registered in alliance_app for this test"
    )


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
def alliance_settings(tmp_path: Path) -> Settings:
    """Settings of a development kernel on a SQLite file in ``tmp_path``, without the
    background dispatcher (deliver events with ``captured_events.deliver()``)."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'alliance.sqlite'}",
        secret_key=TEST_SECRET,
        var_dir=tmp_path / "var",
        mode="development",
        db_pool_size=4,
        background_tasks=False,
    )


# Migrated databases per set of plugins, copied for each test (migrating costs seconds).
_TEMPLATES: dict[tuple[str, ...], Path] = {}


async def _migrated(url: str) -> None:
    db = Database(url, pool_size=2)
    await db.start()
    try:
        await apply_migrations()
    finally:
        await db.stop()


@pytest_asyncio.fixture
async def alliance_app(
    alliance_settings: Settings,
    alliance_plugins: list[object],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Litestar]:
    """The kernel's app with only the kernel's parts and the plugins under test (no built-in
    or installed plugins are discovered), migrated (the plugins' apps included) and started.
    Fails the test with the host's reason when a plugin under test is refused."""
    host = load_plugins(
        builtin=False, entry_points=False, extra=alliance_plugins, actions=ActionRegistry()
    )
    refused = {s: host.refused[s] for s in map(_slug, alliance_plugins) if s in host.refused}
    if refused:
        reasons = "; ".join(f"{slug}: {why}" for slug, why in sorted(refused.items()))
        pytest.fail(f"plugin refused by the kernel: {reasons}", pytrace=False)
    app = create_app(alliance_settings, plugins=host)  # installs the plugins' piccolo apps
    key = tuple(sorted(host.plugins))
    url = alliance_settings.database_url
    target = Path(url.removeprefix("sqlite:///"))
    if key not in _TEMPLATES:
        template = tmp_path_factory.mktemp("alliance_db") / "template.sqlite"
        await _migrated(f"sqlite:///{template}")
        _TEMPLATES[key] = template
    shutil.copyfile(_TEMPLATES[key], target)
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

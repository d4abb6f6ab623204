"""The app of these tests runs with the sample plugins, registered through the host."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from litestar import Litestar

from kernel.gateway.app import create_app
from kernel.permissions.registry import ActionRegistry
from kernel.plugins.loading import load_plugins
from kernel.plugins.manager import PluginHost
from kernel.settings import Settings
from tests.plugins.sample_plugins import alpha, beta, faulty, sleepy

SAMPLES: Sequence[object] = (alpha, beta, faulty, sleepy)
BUDGET = 0.2


def sample_host(*modules: object, **options: object) -> PluginHost:
    """A host with only the kernel's parts and ``modules`` (no discovery); the plugins'
    actions go to a catalogue of its own, not the process's."""
    host = load_plugins(
        builtin=False,
        entry_points=False,
        extra=modules or SAMPLES,
        actions=ActionRegistry(),
        **options,  # type: ignore[arg-type]
    )
    host.budget = BUDGET
    return host


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    alpha.CALLS.clear()
    beta.CALLS.clear()


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings, plugins=sample_host())

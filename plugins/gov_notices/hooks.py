"""The plugin's hooks: the only module the kernel loads (``plugins.gov_notices.hooks``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alliance_sdk import (
    DemoContext,
    Event,
    Job,
    PluginManifest,
    SchemaPart,
    hookimpl,
    register_purpose,
    register_scope,
)
from plugins.gov_notices import demo as demo_seed
from plugins.gov_notices import push
from plugins.gov_notices.events import EVENTS
from plugins.gov_notices.manifest import (
    CONTACT_PURPOSE,
    CONTACT_PURPOSE_DESCRIPTION,
    CONTACT_SCOPE,
    CONTACT_SCOPE_DESCRIPTION,
    manifest,
)

# The consent vocabulary the office's contact reads use: the kernel's defaults, registered
# again with the same words (a no-op there) so the plugin never depends on them silently.
register_scope(CONTACT_SCOPE, CONTACT_SCOPE_DESCRIPTION)
register_purpose(CONTACT_PURPOSE, CONTACT_PURPOSE_DESCRIPTION)


@hookimpl
def register_manifest() -> PluginManifest:
    return manifest()


@hookimpl
def register_graphql() -> SchemaPart:
    from plugins.gov_notices.graphql import part

    return part()


@hookimpl
def register_events() -> Sequence[type[Event]]:
    return EVENTS


@hookimpl
def register_jobs() -> Sequence[Job]:
    return [
        Job(
            name="push_due_emergencies",
            every=push.JOB_EVERY,
            run=push.push_due_emergencies,
            description="Push emergency notices whose publish time has come.",
        )
    ]


@hookimpl
async def seed_demo(kernel: Any, demo: DemoContext) -> None:
    await demo_seed.seed(kernel, demo)

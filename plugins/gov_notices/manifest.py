"""The plugin's manifest: actions with their default roles, configuration, piccolo app."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from alliance_sdk import Action, PluginManifest

__all__ = [
    "CONTACT_PURPOSE",
    "CONTACT_SCOPE",
    "FORWARDER_KINDS",
    "OFFICE_KIND",
    "SLUG",
    "GovNoticesConfig",
    "manifest",
]

SLUG: Final = "gov_notices"
OFFICE_KIND: Final = "government_office"
# The members asked to forward notices to their groups (the brief: leaders and stores).
FORWARDER_KINDS: Final = frozenset({"leader", "store"})

# The consent under which an office may see who the residents behind the counts are.
CONTACT_SCOPE: Final = "residents:contact"
CONTACT_PURPOSE: Final = "public-service"
# Same words as the kernel's defaults: registering them again is a no-op there, and
# defines them on a kernel that lacks them.
CONTACT_SCOPE_DESCRIPTION: Final = "How to reach the grantor's residents (name, phone, community)."
CONTACT_PURPOSE_DESCRIPTION: Final = "A public body's service to residents."

PUBLISH: Final = "gov_notices.notices.publish"
READ: Final = "gov_notices.notices.read"
FORWARD: Final = "gov_notices.notices.forward"
REACH: Final = "gov_notices.reach.read"
CONTACTS: Final = "gov_notices.contacts.read"


class GovNoticesConfig(BaseModel):
    """A member's configuration of the plugin (only offices use it)."""

    model_config = ConfigDict(extra="forbid")

    default_expiry_days: int = Field(
        default=30, ge=1, le=366, description="A notice published without expireAt expires then."
    )
    push_emergencies: bool = Field(
        default=True, description="Push emergency notices to subscribed residents."
    )


def manifest() -> PluginManifest:
    """The manifest ``register_manifest`` returns."""
    return PluginManifest(
        slug=SLUG,
        name="Government notices",
        version="0.1.0",
        publisher="Alliance kernel",
        description="Government offices publish notices to communities; residents read and "
        "acknowledge them, leaders and stores forward them, the office sees reach.",
        requires_kernel=">=0.1,<0.2",
        actions={
            PUBLISH: Action(
                description="Publish and withdraw the office's notices.",
                roles={"owner", "admin", "staff"},
            ),
            READ: Action(
                description="List the office's notices, scheduled and expired ones included.",
                roles={"owner", "admin", "staff"},
            ),
            REACH: Action(
                description="See the aggregated reach of the office's notices.",
                roles={"owner", "admin", "staff"},
            ),
            CONTACTS: Action(
                description="See residents' contact details where a consent grant allows it.",
                roles={"owner", "admin"},
            ),
            FORWARD: Action(
                description="See the notices to forward to the member's groups; mark them "
                "forwarded.",
                roles={"owner", "admin", "staff", "leader"},
            ),
        },
        # SDK-GAP: the manifest's consent_scopes only accepts dotted names
        # (``orders.history``) while the consent vocabulary uses ``residents:contact``; the
        # scope this plugin reads cannot be declared here.
        consent_scopes=frozenset(),
        config=GovNoticesConfig,
        piccolo_app="plugins.gov_notices.piccolo_app",
    )

"""The controlled vocabularies of consent: scopes, purposes and legal bases.

Scopes (``orders:read``) name a kind of a member's data; purposes (``fulfilment``) say what the
grantee may use it for. Both are registries: the kernel registers its defaults, a plugin
registers its own at import or start-up with :func:`register_scope` / :func:`register_purpose`.
Legal bases are fixed (they come from the law, not from plugins).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

__all__ = [
    "DEFAULT_PURPOSES",
    "DEFAULT_SCOPES",
    "LEGAL_BASES",
    "PURPOSES",
    "SCOPES",
    "Vocabulary",
    "register_purpose",
    "register_scope",
]

DEFAULT_SCOPES: Final[Mapping[str, str]] = {
    "orders:read": "The orders the grantor received, with their lines and pickup details.",
    "residents:contact": "How to reach the grantor's residents (name, phone, community).",
    "notices:reach-stats": "Aggregate reach of the grantor's notices; never single readers.",
}

DEFAULT_PURPOSES: Final[Mapping[str, str]] = {
    "fulfilment": "Preparing and delivering the grantor's orders.",
    "pickup": "Handing orders over at a pickup point.",
    "revenue-share": "Computing what the alliance's members owe each other.",
    "public-service": "A public body's service to residents.",
    "analytics": "Aggregate statistics for the grantee's own planning.",
}

LEGAL_BASES: Final[Mapping[str, str]] = {
    "consent": "The data subjects consented.",
    "contract": "Needed to perform a contract with the data subject.",
    "legitimate-interest": "A legitimate interest that the subjects' rights do not override.",
    "public-task": "A task in the public interest or in official authority.",
}

_SCOPE = re.compile(r"^[a-z][a-z0-9_-]{0,30}:[a-z][a-z0-9_-]{0,30}$")
_PURPOSE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


class Vocabulary:
    """Known names with a description; registering the same pair twice is a no-op."""

    def __init__(self, kind: str, pattern: re.Pattern[str], defaults: Mapping[str, str]) -> None:
        self.kind = kind
        self._pattern = pattern
        self._entries: dict[str, str] = {}
        for name, description in defaults.items():
            self.register(name, description)

    def register(self, name: str, description: str) -> None:
        """Add ``name``. A malformed name, or a known name with another description, is
        refused (ValueError): two plugins must not silently mean different things by it."""
        if not self._pattern.match(name):
            raise ValueError(f"bad {self.kind} name {name!r}")
        known = self._entries.get(name)
        if known is not None and known != description:
            raise ValueError(f"{self.kind} {name!r} is already registered differently")
        self._entries[name] = description

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def names(self) -> list[str]:
        """Every known name, sorted."""
        return sorted(self._entries)

    def describe(self, name: str) -> str:
        return self._entries[name]


SCOPES: Final = Vocabulary("scope", _SCOPE, DEFAULT_SCOPES)
PURPOSES: Final = Vocabulary("purpose", _PURPOSE, DEFAULT_PURPOSES)


def register_scope(name: str, description: str) -> None:
    """Make ``name`` (``<thing>:<verb>``, e.g. ``bakery-orders:read``) grantable."""
    SCOPES.register(name, description)


def register_purpose(name: str, description: str) -> None:
    """Make ``name`` (e.g. ``cold-chain``) a purpose grants may name."""
    PURPOSES.register(name, description)

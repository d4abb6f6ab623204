"""What a plugin declares about itself: :class:`PluginManifest`, returned by its
``register_manifest`` hook and validated at start (and by ``alliance plugins check``).

The manifest is data: the host reads it before any of the plugin's other hooks run, refuses
the plugin if it does not fit this kernel, and composes what it declares (actions and default
roles, the piccolo app with its tables and migrations, the config model, consent scopes).
"""

from __future__ import annotations

import re
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["SLUG_PATTERN", "Action", "PluginManifest", "kernel_version_problem"]

SLUG_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"
_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
# The consent registry's form (kernel/consent/purposes.py): ``<thing>:<verb>``.
_SCOPE = re.compile(r"^[a-z][a-z0-9_-]{0,30}:[a-z][a-z0-9_-]{0,30}$")


def _specifier(value: str) -> str:
    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        raise ValueError(f"not a version specifier: {value!r} (try '>=0.1,<1')") from None
    return value


class Action(BaseModel):
    """An action the plugin adds (``<slug>.<thing>.<verb>``) and the default roles that get it
    (``owner``, ``admin``, ``staff``, ``leader``, ...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = Field(min_length=1)
    roles: frozenset[str] = frozenset()


class PluginManifest(BaseModel):
    """A plugin's identity, compatibility and declarations.

    ``slug`` is the plugin's package name and the namespace of everything it adds (actions,
    tables, GraphQL type names). ``config`` is the pydantic model a member's configuration is
    validated against when they enable or configure the plugin.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    slug: str = Field(pattern=SLUG_PATTERN)
    name: str = Field(min_length=1)
    version: str
    publisher: str = Field(min_length=1)
    description: str = ""
    requires_kernel: str = Field(description="A version specifier, e.g. '>=0.1,<0.2'.")
    # slug -> version specifier of another plugin that must be enabled for the same member.
    dependencies: dict[str, str] = Field(default_factory=dict)
    actions: dict[str, Action] = Field(default_factory=dict)
    # Consent scopes of other members' data the plugin reads (``orders.history``, ...).
    consent_scopes: frozenset[str] = frozenset()
    config: type[BaseModel] | None = None
    # Dotted path of the module holding the plugin's piccolo ``APP_CONFIG``.
    piccolo_app: str | None = None

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        try:
            Version(value)
        except InvalidVersion:
            raise ValueError(f"not a version: {value!r} (try '0.1.0')") from None
        return value

    @field_validator("requires_kernel")
    @classmethod
    def _requires_kernel(cls, value: str) -> str:
        return _specifier(value)

    @field_validator("dependencies")
    @classmethod
    def _dependencies(cls, value: dict[str, str]) -> dict[str, str]:
        for slug, spec in value.items():
            if not re.match(SLUG_PATTERN, slug):
                raise ValueError(f"dependency {slug!r} is not a plugin slug")
            _specifier(spec)
        return value

    @field_validator("consent_scopes")
    @classmethod
    def _scopes(cls, value: frozenset[str]) -> frozenset[str]:
        bad = sorted(s for s in value if not _SCOPE.match(s))
        if bad:
            raise ValueError(f"bad consent scope(s) {bad}")
        return value

    @model_validator(mode="after")
    def _namespaced(self) -> PluginManifest:
        for name in self.actions:
            if not _ACTION.match(name) or not name.startswith(self.slug + "."):
                raise ValueError(f"action {name!r} must look like {self.slug}.<thing>.<verb>")
        if self.slug in self.dependencies:
            raise ValueError("a plugin cannot depend on itself")
        return self

    def validate_config(self, config: dict[str, Any] | None) -> dict[str, Any]:
        """``config`` checked against :attr:`config` and returned with its defaults filled in
        (JSON-ready); raises :class:`pydantic.ValidationError`."""
        if self.config is None:
            if config:
                raise ValueError(f"plugin {self.slug} takes no configuration")
            return {}
        model = self.config.model_validate(config or {})
        return model.model_dump(mode="json")


def kernel_version_problem(manifest: PluginManifest, kernel_version: str) -> str | None:
    """Why ``manifest`` does not fit this kernel, or None."""
    if Version(kernel_version) in SpecifierSet(manifest.requires_kernel, prereleases=True):
        return None
    return f"requires kernel {manifest.requires_kernel}, this is {kernel_version}"

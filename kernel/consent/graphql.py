"""GraphQL fields of kernel.consent."""

from __future__ import annotations

from kernel.gateway.compose import SchemaPart

PART = SchemaPart("kernel.consent")

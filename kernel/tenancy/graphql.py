"""GraphQL fields of kernel.tenancy."""

from __future__ import annotations

from kernel.gateway.compose import SchemaPart

PART = SchemaPart("kernel.tenancy")

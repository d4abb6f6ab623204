"""Consent between members: who may read whose data, of what scope, for what purpose.

The public API (stable; documented in docs/consent.md):

- :func:`may_read`, :func:`live_grants`, :func:`live_grantors`, :func:`record_read`
  (:mod:`kernel.consent.check`): the calls a plugin makes around a cross-member read;
- :func:`register_scope`, :func:`register_purpose` (:mod:`kernel.consent.purposes`);
- :func:`grant_consent`, :func:`revoke_consent`, :func:`list_grants`
  (:mod:`kernel.consent.service`).
"""

from __future__ import annotations

# The storage package first: it loads every piccolo app, this package's tables included,
# so importing a consent module first never meets a half-imported kernel.consent.tables.
import kernel.db  # noqa: F401
from kernel.consent.check import live_grantors, live_grants, may_read, record_read
from kernel.consent.purposes import register_purpose, register_scope
from kernel.consent.service import grant_consent, list_grants, revoke_consent

__all__ = [
    "grant_consent",
    "list_grants",
    "live_grantors",
    "live_grants",
    "may_read",
    "record_read",
    "register_purpose",
    "register_scope",
    "revoke_consent",
]

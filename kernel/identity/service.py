"""The identity service: the functions other parts of the kernel and plugins call.

Implementation lives in :mod:`~kernel.identity.login` (users, login),
:mod:`~kernel.identity.sessions` (refresh rotation, logout), :mod:`~kernel.identity.apikeys`
and :mod:`~kernel.identity.throttle`; import from here.
"""

from __future__ import annotations

from kernel.identity.apikeys import create_api_key, list_api_keys, revoke_api_key
from kernel.identity.login import BAD_CREDENTIALS, create_user, login
from kernel.identity.sessions import REFRESH_TOKEN_TTL, TokenPair, logout, refresh
from kernel.identity.throttle import MAX_FAILURES, THROTTLE_WINDOW

__all__ = [
    "BAD_CREDENTIALS",
    "MAX_FAILURES",
    "REFRESH_TOKEN_TTL",
    "THROTTLE_WINDOW",
    "TokenPair",
    "create_api_key",
    "create_user",
    "list_api_keys",
    "login",
    "logout",
    "refresh",
    "revoke_api_key",
]

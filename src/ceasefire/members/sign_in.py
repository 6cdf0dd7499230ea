"""A password check as a counted sign-in: the one way ``POST /api/v1/auth/token``,
``/auth/password`` and ``/auth/tokens`` and the web's sign-in, password and new-token forms
run ``members.auth``'s password checks against the address limits (``api.address_limits``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request

from ceasefire.api.address_limits import count_sign_in

T = TypeVar("T")


def counted_sign_in(request: Request, user_name: str, check: Callable[[str], T]) -> T:
    """Run ``check`` (a password check, given the client's address key for
    ``members.throttle``) as a sign-in attempt of ``user_name`` from the request's address.

    The attempt is counted before the password is checked (a 429 when the address or the
    name is over its rate, and ``check`` is not run); it is given back only when ``check``
    returns: a refusal it raises stays counted."""
    attempt = count_sign_in(request, user_name)
    result = check(attempt.client)
    attempt.succeeded()
    return result

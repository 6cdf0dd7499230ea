"""The one error hierarchy of ceasefire.

Domain and service code raise these; each interface (HTTP, CLI) turns them into a response
in exactly one place. Every error has a stable ``code`` and an HTTP-like ``status``.
"""

from __future__ import annotations

from typing import Any


class CeasefireError(Exception):
    """Base class: a coded, user-facing error."""

    code = "E000"
    status = 500
    title = "internal error"

    def __init__(self, message: str, *, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        """The JSON body both the API and ``--json`` CLI output use."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class NotFound(CeasefireError):
    code = "E404"
    status = 404
    title = "not found"


class Forbidden(CeasefireError):
    code = "E403"
    status = 403
    title = "forbidden"


class Unauthorized(CeasefireError):
    code = "E401"
    status = 401
    title = "unauthorized"


class Conflict(CeasefireError):
    code = "E409"
    status = 409
    title = "conflict"


class InvalidInput(CeasefireError):
    """Input that fails validation; ``details`` lists every problem with its location."""

    code = "E422"
    status = 422
    title = "invalid input"


class PayloadTooLarge(CeasefireError):
    code = "E413"
    status = 413
    title = "payload too large"


class TooManyRequests(CeasefireError):
    """Refused for a while (e.g. too many failed sign-ins); ``retry_after_s`` says how long."""

    code = "E429"
    status = 429
    title = "too many requests"

    def __init__(
        self, message: str, *, retry_after_s: int | None = None, details: Any = None
    ) -> None:
        super().__init__(message, details=details)
        self.retry_after_s = retry_after_s


class IntegrityError(CeasefireError):
    """The stored record is inconsistent (e.g. the ledger does not verify)."""

    code = "E500"
    status = 500
    title = "integrity error"


def problem(loc: str, message: str, **extra: Any) -> dict[str, Any]:
    """One entry of an ``InvalidInput.details`` list: where, and what is wrong."""
    return {"loc": loc, "message": message, **extra}


class Unavailable(CeasefireError):
    """A dependency cannot do its part now: the database cannot be written (read-only file,
    full disk), or a server a witness asks does not answer. Retrying later may help."""

    code = "E503"
    status = 503
    title = "service unavailable"

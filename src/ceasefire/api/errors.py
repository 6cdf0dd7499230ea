"""The one rendering of a ``CeasefireError`` as an HTTP response.

Used by the API's exception handler and by the ASGI middleware that answer before any
route runs (a rate limit), so every error has the same JSON shape and headers.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse

from ceasefire.errors import CeasefireError, TooManyRequests, Unauthorized


def error_response(exc: CeasefireError) -> JSONResponse:
    """``{"error": {"code", "message", "details"}}`` with the error's status and headers."""
    headers = {}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"  # RFC 6750: how to authenticate
    if isinstance(exc, TooManyRequests) and exc.retry_after_s is not None:
        headers["Retry-After"] = str(exc.retry_after_s)
    return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)

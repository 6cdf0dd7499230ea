"""The API reference at ``/docs``: Swagger UI 5 (it reads OpenAPI 3.1), served offline.

The files come from the pinned ``fastapi-swagger`` wheel (Swagger UI 5.34.0); only its
bundled ``resources`` folder is used, mounted at ``/static/swagger-ui``. The page's one inline
script (the UI's start) is allowed by its hash in the page's Content-Security-Policy.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_swagger.resources
from fastapi.openapi.docs import get_swagger_ui_html

from ceasefire.api.headers import docs_policy

SWAGGER_UI = Path(fastapi_swagger.resources.__file__).parent
"""Swagger UI's bundle, stylesheet and icon, as the wheel ships them."""

SWAGGER_UI_URL = "/static/swagger-ui"


def docs_page() -> tuple[bytes, dict[str, str]]:
    """The ``/docs`` page and its headers (its policy allows exactly its inline script)."""
    page = bytes(
        get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="ceasefire API",
            swagger_js_url=f"{SWAGGER_UI_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_UI_URL}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_UI_URL}/favicon-32x32.png",
        ).body
    )
    return page, {"Content-Security-Policy": docs_policy(page)}

"""The API docs page in a real browser (Playwright on the system Chromium): Swagger UI 5
starts under the page's Content-Security-Policy, reads the OpenAPI 3.1 document and lists
the operations; nothing is fetched from outside 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories.browser import CHROMIUM, launch_args
from tests.factories.cli import run_here
from tests.factories.served import installation_env, serving

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("docs")
    env = installation_env(folder)
    run_here("init", env=env, check=True)
    with serving(env) as url:
        yield url


def test_swagger_ui_lists_the_operations(base: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=launch_args())
        page = browser.new_page()
        page.on("request", lambda request: requested.append(request.url))
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/docs")
        page.wait_for_selector(".opblock", timeout=30000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        body = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "docs.png"))
        browser.close()
    assert "Unable to render this definition" not in body
    assert len(paths) >= 20, paths
    assert any(p.replace("\u200b", "") == "/api/v1/reports" for p in paths), paths
    assert "OAS 3.1" in body
    assert all(url.startswith(base) for url in requested), requested
    assert not [e for e in errors if "Content Security Policy" in e], errors

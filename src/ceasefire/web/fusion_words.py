"""Fusion's pair evidence in words people read: what the matcher compared for a grouping
decision ("narratives 51 % alike, score +0.0"), from the features it recorded
(``fusion.model.FeatureScore``: a similarity in [0, 1], the evidence in bits it adds to the
pair's score, and a technical detail). The figures as recorded stay on the page beside
these words, for those who check the matcher."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from babel import Locale
from babel.dates import format_timedelta
from babel.numbers import format_decimal, format_percent

from ceasefire.i18n.markers import N_

Translate = Callable[[str], str]

_AGREES = {
    "actor": (N_("same alleged perpetrator"), N_("different alleged perpetrators")),
    "count": (N_("the counts agree"), N_("the counts differ")),
    "locality": (N_("a village named in both"), N_("no village named in both")),
}
_GAP = re.compile(r"gap (?P<gap>[\d.]+) s, tolerance (?P<tolerance>[\d.]+) s")
_DISTANCE = re.compile(r"(?P<d>[\d.]+) m, radius (?P<radius>[\d.]+) m")
_AREA = re.compile(r"same (?P<level>district|region) (?P<area>.+?)(?:, | but |$)")


def _km(metres: float, lang: str, translate: Translate) -> str:
    figure = format_decimal(metres / 1000, format="#,##0.#", locale=Locale.parse(lang))
    return translate(N_("%(n)s km")) % {"n": figure}


def _span(seconds: float, lang: str) -> str:
    return format_timedelta(timedelta(seconds=seconds), locale=Locale.parse(lang))


def _what(feature: Mapping[str, Any], lang: str, translate: Translate) -> str:
    name = str(feature.get("name", ""))
    similarity = float(feature.get("similarity") or 0.0)
    detail = str(feature.get("detail") or "")
    if name in _AGREES:
        return translate(_AGREES[name][0 if similarity >= 1.0 else 1])
    if name == "category":
        if similarity >= 1.0:
            return translate(N_("same category"))
        if similarity > 0.0:
            return translate(N_("related categories"))
        return translate(N_("categories that cannot be one event"))
    if name == "text":
        percent = format_percent(similarity, locale=Locale.parse(lang))
        return translate(N_("narratives %(percent)s alike")) % {"percent": percent}
    if name == "time" and (gap := _GAP.search(detail)):
        if float(gap["gap"]) == 0:
            return translate(N_("times overlap"))
        return translate(N_("%(gap)s apart in time (up to %(tolerance)s allowed)")) % {
            "gap": _span(float(gap["gap"]), lang),
            "tolerance": _span(float(gap["tolerance"]), lang),
        }
    if name == "place" and (far := _DISTANCE.search(detail)):
        return translate(N_("places %(distance)s apart (up to %(radius)s allowed)")) % {
            "distance": _km(float(far["d"]), lang, translate),
            "radius": _km(float(far["radius"]), lang, translate),
        }
    if name == "place" and (area := _AREA.search(detail)):
        level = N_("same district: %(area)s") if area["level"] == "district" else None
        return translate(level or N_("same region: %(area)s")) % {"area": area["area"]}
    if name == "place":
        return translate(N_("not in the same area"))
    if name == "place_name":
        return translate(N_("same place name: %(name)s")) % {"name": detail}
    return name


def feature_words(feature: Mapping[str, Any], lang: str, translate: Translate) -> str:
    """One recorded feature in the reader's words, with what it added to the pair's score
    (``+1.2``; negative against a match)."""
    weight = format_decimal(
        float(feature.get("weight") or 0.0), format="+#,##0.0;−#,##0.0", locale=Locale.parse(lang)
    )
    return translate(N_("%(what)s — score %(weight)s")) % {
        "what": _what(feature, lang, translate),
        "weight": weight,
    }

"""Which news events become reports of channel ``news``, and the report body for each.

Violence and other observable violations (fighting, shelling, strikes, attacks on people,
troop movements, detentions, restrictions of movement) that the article says happened or
that a party claims become reports: the alleged perpetrator is the event's source (for a
claim, the accused — the accuser is named in the narrative), the place and time keep their
precision, and ``source_reference`` links the article and the sentence. Everything else
(agreements, handovers, talks, statements) stays a linked event only: evidence for a
provision's status, not an observation.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from ceasefire.errors import coded_words, worded_text
from ceasefire.i18n.markers import N_
from ceasefire.news.actordict import shipped_dictionary
from ceasefire.reports.model import PARTY_CODE

REPORTABLE_MODALITIES = frozenset({"occurred", "claimed"})
_HEAVY_CATEGORY = {
    "drones": "drone_strike",
    "artillery": "shelling",
    "rockets": "shelling",
    "missiles": "shelling",
    "aircraft": "shelling",
    "small_arms": "small_arms_fire",
    "mines": "mine_uxo",
    "explosives": "explosion_undetermined",
    "cluster_munitions": "shelling",
}
_WEAPON_CLASS = {
    "artillery": "artillery",
    "rockets": "mlrs",
    "missiles": "missile",
    "drones": "uav",
    "armour": "tank",
    "small_arms": "small_arms",
    "mines": "mine",
}
_CIVILIAN = frozenset({"CVL", "REF", "EDU", "LAB", "AGR", "BUS", "MED", "REL", "HLH"})
_MILITARY = frozenset({"MIL", "REB", "COP"})


def report_category(event: dict[str, Any]) -> str | None:
    """The intake category of a news event, or None when it is no observable violation."""
    kind, mode = event["event"], event.get("mode")
    weapons = [w["class"] for w in event.get("weapons", [])]
    if kind == "FIGHT":
        for weapon in weapons:
            if weapon in _HEAVY_CATEGORY:
                return _HEAVY_CATEGORY[weapon]
        return "armed_clash"
    if kind == "ASSAULT":
        if _civilian_figures(event):
            return "civilian_casualty"
        if "explosives" in weapons or mode == "explosives":
            return "explosion_undetermined"
        return "other"
    if kind == "MOBILIZE" and mode == "troops":
        return "troop_or_vehicle_movement"
    if kind == "COERCE":
        if mode in {"arrest", "detain"}:
            return "detention_exchange"
        if mode in {"restrict", "curfew", "raid"}:
            return "freedom_of_movement_restriction"
        if mode == "destroy":
            return "damage_to_civilian_object"
    return None


def _group(event: dict[str, Any]) -> str:
    sectors = {t.get("sector") for t in event.get("target", [])}
    if sectors & _CIVILIAN:
        return "civilian"
    if sectors & _MILITARY:
        return "military"
    return "unknown"


def _figure_group(figure: dict[str, Any]) -> str | None:
    """Whom a figure counts, from its own noun: "two civilians", "three soldiers"."""
    sector = shipped_dictionary().sector_of(figure.get("who") or "")
    if sector in _CIVILIAN:
        return "civilian"
    if sector in _MILITARY:
        return "military"
    return None


def _civilian_figures(event: dict[str, Any]) -> bool:
    return any(
        c["kind"] in {"killed", "wounded"} and (_figure_group(c) or _group(event)) == "civilian"
        for c in event.get("casualties", [])
    )


HEADLINE = N_("a headline restates the body")
NOWHERE = N_("the article does not say where")
NOT_SELECTED = N_("not selected for intake")
_NOT_OBSERVED = re.compile(r"modality (?P<code>\w+): nothing observed yet")
_NOT_OBSERVABLE = re.compile(r"(?P<code>[A-Z]+) is no observable violation")


def _not_observed(modality: str) -> str:
    return worded_text(
        N_("modality %(modality)s: nothing observed yet"),
        modality=coded_words("modality", [modality]),
    )


def _not_observable(kind: str) -> str:
    return worded_text(
        N_("%(event)s is no observable violation"), event=coded_words("news_event", [kind])
    )


def stored_reason(text: str) -> str:
    """Why an event stayed an event, as stored with its article (the English
    :func:`report_body` gave), worded again so that a page shows it in the reader's
    language; a text worded otherwise as it is."""
    if text in (HEADLINE, NOWHERE, NOT_SELECTED):
        return worded_text(text)
    for pattern, worded in ((_NOT_OBSERVED, _not_observed), (_NOT_OBSERVABLE, _not_observable)):
        found = pattern.fullmatch(text)
        if found is not None:
            return worded(found["code"])
    return text


def report_body(
    event: dict[str, Any],
    ordinal: int,
    article: dict[str, Any],
    *,
    article_id: str,
    fallback_day: date,
) -> tuple[dict[str, Any] | None, str]:
    """The report body for one event, or None and why it stays an event only: a message
    that is its English in the API's JSON and shows in the reader's language on the article
    page (:class:`~ceasefire.errors.WordedText`: the event type and modality by their codes
    in the English, by their words where shown; ``web.news_pages`` reads a stored one back)."""
    if event["sentence"].get("section") == "title":
        return None, worded_text(HEADLINE)
    if event["modality"] not in REPORTABLE_MODALITIES:
        return None, _not_observed(event["modality"])
    category = report_category(event)
    if category is None:
        return None, _not_observable(event["event"])
    location = event.get("location")
    if not location or (location.get("lat") is None and not location.get("name")):
        return None, worded_text(NOWHERE)
    precision = int(location.get("precision") or 2)
    # A town named in the news locates the event near it, not at its centre point.
    precision = max(precision, 2)
    if event.get("date") and (event.get("date_precision") or "day") in {"day", "week", "month"}:
        start = date.fromisoformat(event["date"])
        window = event.get("date_precision") or "day"
    else:
        # Undated in the text: some time in the week up to the article's date.
        start, window = fallback_day - timedelta(days=6), "week"
    if window == "month":
        start = start.replace(day=1)
    sources = [a for a in event["source"] if a.get("code") and PARTY_CODE.match(a["code"])]
    perpetrator = sources[0]["code"] if sources else None
    concerns = sorted(
        {
            a["code"]
            for a in (*event["source"], *event["target"], *event.get("claimed_by", []))
            if a.get("code") and PARTY_CODE.match(a["code"]) and a["code"] not in {"IGO", "NGO"}
        }
    )
    body: dict[str, Any] = {
        "channel": "news",
        "category": category,
        "observed": {"start": f"{start.isoformat()}T00:00", "precision": window},
        "event_position": {
            "place_name": location.get("name"),
            "lat": location.get("lat"),
            "lon": location.get("lon"),
            "precision": precision,
        },
        "narrative": _narrative(event, article),
        "source_reference": _reference(event, ordinal, article, article_id),
        "reporter": (article.get("outlet") or ", ".join(article.get("credits", [])) or None),
        "confidence": "medium" if event["confidence"] >= 0.75 else "low",
        "concerns": concerns,
    }
    if perpetrator and perpetrator not in {"IGO", "NGO"}:
        body["alleged_perpetrator"] = perpetrator
    weapon = next(
        (
            _WEAPON_CLASS[w["class"]]
            for w in event.get("weapons", [])
            if w["class"] in _WEAPON_CLASS
        ),
        None,
    )
    if weapon:
        body["weapon_class"] = weapon
    casualties = _casualties(event)
    if casualties:
        body["casualties"] = casualties
    return body, "reported"


def _casualties(event: dict[str, Any]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    figures = event.get("casualties", [])
    # "killing two civilians and wounding five": the five are civilians too.
    stated = next((g for g in map(_figure_group, figures) if g), None)
    for figure in figures:
        group = _figure_group(figure) or stated or _group(event)
        outcome = {"killed": "killed", "wounded": "injured"}.get(figure["kind"])
        if outcome is None:
            continue
        key = f"{outcome}_{group}"
        if key not in out:
            high = max(figure["high"], figure["low"])
            out[key] = {"low": figure["low"], "best": figure["low"], "high": high}
    return out


def _names(actors: list[dict[str, Any]]) -> str:
    return ", ".join(f"{a['text']} ({a.get('code') or '?'})" for a in actors) or "unnamed"


def _narrative(event: dict[str, Any], article: dict[str, Any]) -> str:
    lines = [event["sentence"]["text"]]
    if event["modality"] == "claimed":
        lines.append(
            f"Claimed by {_names(event.get('claimed_by', []))} against {_names(event['source'])}."
        )
    lines.append(
        f"News event {event['event']}"
        + (f" ({event['mode']})" if event.get("mode") else "")
        + f", {event['component']}, confidence {event['confidence']:.2f}."
    )
    lines.append(f"From: {article.get('outlet') or 'unknown outlet'} — {article.get('title')}")
    return "\n".join(lines)[:20_000]


def _reference(
    event: dict[str, Any], ordinal: int, article: dict[str, Any], article_id: str
) -> str:
    sentence = event["sentence"]
    published = article.get("published_local") or "undated"
    text = (
        f"news article {article_id} (sha256 {article.get('content_sha256', '')[:16]}), "
        f"event {ordinal}, chars {sentence['start']}-{sentence['end']}: "
        f"{article.get('outlet') or ''} {published} {article.get('url') or ''}"
    )
    return text.strip()[:500]

"""What a delivery says, in its subscription's language: the e-mail's subject and text, and
the summary a webhook's JSON carries.

An alert is stored once, with an English summary (what ``GET /api/v1/alerts`` answers and
the ledger digests); each subscriber is told in the language its subscription names. The
summary is worded again from the alert's details, each kind by its catalogue msgid, the
values by their labels (``i18n.labels``) and a rule's reasons by their msgids
(``compliance.model.translated_reason``); English too, whose stored summary names a category
by its code. An alert whose details lack what its wording needs (raised before they held it)
keeps the stored summary. The e-mail names the record an alert is about and its period
(a finding's level, a due date, a day) in words too, not by their codes. The webhook's JSON keeps
its codes (kind, severity, details): only its ``summary`` is the subscriber's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from babel.numbers import format_decimal

from ceasefire import i18n
from ceasefire.alerts.model import AlertKind, grid_centre
from ceasefire.alerts.schemas import AlertPublic
from ceasefire.compliance.model import translated_reason
from ceasefire.i18n.labels import label
from ceasefire.i18n.markers import N_
from ceasefire.news.geo.gazetteer import Gazetteer

Translate = Callable[[str], str]

_BREACH = {
    ("breach", True): N_("Breach of %(provision)s in %(zone)s by incident %(incident)s"),
    ("breach", False): N_("Breach of %(provision)s by incident %(incident)s"),
    ("possible", True): N_("Possible breach of %(provision)s in %(zone)s by incident %(incident)s"),
    ("possible", False): N_("Possible breach of %(provision)s by incident %(incident)s"),
}
_FIELDS = (
    ("kind", N_("kind")),
    ("severity", N_("severity")),
    ("subject", N_("about")),
    ("period", N_("period")),
    ("raised", N_("raised")),
    ("alert_id", N_("alert id")),
    ("area", N_("area")),
)
"""The lines under an e-mail's summary: each value's name as the e-mail says it."""
_PERIOD_NAMES = {
    AlertKind.ZONE_BREACH: N_("finding"),
    AlertKind.DEADLINE_DUE: N_("due date"),
    AlertKind.DEADLINE_OVERDUE: N_("due date"),
    AlertKind.SPIKE: N_("day"),
}
"""The ``period`` line's name by the alert's kind (what its period is: a finding's level, a
due date, a day); a casualty alert's period is its severity, already said above."""


_HEMISPHERES = (
    (N_("%(deg)s° N"), N_("%(deg)s° S")),
    (N_("%(deg)s° E"), N_("%(deg)s° W")),
)


TOWN_KM = 25.0
"""A grid cell is named after a populated place this near its centre (a cell of
0.25° is about 28 × 21 km: its corners lie some 17 km from the centre); with none that near
it is named by its centre's coordinates."""


def place_of_area(area: str, translate: Translate, lang: str) -> str:
    """An alert's area as a reader finds it: a grid cell (``grid0.25:159:187``) by the
    town of the gazetteer (GeoNames, offline) within ``TOWN_KM`` of its centre that
    ``Gazetteer.nearest_town`` picks (a seat or a town of some size before a nearer village),
    under its name in ``lang`` where GeoNames has one (Ханкенди, Ağdam), else by its
    centre's latitude and longitude in ``lang``, its code kept for reference either way; a
    zone's id as it is."""
    centre = grid_centre(area)
    if centre is None:
        return area
    town = Gazetteer.load().nearest_town(*centre, within_km=TOWN_KM)
    if town is not None:
        return translate(N_("cell near %(place)s (%(code)s)")) % {
            "place": town.name_in(lang),
            "code": area,
        }
    lat, lon = (
        translate(names[value < 0]) % {"deg": format_decimal(abs(value), "0.###", locale=lang)}
        for value, names in zip(centre, _HEMISPHERES, strict=True)
    )
    return translate(N_("cell around %(lat)s %(lon)s (%(code)s)")) % {
        "lat": lat,
        "lon": lon,
        "code": area,
    }


def _with_reasons(headline: str, reasons: Any, translate: Translate) -> str:
    if not isinstance(reasons, list) or not reasons:
        return headline
    return f"{headline}: {'; '.join(translated_reason(str(r), translate) for r in reasons)}"


def _casualties(alert: AlertPublic, translate: Translate) -> str:
    details = alert.details
    figures = ", ".join(
        f"{label('casualty_count', key, translate)}: {n}"
        for key, n in sorted(details["casualties"].items())
        if n > 0
    )
    return translate(N_("Incident %(id)s (%(category)s): %(figures)s")) % {
        "id": details["incident_id"],
        "category": label("category", details["category"], translate),
        "figures": figures,
    }


def _spike(alert: AlertPublic, translate: Translate, lang: str) -> str:
    details = alert.details
    return translate(
        N_(
            "%(area)s: %(count)s incidents in the 24 hours to %(until)s UTC, "
            "%(expected)s expected (p = %(p)s)"
        )
    ) % {
        "area": place_of_area(str(details["area"]), translate, lang),
        "count": int(details["count"]),
        "until": i18n.format_instant(alert.raised_at, lang, fmt="short"),
        "expected": format_decimal(float(details["expected"]), "0.0", locale=lang),
        "p": format_decimal(float(details["p_value"]), "0.##E0", locale=lang)
        if float(details["p_value"]) < 0.001
        else format_decimal(float(details["p_value"]), "0.0##", locale=lang),
    }


def _deadline(alert: AlertPublic, translate: Translate) -> str:
    details = alert.details
    msgid = (
        N_("%(number)s (%(agreement)s) is overdue")
        if alert.kind is AlertKind.DEADLINE_OVERDUE
        else N_("%(number)s (%(agreement)s) falls due")
    )
    headline = translate(msgid) % {
        "number": details["number"],
        "agreement": details["agreement_id"],
    }
    return _with_reasons(headline, details.get("reasons"), translate)


def _breach(alert: AlertPublic, translate: Translate) -> str:
    details = alert.details
    if "reasons" not in details:
        raise KeyError("reasons")  # raised before its details kept them: the stored summary
    zone = details.get("zone")
    headline = translate(_BREACH[(details["level"], bool(zone))]) % {
        "provision": details["provision"],
        "zone": zone,
        "incident": details["incident_id"],
    }
    return _with_reasons(headline, details["reasons"], translate)


def alert_summary(alert: AlertPublic, lang: str) -> str:
    """``alert``'s summary in ``lang``, English included (the stored one names a category
    by its code); the stored one where the details lack what the wording needs."""
    translate = i18n.translations(lang).gettext
    try:
        if alert.kind is AlertKind.CASUALTIES:
            return _casualties(alert, translate)
        if alert.kind is AlertKind.SPIKE:
            return _spike(alert, translate, lang)
        if alert.kind is AlertKind.ZONE_BREACH:
            return _breach(alert, translate)
        return _deadline(alert, translate)
    except (KeyError, TypeError, ValueError, AttributeError):
        return alert.summary


def alert_about(alert: AlertPublic, lang: str) -> str:
    """The record ``alert`` is about, in words in ``lang`` (an e-mail's subject, the CLI's
    table)."""
    return _about(alert, i18n.translations(lang).gettext, lang)


def _about(alert: AlertPublic, translate: Translate, lang: str) -> str:
    """The record an alert is about in words (its ``subject`` is a code: ``incident/ID``,
    ``incident/ID/RULE/ZONE``, ``provision/AGREEMENT/PROVISION``, ``area/AGREEMENT/CELL``);
    a subject of another form as it is."""
    record, _, rest = alert.subject.partition("/")
    parts = rest.split("/")
    if record == "incident" and parts[0]:
        about = translate(N_("incident %(id)s")) % {"id": parts[0]}
        if alert.kind is AlertKind.ZONE_BREACH and alert.area:
            about += ", " + translate(N_("zone %(zone)s")) % {"zone": alert.area}
        return about
    if record == "provision" and len(parts) == 2:
        number = alert.details.get("number") or parts[1]
        return translate(N_("provision %(number)s of %(agreement)s")) % {
            "number": number,
            "agreement": parts[0],
        }
    if record == "area" and len(parts) == 2:
        return place_of_area(parts[1], translate, lang)
    return alert.subject


def _period(alert: AlertPublic, translate: Translate, lang: str) -> tuple[str, str] | None:
    """The ``period`` line's name and value in words, or None where it says nothing more."""
    name = _PERIOD_NAMES.get(alert.kind)
    if name is None:
        return None
    if alert.kind is AlertKind.ZONE_BREACH:
        return translate(name), label("finding_level", alert.period, translate)
    try:
        day = datetime.combine(date.fromisoformat(alert.period), time(), UTC)
    except ValueError:
        return translate(name), alert.period
    return translate(name), i18n.format_day(day, lang)


def _upper(text: str, lang: str) -> str:
    """``text`` in capitals as ``lang`` writes them: Turkish capitalises i as İ (``str.upper``
    knows no language, and would write KRITIK)."""
    return (text.replace("i", "İ") if lang == "tr" else text).upper()


def mail_text(alert: AlertPublic, lang: str) -> tuple[str, str]:
    """The e-mail's subject and text in ``lang``: the kind and severity by their labels,
    not their codes."""
    translate = i18n.translations(lang).gettext
    kind = label("alert_kind", alert.kind, translate)
    severity = label("severity", alert.severity, translate)
    about = _about(alert, translate, lang)
    subject = f"[ceasefire] {_upper(severity, lang)} {kind}: {about}"
    values = {
        "kind": kind,
        "severity": severity,
        "subject": about,
        "period": "",
        "raised": f"{i18n.format_instant(alert.raised_at, lang, fmt='medium')} UTC"
        if lang != i18n.DEFAULT_LANGUAGE
        else alert.raised_at.isoformat(),
        "alert_id": alert.id,
        "area": place_of_area(alert.area, translate, lang) if alert.area else "",
    }
    lines = [alert_summary(alert, lang), ""]
    period = _period(alert, translate, lang)
    for key, name in _FIELDS:
        if key == "period" and period is not None:
            lines.append(f"{period[0]}: {period[1]}")
        elif values[key]:
            lines.append(f"{translate(name)}: {values[key]}")
    return subject.replace("\n", " ")[:200], "\n".join(lines) + "\n"

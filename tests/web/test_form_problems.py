"""Every form of the web application names a refused field by the label the form shows, in
the reader's language, beside the field and in the list above it, and never by the API's
name (``secret: at least 16 characters`` on a Russian page) (both databases)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from ceasefire import i18n
from ceasefire.agreements import service as agreements
from ceasefire.alerts.model import AlertKind
from ceasefire.alerts.schemas import DeliveryChannel, SeverityName
from ceasefire.db.context import ServiceContext
from ceasefire.i18n.labels import LABELS
from tests.factories.members import Cast
from tests.factories.reports import incident_of
from tests.web.conftest import Browser

NK_ID = "nk-2020-trilateral"


def _visible(page: str) -> str:
    """The page's text as a reader sees it: tags removed, white space collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", page)))


@dataclass(frozen=True)
class Refusal:
    """One form sent with one bad value: who sends it where, the API's name of the field,
    the label the form shows it by (a msgid) and the problem's message (a msgid and its
    parameters)."""

    who: str
    path: str
    form: dict[str, Any]
    api_name: str
    label: str
    message: str
    params: tuple[tuple[str, str], ...] = ()
    kept: str = ""
    """A value sent that the page must show again (the input kept)."""
    choices: tuple[str, ...] = ()
    """The labels (msgids) of the values a field allows, the ``choices`` parameter as the
    reader's language words them (never their codes)."""


def _incident_path(ctx: ServiceContext, cast: Cast, form: str) -> str:
    _, incident_id = incident_of(ctx, cast.viewer(ctx, "tur"))
    return f"/incidents/{incident_id}/{form}"


def _shipped(refusal: Refusal) -> Callable[[ServiceContext, Cast], Refusal]:
    """``refusal`` of a form about the shipped agreements (loaded first)."""

    def made(ctx: ServiceContext, _cast: Cast) -> Refusal:
        agreements.load_shipped(ctx)
        return refusal

    return made


REFUSALS: dict[str, Refusal | Callable[[ServiceContext, Cast], Refusal]] = {
    "alert subscription": Refusal(
        "fra",
        "/alerts/subscriptions",
        {"channel": "webhook", "target": "https://alerts.example.fr/hook", "secret": "short"},
        "secret",
        "Webhook secret (16 characters or more; webhooks only)",
        "at least %(n)s characters",
        (("n", "16"),),
        kept="https://alerts.example.fr/hook",
    ),
    "member": Refusal(
        "operator",
        "/members",
        {"id": "ukr", "name": "", "kind": "state", "iso3": "UKR"},
        "name",
        "Name",
        "required",
        kept="ukr",
    ),
    "role": Refusal(
        "operator",
        "/members/roles",
        {"member": "fra", "agreement_id": NK_ID, "role": "spectator", "party": ""},
        "role",
        "Role",
        "one of %(choices)s",
        choices=tuple(LABELS["role"].values()),
    ),
    "observation post": Refusal(
        "operator",
        "/posts",
        {
            "id": "jmc-north",
            "name": "North",
            "owners": "rus tur",
            "lat": "95",
            "lon": "47",
            "active_from": "2020-11-20",
        },
        "lat",
        "Latitude",
        "%(n)s or less",
        (("n", "90"),),
        kept="jmc-north",
    ),
    "sensor": Refusal(
        "operator",
        "/sensors",
        {"id": "tur-uav-9", "kind": "uav", "name": "", "member_id": "tur"},
        "name",
        "Name",
        "required",
        kept="tur-uav-9",
    ),
    "daily report": Refusal(
        "tur",
        "/publications/daily",
        {"date": "26.11.2020", "agreement": NK_ID, "edition": "public", "format": "html"},
        "date",
        "Date",
        "not a date (YYYY-MM-DD)",
    ),
    "spot report": Refusal(
        "tur",
        "/publications/spot",
        {"incident_id": "inc-none", "edition": "public", "format": "html", "lang": "en"},
        "incident_id",
        "Incident",
        "unknown",
        kept="inc-none",
    ),
    "API token": Refusal(
        "tur",
        "/account/tokens",
        {"label": "script", "expires_in_days": "400", "password": "unused"},
        "expires_in_days",
        "Valid for (days, at most 366)",
        "%(n)s or less",
        (("n", "366"),),
        kept="script",
    ),
    "decision rule": _shipped(
        Refusal(
            "operator",
            "/provisions/decision-rule",
            {"agreement": NK_ID, "kind": "presiding_member", "voters": "rus tur", "presiding": ""},
            "presiding",
            "Presiding member (presiding member rule)",
            "required: the presiding member's id",
            kept="rus tur",
        )
    ),
    "provision status": _shipped(
        Refusal(
            "rus",
            "/provisions/status",
            {
                "agreement": NK_ID,
                "provision_id": "p8-exchange",
                "status": "in_progress",
                "local": "2020-12-14T13:00",
                "time_zone": "Asia/Baku",
                "note": "first exchange of detainees",
            },
            "evidence",
            "Evidence",
            "needs a source or a ref",
            kept="first exchange of detainees",
        )
    ),
    "investigation task": lambda ctx, cast: Refusal(
        "tur",
        _incident_path(ctx, cast, "tasks"),
        {"team": " ", "lead_member": "tur", "instructions": "walk the line", "due_at": ""},
        "team",
        "Team (one name a line)",
        "empty",
        kept="walk the line",
    ),
    "incident status": lambda ctx, cast: Refusal(
        "tur",
        _incident_path(ctx, cast, "status"),
        {"status": "", "reason": "patrol confirmed"},
        "status",
        "New status",
        "required",
    ),
}


@pytest.mark.parametrize("lang", ["ru", "tr"])
@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_refused_form_names_its_fields_by_their_labels_in_the_readers_language(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser], name: str, lang: str
) -> None:
    made = REFUSALS[name]
    case = made if isinstance(made, Refusal) else made(ctx, cast)
    label = i18n.gettext(lang, case.label)
    params = dict(case.params)
    if case.choices:
        params["choices"] = ", ".join(i18n.gettext(lang, c) for c in case.choices)
    message = i18n.gettext(lang, case.message) % params
    assert label != case.label
    assert message != case.message % params
    answer = browsers[case.who].post(f"{case.path}?lang={lang}", case.form)
    assert answer.status_code in (404, 409, 422), (answer.status_code, answer.text[-2000:])
    text = _visible(answer.text)
    # Listed above the form by its label, and beside the field with the same message.
    assert f"{label}: {message}" in text, text[-3000:]
    beside = re.findall(r'<span class="field-error"[^>]*>([^<]*)</span>', answer.text)
    assert message in [html.unescape(m) for m in beside], beside
    # Never by the API's name, nor an English heading that lists those names.
    assert f"{case.api_name}:" not in text
    assert f"<code>{case.api_name}</code>" not in answer.text
    assert "invalid form" not in text
    if case.kept:
        assert case.kept in answer.text  # the input is kept


def test_an_invalid_form_says_nothing_was_recorded_instead_of_the_api_names(
    browsers: dict[str, Browser],
) -> None:
    form = {"channel": "webhook", "target": "https://alerts.example.fr/hook", "secret": "short"}
    text = _visible(browsers["fra"].post("/alerts/subscriptions?lang=tr", form).text)
    assert "Hiçbir şey kaydedilmedi. Şu alanları düzeltin:" in text
    assert "geçersiz form" not in text


@pytest.mark.parametrize("lang", ["en", "ru", "tr"])
def test_a_hand_made_post_is_told_the_allowed_values_by_their_labels(
    browsers: dict[str, Browser], lang: str
) -> None:
    """A post no form would send (a channel, a kind and a severity outside their lists) is
    answered as the form's own refusals are: each field by its label, the values it allows
    by their labels in the reader's language (``e-mail``, not ``email``), never by their
    codes in Pydantic's English (``Input should be 'webhook' or 'email'``)."""
    form = {
        "channel": "pigeon",
        "target": "duty@arm.example.org",
        "kinds": ["casualties", "rumour"],
        "min_severity": "loud",
    }
    answer = browsers["arm"].post(f"/alerts/subscriptions?lang={lang}", form)
    assert answer.status_code == 422
    text = _visible(answer.text)
    for field, kind, values in (
        ("Send by", "alert_channel", DeliveryChannel),
        ("Kinds (none ticked: every kind)", "alert_kind", AlertKind),
        ("Minimum severity", "severity", SeverityName),
    ):
        choices = ", ".join(i18n.gettext(lang, LABELS[kind][v.value]) for v in values)
        message = i18n.gettext(lang, "one of %(choices)s") % {"choices": choices}
        assert f"{i18n.gettext(lang, field)}: {message}" in text, text[-2000:]
    for code in ("Input should", "'webhook'", "email,", "zone_breach", "deadline_due"):
        assert code not in text, (code, text[-2000:])

"""The alerts and publications pages in the browser (both databases): subscriptions and
dead letters, generated reports and the open-data downloads, through the same services as
``/api/v1/alerts``, ``/api/v1/publications`` and ``/api/v1/exports``."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

from ceasefire import i18n
from ceasefire.alerts import service as alerts
from ceasefire.alerts.model import RetryPolicy
from ceasefire.alerts.schemas import DeliveryChannel, DeliveryState, SubscriptionCreate
from ceasefire.db.context import ServiceContext
from ceasefire.i18n.labels import LABELS
from ceasefire.publish import service as publishing
from tests.factories.members import Cast
from tests.factories.publish import make_day
from tests.integration.test_alerts_delivery import casualty_incident
from tests.web.conftest import Browser

FAST = RetryPolicy(max_attempts=2, base_s=10, factor=2, cap_s=60, jitter=0.0)


def test_a_member_subscribes_and_ends_a_subscription(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    armenia = browsers["arm"]
    page = armenia.client.get("/alerts")
    assert 'action="/alerts/subscriptions"' in page.text
    assert 'href="/alerts"' in page.text
    form = {
        "channel": "email",
        "target": "duty-officer@example.org",
        "kinds": ["casualties", "zone_breach"],
        "min_severity": "warning",
    }
    assert armenia.post("/alerts/subscriptions", form, token=False).status_code == 403
    bad = armenia.post("/alerts/subscriptions", {**form, "min_severity": "loud"})
    assert bad.status_code == 422
    assert 'id="err-min_severity"' in bad.text
    assert 'value="duty-officer@example.org"' in bad.text  # the input is kept
    webhook = armenia.post("/alerts/subscriptions", {**form, "channel": "webhook"})
    assert webhook.status_code == 422
    assert re.search(r'id="err-(target|secret)"', webhook.text)
    viewer = cast.viewer(ctx, "arm")
    assert alerts.list_subscriptions(ctx, viewer) == []

    made = armenia.post("/alerts/subscriptions", form)
    assert made.status_code == 303, made.text
    assert re.search(r"done=\d+", made.headers["location"])
    (subscription,) = alerts.list_subscriptions(ctx, viewer)
    assert subscription.target == "duty-officer@example.org"
    assert [k.value for k in subscription.kinds] == ["casualties", "zone_breach"]
    assert subscription.min_severity.value == "warning"
    listed = armenia.client.get(made.headers["location"])
    assert subscription.id in listed.text
    assert re.search(r'href="/ledger/\d+"', listed.text)

    # Another member's subscription is unknown to Azerbaijan; the public is sent to sign in.
    end = f"/alerts/subscriptions/{subscription.id}/end"
    assert browsers["aze"].post(end, {}).status_code == 404
    assert subscription.id not in browsers["aze"].client.get("/alerts").text
    public = browsers["public"].client.get("/alerts", follow_redirects=False)
    assert public.status_code == 303
    assert 'href="/alerts"' not in browsers["public"].client.get("/incidents").text
    ended = armenia.post(end, {})
    assert ended.status_code == 303
    assert alerts.list_subscriptions(ctx, viewer) == []
    # The page's labels come from the catalogues.
    assert "Подписки" in armenia.client.get("/alerts?lang=ru").text
    assert "Abonelikler" in armenia.client.get("/alerts?lang=tr").text


def test_a_subscription_made_in_the_browser_takes_the_pages_language(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    armenia = browsers["arm"]
    viewer = cast.viewer(ctx, "arm")
    # The form offers the page's language first.
    page = armenia.client.get("/alerts?lang=tr").text
    assert re.search(r'<option value="tr" lang="tr" selected>Türkçe</option>', page)
    assert "Mesajların dili" in page
    form = {"channel": "email", "target": "duty@arm.example.org", "lang": "tr"}
    assert armenia.post("/alerts/subscriptions", form).status_code == 303
    # A form that names no language: the page's (here ?lang=ru).
    posted = armenia.post("/alerts/subscriptions?lang=ru", {**form, "lang": "", "target": "b@a.am"})
    assert posted.status_code == 303
    made = {s.target: s.lang.value for s in alerts.list_subscriptions(ctx, viewer)}
    assert made == {"duty@arm.example.org": "tr", "b@a.am": "ru"}
    listed = armenia.client.get("/alerts?lang=ru").text
    assert '<td lang="tr">Türkçe</td>' in listed
    assert '<td lang="ru">Русский</td>' in listed
    refused = armenia.post("/alerts/subscriptions", {**form, "lang": "de", "target": "c@a.am"})
    assert refused.status_code == 422
    assert 'id="err-lang"' in refused.text


def test_an_operator_requeues_a_dead_letter(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    viewer = cast.viewer(ctx, "arm")
    body = SubscriptionCreate(channel=DeliveryChannel.EMAIL, target="duty@example.org")
    alerts.subscribe(ctx, viewer, body)
    casualty_incident(ctx, cast)
    now = datetime.now(UTC)
    alerts.scan(ctx, now)
    for seconds in (0, 10, 30):  # no SMTP server here: each attempt fails
        alerts.deliver_due(ctx, now + timedelta(seconds=seconds), policy=FAST)
    (dead,) = alerts.list_deliveries(ctx, viewer, state=DeliveryState.DEAD)
    requeue = f"/alerts/deliveries/{dead.id}/requeue"

    armenia = browsers["arm"].client.get("/alerts?state=dead")
    assert dead.id in armenia.text
    assert requeue not in armenia.text
    assert browsers["arm"].post(requeue, {}).status_code == 403
    operator = browsers["operator"]
    assert requeue in operator.client.get("/alerts?state=dead").text
    assert operator.post(requeue, {}, token=False).status_code == 403
    done = operator.post(requeue, {})
    assert done.status_code == 303, done.text
    assert re.search(r"done=\d+", done.headers["location"])
    assert alerts.list_deliveries(ctx, viewer, state=DeliveryState.DEAD) == []
    again = operator.post(requeue, {})  # no longer dead-lettered: said in words
    assert again.status_code == 422
    assert "only a dead-lettered delivery is requeued" in again.text
    assert "state pending" in again.text
    assert "delivery_id" not in again.text  # a button has no field to name


def test_reports_are_generated_and_exports_downloaded(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    day = make_day(ctx, cast)
    turkey, public = browsers["tur"], browsers["public"]
    page = turkey.client.get("/publications")
    for action in ("/publications/daily", "/publications/summary", "/publications/spot"):
        assert f'action="{action}"' in page.text
    public_page = public.client.get("/publications")
    assert 'action="/publications/daily"' not in public_page.text
    assert 'action="/publications/export"' in public_page.text

    daily = {"date": "2020-11-26", "format": "html", "edition": "public", "lang": "en"}
    assert turkey.post("/publications/daily", daily, token=False).status_code == 403
    bad = turkey.post("/publications/daily", {**daily, "date": "26/11/2020"})
    assert bad.status_code == 422
    assert 'id="err-date"' in bad.text
    refused = public.client.post("/publications/daily", data=daily, follow_redirects=False)
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/login")
    assert publishing.list_publications(ctx, cast.viewer(ctx, "tur")) == []

    made = turkey.post("/publications/daily", daily)
    assert made.status_code == 303, made.text
    (stored,) = publishing.list_publications(ctx, cast.viewer(ctx, "tur"))
    assert f"made={stored.id}" in made.headers["location"]
    assert f"done={stored.ledger_seq}" in made.headers["location"]
    content = public.client.get(f"/publications/{stored.id}/content")
    assert content.status_code == 200
    assert content.headers["content-type"].startswith("text/html")
    assert (
        content.content
        == publishing.get_publication(ctx, cast.viewer(ctx, "tur"), stored.id).content
    )

    # The spot report: linked from the incident's page; an incident Azerbaijan may not read
    # is as unknown to it as to the API.
    incident = turkey.client.get(f"/incidents/{day.ids['checkpoint']}")
    assert f"/publications?incident={day.ids['checkpoint']}" in incident.text
    spot = {"incident_id": day.ids["checkpoint"], "format": "html", "edition": "internal"}
    assert browsers["aze"].post("/publications/spot", spot).status_code == 404
    assert turkey.post("/publications/spot", spot).status_code == 303
    summary = {"date": "2020-11-26", "period": "weekly", "format": "html", "edition": "public"}
    assert turkey.post("/publications/summary", summary).status_code == 303
    kinds = {p.kind for p in publishing.list_publications(ctx, cast.viewer(ctx, "tur"))}
    assert kinds == {"daily", "spot", "weekly"}

    # Exports: the public's ACLED CSV with HXL hashtags, as the API gives it.
    csv_export = public.client.get(
        "/publications/export", params={"dataset": "incidents", "format": "acled", "hxl": "1"}
    )
    assert csv_export.status_code == 200
    assert "attachment" in csv_export.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(csv_export.text)))
    assert rows[1][0].startswith("#")
    assert day.ids["clash"] not in csv_export.text
    geojson = turkey.client.get(
        "/publications/export", params={"dataset": "incidents", "format": "geojson"}
    )
    assert geojson.status_code == 200
    assert geojson.json()["type"] == "FeatureCollection"
    wrong = public.client.get(
        "/publications/export", params={"dataset": "reports", "format": "geojson"}
    )
    assert wrong.status_code == 422
    assert 'id="err-format"' in wrong.text

    # The daily form offers the day of the last cut-off: a day still open is refused (it
    # would pre-empt the schedule), so what the form shows first is one it accepts.
    shown = re.search(r'name="date" type="date" value="([0-9-]+)"', page.text)
    assert shown is not None
    offered = turkey.post("/publications/daily", {**daily, "date": shown.group(1)})
    assert offered.status_code == 303, offered.text


def test_the_subscriptions_name_a_grid_cell_after_its_nearest_town(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    """A subscription's areas read as the alert e-mails name them: a grid cell after the
    town nearest its centre (Laçın, 7 km from grid0.25:158:186), in the page's language, its
    code kept; a zone's id as it is."""
    armenia = browsers["arm"]
    form = {
        "channel": "email",
        "target": "duty@arm.example.org",
        "areas": "grid0.25:158:186 lachin-corridor",
    }
    assert armenia.post("/alerts/subscriptions", form).status_code == 303
    listed = {lang: armenia.client.get(f"/alerts?lang={lang}").text for lang in ("en", "ru", "tr")}
    assert "cell near Laçın (grid0.25:158:186), lachin-corridor" in listed["en"]
    assert "квадрат рядом с населённым пунктом Лачин (grid0.25:158:186)" in listed["ru"]
    assert "Laçın yakınındaki kare (grid0.25:158:186)" in listed["tr"]


def test_a_filter_value_outside_its_list_is_told_the_values_it_allows(
    browsers: dict[str, Browser],
) -> None:
    """``/alerts?state=nope`` (a hand-edited link) is refused with the states the filter
    allows, by their labels in the page's language, not a bare "unknown value"."""
    for lang in ("ru", "tr"):
        page = browsers["arm"].client.get(f"/alerts?state=nope&lang={lang}")
        assert page.status_code == 422
        labels = LABELS["delivery_state"]
        choices = ", ".join(i18n.gettext(lang, labels[s.value]) for s in DeliveryState)
        said = i18n.gettext(lang, "unknown value %(value)s; expected one of: %(choices)s")
        text = html.unescape(page.text)
        assert said % {"value": "'nope'", "choices": choices} in text, text[-1500:]
        assert "pending, succeeded, dead" not in text

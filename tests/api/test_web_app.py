"""The web application's pages and forms, in process (both databases): CSRF, idempotent
resubmission, input kept on errors, what an adversarial member may see and do, the ledger
page, shareable filters, the language switcher and the demo users.

The browser walk-through of the same pages is tests/e2e/test_web_app_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.agreements import service as agreements
from ceasefire.app import create_app
from ceasefire.compliance import service as compliance
from ceasefire.db.context import ServiceContext
from ceasefire.fusion import service as fusion
from ceasefire.incidents import service as incidents
from ceasefire.members import auth
from ceasefire.members.setup import DEMO_USERS, setup_demo_users
from ceasefire.news.extract import NewsExtractor
from ceasefire.news.service import NewsIngester
from ceasefire.reports import service as reports
from ceasefire.reports.schemas import ReportPublic
from ceasefire.web import csrf, import_progress, news_pages
from ceasefire.web.session import SESSION_COOKIE
from tests.factories.members import Cast, demo_cast
from tests.factories.news import SHELLING
from tests.factories.reports import csv_row, shelling_body, web_report_form, write_csv

HTML = {"accept": "text/html"}


@pytest.fixture
def browsers(ctx: ServiceContext) -> Iterator[dict[str, TestClient]]:
    """A signed-in client per member: the cookie holds the member's API token, as a web
    sign-in leaves it (the password check itself is test_web_login's)."""
    app = create_app(ctx=ctx)
    with TestClient(app) as public:
        yield {
            "public": public,
            **{m: TestClient(app, headers=HTML) for m in ("tur", "rus", "aze", "arm", "fra")},
        }


def _signed_in(client: TestClient, token: str) -> str:
    client.cookies.set(SESSION_COOKIE, token)
    return csrf.token_for(token)


def test_forms_need_the_session_token_and_a_resubmission_files_once(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, TestClient]
) -> None:
    turkey = browsers["tur"]
    token = _signed_in(turkey, cast.tokens["tur"])
    page = turkey.get("/reports/new")
    assert page.status_code == 200
    assert f'name="csrf_token" value="{token}"' in page.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key is not None
    # The place picker: the map's own Leaflet and base layer, served from the app (no CDN).
    # (the web area's own files carry their content's hash: ?v=…)
    for asset in ("/static/leaflet/leaflet.js", "/static/web/pointpicker.js"):
        linked = re.search(rf'src="({re.escape(asset)}(\?v=[0-9a-f]{{12}})?)"', page.text)
        assert linked is not None, asset
        assert turkey.get(linked.group(1)).status_code == 200
    assert 'id="map-picker" class="point-map" data-lat="lat" data-lon="lon"' in page.text

    refused = turkey.post("/reports/new", data=web_report_form(), follow_redirects=False)
    assert refused.status_code == 403
    forged = turkey.post(
        "/reports/new",
        data={**web_report_form(), "csrf_token": csrf.token_for("cft_someone-else")},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert reports.list_reports(ctx, cast.viewer(ctx, "tur")).items == []

    files = {"attachments": ("frame.jpg", b"\xff\xd8 one UAV frame", "image/jpeg")}
    first = turkey.post(
        "/reports/new",
        data={**web_report_form(), "csrf_token": token},
        files=files,
        follow_redirects=False,
    )
    assert first.status_code == 303
    location = first.headers["location"]
    assert "filed=1" in location
    again = turkey.post(
        "/reports/new",
        data={**web_report_form(), "csrf_token": token},
        files=files,
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert "already=1" in again.headers["location"]
    report_id = location.split("?")[0].rsplit("/", 1)[1]
    assert again.headers["location"].startswith(f"/reports/{report_id}?")
    (stored,) = reports.list_reports(ctx, cast.viewer(ctx, "tur")).items
    assert stored.id == report_id
    filed = reports.get_report(ctx, cast.viewer(ctx, "tur"), report_id)
    assert isinstance(filed, ReportPublic)
    assert len(filed.attachments) == 1
    shown = turkey.get(location)
    assert "The report was filed." in shown.text
    assert re.search(r"SHA-256 <code class=\"hash\">[0-9a-f]{64}</code>", shown.text)
    assert re.search(r'href="/ledger/\d+"', shown.text)


def _form_key(page: str, action: str) -> str:
    """The hidden idempotency key of the form posting to ``action`` on ``page``."""
    form = re.search(rf'action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None, action
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', form.group(1))
    assert key is not None, action
    return key.group(1)


def test_a_resubmitted_grouping_or_note_form_makes_one_record(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, TestClient]
) -> None:
    report = reports.submit_report(ctx, cast.viewer(ctx, "tur"), shelling_body()).report
    turkey = browsers["tur"]
    token = _signed_in(turkey, cast.tokens["tur"])
    listed = turkey.get("/reports")
    form = {
        "csrf_token": token,
        "report_ids": [report.id],
        "title": "Aghdam, 26 Nov",
        "idempotency_key": _form_key(listed.text, "/incidents"),
    }
    made = [turkey.post("/incidents", data=form, follow_redirects=False) for _ in range(2)]
    assert [m.status_code for m in made] == [303, 303]
    (first, again) = (m.headers["location"].split("?")[0] for m in made)
    assert first == again
    # Each rendering of the form has its own key: a new submission is a new record.
    assert _form_key(turkey.get("/reports").text, "/incidents") != form["idempotency_key"]

    note_form = {
        "csrf_token": token,
        "text": "Crater seen at 10:40.",
        "idempotency_key": _form_key(turkey.get(first).text, f"{first}/notes"),
    }
    for _ in range(2):
        assert turkey.post(f"{first}/notes", data=note_form).status_code == 200
    incident_id = first.rsplit("/", 1)[1]
    shown = incidents.get_incident(ctx, cast.viewer(ctx, "tur"), incident_id)
    assert [n.text for n in shown.notes] == ["Crater seen at 10:40."]  # type: ignore[union-attr]


def test_a_refused_report_form_names_the_fields_and_keeps_the_input(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, TestClient]
) -> None:
    turkey = browsers["tur"]
    token = _signed_in(turkey, cast.tokens["tur"])
    answer = turkey.post(
        "/reports/new",
        data={**web_report_form(category="", lat="north", means=[]), "csrf_token": token},
    )
    assert answer.status_code == 422
    # Each refused field by the label the form shows it under, not by the API's name.
    refusal = answer.text[answer.text.index('role="alert"') :].split("</ul>")[0]
    for label in ("Category", "Latitude", "Means of observation"):
        assert f"<li>{label}: " in refusal, (label, refusal)
    assert "event_position.lat" not in answer.text
    assert 'value="north"' in answer.text
    assert "Six impacts east of Aghdam." in answer.text
    assert reports.list_reports(ctx, cast.viewer(ctx, "tur")).items == []


def test_what_a_liaison_and_the_public_may_see_and_do(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, TestClient]
) -> None:
    turkey = cast.viewer(ctx, "tur")
    shared = reports.submit_report(ctx, turkey, shelling_body()).report
    internal = reports.submit_report(
        ctx, turkey, shelling_body(classification="internal", count=3)
    ).report
    open_incident = incidents.create_incident(
        ctx,
        turkey,
        report_ids=[shared.id],
        title="Shared shelling",
        classification=Classification.SHARED,
    )
    secret = incidents.create_incident(
        ctx, turkey, report_ids=[internal.id], title="Internal matter"
    )
    incidents.add_note(ctx, turkey, open_incident.id, text="Monitors only: source R-7.")

    azerbaijan = browsers["aze"]
    aze_csrf = _signed_in(azerbaijan, cast.tokens["aze"])
    listed = azerbaijan.get("/incidents").text
    assert "Shared shelling" in listed
    assert "Internal matter" not in listed
    assert azerbaijan.get(f"/incidents/{secret.id}").status_code == 404
    page = azerbaijan.get(f"/incidents/{open_incident.id}")
    assert page.status_code == 200
    assert "source R-7" not in page.text
    assert 'action="/incidents/' + open_incident.id + '/assessments"' not in page.text
    # Forms it is not shown are refused all the same when posted.
    assess = azerbaijan.post(
        f"/incidents/{open_incident.id}/assessments",
        data={"csrf_token": aze_csrf, "stance": "abstain", "rationale": "we have a view"},
    )
    assert assess.status_code == 403
    status = azerbaijan.post(
        f"/incidents/{open_incident.id}/classification",
        data={"csrf_token": aze_csrf, "classification": "public"},
    )
    assert status.status_code == 403
    assert (
        azerbaijan.post(
            f"/incidents/{secret.id}/replies", data={"csrf_token": aze_csrf, "text": "x"}
        ).status_code
        == 404
    )
    # The liaison's report form is the complaint form.
    form = azerbaijan.get("/reports/new").text
    assert "File a complaint" in form
    assert '<option value="party_complaint" selected>' in form
    complaint = azerbaijan.post(
        "/reports/new",
        data={
            **web_report_form(
                channel="party_complaint",
                means=[],
                classification="",
                alleged_perpetrator="ARM",
                concerns="ARM",
                idempotency_key="aze-complaint-1",
            ),
            "csrf_token": aze_csrf,
        },
        follow_redirects=False,
    )
    assert complaint.status_code == 303, complaint.text
    filed = azerbaijan.get(complaint.headers["location"]).text
    assert "party complaint" in filed
    # An observer files nothing.
    france = browsers["fra"]
    fra_csrf = _signed_in(france, cast.tokens["fra"])
    assert "Your role files no reports" in france.get("/reports/new").text
    assert (
        france.post(
            "/reports/new",
            data={**web_report_form(), "csrf_token": fra_csrf},
        ).status_code
        == 403
    )

    public = browsers["public"]
    assert "Shared shelling" not in public.get("/incidents", headers=HTML).text
    assert public.get(f"/incidents/{open_incident.id}", headers=HTML).status_code == 404
    for path in ("/reports", "/reports/new", "/news", "/ledger/1"):
        answer = public.get(path, headers=HTML, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next="), path


def test_an_incident_from_the_forms_to_its_ledger_entries(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, TestClient]
) -> None:
    turkey_viewer = cast.viewer(ctx, "tur")
    report = reports.submit_report(ctx, turkey_viewer, shelling_body()).report
    turkey, russia, armenia = browsers["tur"], browsers["rus"], browsers["arm"]
    tur_csrf = _signed_in(turkey, cast.tokens["tur"])
    rus_csrf = _signed_in(russia, cast.tokens["rus"])
    arm_csrf = _signed_in(armenia, cast.tokens["arm"])

    made = turkey.post(
        "/incidents",
        data={
            "csrf_token": tur_csrf,
            "report_ids": [report.id],
            "title": "Aghdam, 26 Nov",
            "classification": "shared",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    incident_id = made.headers["location"].split("?")[0].rsplit("/", 1)[1]
    base = f"/incidents/{incident_id}"
    refused = turkey.post(
        f"{base}/assessments",
        data={"csrf_token": tur_csrf, "stance": "concur", "rationale": "too early"},
    )
    assert refused.status_code == 409  # not under investigation yet: shown beside the form
    assert "under investigation" in refused.text
    assert (
        turkey.post(
            f"{base}/status",
            data={"csrf_token": tur_csrf, "status": "under_investigation", "reason": "team sent"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    concurred = turkey.post(
        f"{base}/assessments",
        data={
            "csrf_token": tur_csrf,
            "stance": "concur",
            "status": "verified",
            "attribution": "attributed",
            "party": "ARM",
            "rationale": "UAV footage",
            "classification": "shared",
        },
        follow_redirects=False,
    )
    assert concurred.status_code == 303
    seqs = re.search(r"done=([\d,]+)", concurred.headers["location"])
    assert seqs is not None
    ledger = turkey.get(f"/ledger/{seqs.group(1).split(',')[0]}")
    assert ledger.status_code == 200
    assert "The inclusion proof checks" in ledger.text
    assert "intake:incident:assessed" in ledger.text

    russia.post(
        f"{base}/assessments",
        data={"csrf_token": rus_csrf, "stance": "dissent", "rationale": "origin not seen"},
    )
    replied = armenia.post(f"{base}/replies", data={"csrf_token": arm_csrf, "text": "We deny it."})
    assert replied.status_code == 200, replied.text[replied.text.find("<main") :][:600]
    page = russia.get(base).text
    assert 'class="attribution attribution-disputed"' in page
    assert "origin not seen" in page
    assert "UAV footage" in page
    assert "We deny it." in page
    # Russia changes its view: the first one stays on the page, marked superseded.
    russia.post(
        f"{base}/assessments",
        data={"csrf_token": rus_csrf, "stance": "abstain", "rationale": "no view after all"},
    )
    page = russia.get(base).text
    assert page.count('class="superseded"') == 1
    assert "origin not seen" in page
    # Grouping another report in, and taking it out again with the reason (merge/split).
    other = reports.submit_report(ctx, turkey_viewer, shelling_body(count=2)).report
    added = turkey.post(
        f"{base}/reports",
        data={"csrf_token": tur_csrf, "report_ids": other.id},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert other.id in turkey.get(base).text
    removed = turkey.post(
        f"{base}/reports/remove",
        data={"csrf_token": tur_csrf, "report_id": other.id, "reason": "another event"},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    detail = incidents.get_incident(ctx, turkey_viewer, incident_id)
    assert [r.id for r in getattr(detail, "reports", [])] == [report.id]
    russian = russia.get(f"{base}?lang=ru").text
    assert "Оценки" in russian
    assert "заменена" in russian


def test_filters_live_in_the_url(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, TestClient]
) -> None:
    turkey_viewer = cast.viewer(ctx, "tur")
    for count in (1, 2, 3):
        report = reports.submit_report(ctx, turkey_viewer, shelling_body(count=count)).report
        incidents.create_incident(
            ctx,
            turkey_viewer,
            report_ids=[report.id],
            title=f"Shelling {count}",
            classification=Classification.SHARED,
        )
    turkey = browsers["tur"]
    _signed_in(turkey, cast.tokens["tur"])
    page = turkey.get("/incidents", params={"party": "ARM", "limit": "2"})
    assert page.text.count('href="/incidents/inc-') == 2
    link = re.search(r'rel="next" href="([^"]+)"', page.text)
    assert link is not None
    following = link.group(1).replace("&amp;", "&")
    assert "party=ARM" in following
    assert "cursor=inc-" in following
    assert turkey.get(following).text.count('href="/incidents/inc-') == 1
    outside = turkey.get("/incidents", params={"bbox": "40,41,41,42"})
    assert 'href="/incidents/inc-' not in outside.text
    inside = turkey.get("/incidents", params={"bbox": "46.5,39.5,47.5,40.5", "status": "reported"})
    assert inside.text.count('href="/incidents/inc-') == 3
    bad = turkey.get("/incidents", params={"bbox": "46.5,39.5"})
    assert bad.status_code == 422
    # The filter is named by the label the reader saw beside it, not the query's name.
    assert "Area (west, south, east, north in degrees) is min_lon,min_lat,max_lon,max_lat" in (
        bad.text
    )
    assert "bbox is" not in bad.text
    reports_page = turkey.get("/reports", params={"bbox": "46.5,39.5,47.5,40.5", "party": "AZE"})
    assert reports_page.text.count('href="/reports/rep-') == 3


def test_language_and_time_zone_are_kept_in_cookies(browsers: dict[str, TestClient]) -> None:
    public = browsers["public"]
    answer = public.get(
        "/preferences", params={"lang": "tr", "next": "/incidents"}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/incidents"
    assert "lang=tr" in answer.headers["set-cookie"]
    page = public.get("/incidents", headers=HTML)
    assert '<html lang="tr">' in page.text
    assert "Olaylar" in page.text
    assert (
        public.get(
            "/preferences",
            params={"tz": "Asia/Baku", "next": "//evil.example/"},
            follow_redirects=False,
        ).headers["location"]
        == "/"
    )
    assert (
        public.get(
            "/preferences", params={"tz": "Mars/Olympus"}, follow_redirects=False
        ).headers.get("set-cookie")
        is None
    )


def test_saving_preferences_is_a_post_with_the_csrf_token(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, TestClient]
) -> None:
    turkey = browsers["tur"]
    token = _signed_in(turkey, cast.tokens["tur"])
    user = cast.users["tur"]
    header = turkey.get("/incidents").text
    # Signed in, the switcher and the zone are forms that post the session's token.
    switcher = re.search(r'<form class="langs"[^>]*>(.*?)</form>', header, re.S)
    assert switcher is not None
    assert 'method="post" action="/preferences"' in switcher.group(0)
    assert f'name="csrf_token" value="{token}"' in switcher.group(1)
    assert re.findall(r'<button[^>]*name="lang" value="(\w+)"', switcher.group(1)) == [
        "en",
        "ru",
        "tr",
    ]
    assert 'href="/preferences?' not in header
    nothing = auth.UserPreferences(None, None)
    # Without the token, or from another site: refused, nothing saved, no cookie.
    forged = turkey.post("/preferences", data={"lang": "ru", "next": "/"}, follow_redirects=False)
    assert forged.status_code == 403
    assert "set-cookie" not in forged.headers
    elsewhere = turkey.post(
        "/preferences",
        data={"csrf_token": token, "lang": "ru"},
        headers={"origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert elsewhere.status_code == 403
    assert auth.preferences_of(ctx, user) == nothing
    saved = turkey.post(
        "/preferences",
        data={"csrf_token": token, "lang": "ru", "tz": "Asia/Baku", "next": "/incidents"},
        headers={"origin": str(turkey.base_url)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/incidents"
    assert auth.preferences_of(ctx, user) == auth.UserPreferences("ru", "Asia/Baku")
    assert '<html lang="ru">' in turkey.get("/incidents").text

    # The public keeps links (a GET: cookies only) and may post its zone too (cookies only).
    public = browsers["public"]
    page = public.get("/incidents", headers=HTML).text
    assert 'href="/preferences?lang=tr&amp;next=/incidents"' in page
    assert '<form class="tz" method="post" action="/preferences">' in page
    posted = public.post(
        "/preferences", data={"tz": "Asia/Yerevan", "next": "/"}, follow_redirects=False
    )
    assert posted.status_code == 303
    assert "Asia/Yerevan" in posted.headers["set-cookie"]


def test_the_import_form_reports_its_progress_to_its_user_only(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, TestClient], tmp_path: Path
) -> None:
    turkey, russia = browsers["tur"], browsers["rus"]
    tur_csrf = _signed_in(turkey, cast.tokens["tur"])
    _signed_in(russia, cast.tokens["rus"])
    job = "0123456789abcdef0123456789abcdef"
    owner = cast.users["tur"]
    # While an import runs: "checking", then rows written after each batch.
    with import_progress.tracked(ctx.settings, owner, job) as step:
        assert turkey.get("/reports/import/progress", params={"job": job}).json() == {
            "phase": "checking"
        }
        step(40, 120)
        answer = turkey.get("/reports/import/progress", params={"job": job})
        assert answer.status_code == 200
        assert answer.json() == {"phase": "writing", "done": 40, "total": 120}
        assert answer.headers["cache-control"] == "no-store"
        # Another user, the public, or a malformed id learn nothing.
        assert russia.get("/reports/import/progress", params={"job": job}).status_code == 404
        public = browsers["public"].get("/reports/import/progress", params={"job": job})
        assert public.status_code == 404
        assert turkey.get("/reports/import/progress", params={"job": "../x"}).status_code == 404
    assert turkey.get("/reports/import/progress", params={"job": job}).status_code == 404

    # The form with a job id: the rows imported (one invalid row given back to download),
    # and the progress state gone once the answer is there.
    rows = [csv_row(n) for n in range(30)]
    rows[7]["category"] = "not-a-category"
    data = write_csv(tmp_path / "batch.csv", rows).read_bytes()
    imported = turkey.post(
        "/reports/import",
        data={"csrf_token": tur_csrf, "skip_invalid": "1", "job": job},
        files={"file": ("batch.csv", data, "text/csv")},
    )
    assert imported.status_code == 200, imported.text
    assert "29 imported" in imported.text
    assert 'id="rejects" href="data:text/csv;base64,' in imported.text
    assert turkey.get("/reports/import/progress", params={"job": job}).status_code == 404
    assert not list(import_progress.folder_of(ctx.settings).glob("*"))


def test_demo_users_get_a_password_once(ctx: ServiceContext) -> None:
    demo_cast(ctx)
    created = setup_demo_users(ctx)
    assert [u.user_id for u in created] == [user for user, _, _ in DEMO_USERS]
    assert len({u.password for u in created}) == len(created)
    monitor = next(u for u in created if u.user_id == "tur-monitor")
    issued = auth.login(ctx, user_id=monitor.user_id, password=monitor.password)
    assert auth.viewer_for_token(ctx, issued.token).member_id == "tur"
    assert setup_demo_users(ctx) == []  # a second init prints no password


def test_news_page_extracts_then_sends_only_the_ticked_events(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, TestClient], extractor: NewsExtractor
) -> None:
    ctx.caches[news_pages.CACHE_KEY] = NewsIngester(ctx, extractor)  # the session's model
    turkey = browsers["tur"]
    token = _signed_in(turkey, cast.tokens["tur"])
    shown = turkey.post("/news/analyse", data={"csrf_token": token, "text": SHELLING})
    assert shown.status_code == 200
    assert 'class="hl-place ">Tartar</mark>' in shown.text
    assert "hl-actor" in shown.text
    ticks = re.findall(r'name="events" value="(\d+)"', shown.text)
    assert ticks
    data = re.search(r'name="data" value="([^"]+)"', shown.text)
    assert data is not None
    assert reports.list_reports(ctx, cast.viewer(ctx, "tur")).items == []  # nothing stored
    sent = turkey.post(
        "/news/ingest",
        data={"csrf_token": token, "data": data.group(1), "name": "tartar", "events": ticks},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    article = turkey.get(sent.headers["location"]).text
    (report,) = reports.list_reports(ctx, cast.viewer(ctx, "tur")).items
    assert f'href="/reports/{report.id}"' in article
    assert re.search(r'href="/ledger/\d+"', article)
    # A liaison may not use it.
    azerbaijan = browsers["aze"]
    aze = _signed_in(azerbaijan, cast.tokens["aze"])
    refused = azerbaijan.post("/news/analyse", data={"csrf_token": aze, "text": SHELLING})
    assert refused.status_code == 403
    # Nor read, on the article's page, which event became the monitors' internal report.
    page = azerbaijan.get(sent.headers["location"])
    assert page.status_code == 200
    assert report.id not in page.text
    assert "not selected for intake" not in page.text
    assert ">None<" not in page.text


def _post_unread(client: TestClient, path: str, csrf_token: str) -> tuple[int, bool]:
    """POST a malformed multipart stream (it would fail to parse) to ``path``: the status
    and whether any of the body was read."""
    read: list[int] = []

    def body() -> Iterator[bytes]:
        read.append(1)
        yield b"this is not a multipart body " * 1000

    refused = client.post(
        path,
        content=body(),
        headers={"content-type": "multipart/form-data; boundary=xyz", **HTML},
        params={"csrf_token": csrf_token},
    )
    return refused.status_code, bool(read)


def test_a_news_form_of_a_liaison_is_refused_before_its_body_is_read(
    cast: Cast, browsers: dict[str, TestClient]
) -> None:
    """The news forms ingest (monitors only): a liaison's is refused on the session alone,
    before its multipart body is read or parsed, as the import form's is."""
    for path in ("/news/analyse", "/news/ingest"):
        for member in ("aze", "fra"):
            client = browsers[member]
            token = _signed_in(client, cast.tokens[member])
            assert _post_unread(client, path, token) == (403, False), (path, member)


def test_an_attachment_form_nobody_may_use_is_refused_before_its_body_is_read(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, TestClient]
) -> None:
    """The web twin of the API's attach route: a liaison's upload to a monitor's internal
    report is a 404 (it does not exist for it), answered before the form is read."""
    filed = reports.submit_report(
        ctx, cast.viewer(ctx, "tur"), shelling_body(classification="internal")
    )
    client = browsers["aze"]
    token = _signed_in(client, cast.tokens["aze"])
    path = f"/reports/{filed.report.id}/attachments"
    assert _post_unread(client, path, token) == (404, False)


def test_an_import_upload_is_refused_before_its_body_is_read(
    cast: Cast, browsers: dict[str, TestClient]
) -> None:
    """A liaison (or observer) may import nothing: the form is refused on the session alone,
    its body (here a malformed multipart stream that would fail to parse) never read."""
    for member in ("aze", "fra"):
        client = browsers[member]
        token = _signed_in(client, cast.tokens[member])
        assert _post_unread(client, "/reports/import", token) == (403, False), member

    # A monitor's form is read (bounded) and needs the session's token in it.
    turkey = browsers["tur"]
    tur_csrf = _signed_in(turkey, cast.tokens["tur"])
    forged = turkey.post(
        "/reports/import",
        data={"csrf_token": csrf.token_for("cft_someone-else")},
        files={"file": ("r.csv", b"a,b\n1,2\n", "text/csv")},
    )
    assert forged.status_code == 403
    empty = turkey.post(
        "/reports/import",
        data={"csrf_token": tur_csrf},
        files={"file": ("r.csv", b"", "text/csv")},
    )
    assert empty.status_code == 422
    assert "empty" in empty.text


def test_the_incident_page_shows_corroboration_findings_and_splits_for_monitors(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, TestClient]
) -> None:
    agreements.load_shipped(ctx)
    turkey_viewer = cast.viewer(ctx, "tur")
    # After Aghdam district was handed over, at an exact place in it: a breach of point 1.
    after = {
        "observed": {
            "start": "2020-11-26T10:30:00Z",
            "end": "2020-11-26T10:50:00Z",
            "precision": "exact",
        },
        "event_position": {"place_name": "Aghdam", "precision": 1, "lat": 39.991, "lon": 46.927},
    }
    first = reports.submit_report(ctx, turkey_viewer, shelling_body(**after)).report
    second = reports.submit_report(ctx, turkey_viewer, shelling_body(count=2, **after)).report
    turkey, azerbaijan = browsers["tur"], browsers["aze"]
    tur_csrf = _signed_in(turkey, cast.tokens["tur"])
    aze_csrf = _signed_in(azerbaijan, cast.tokens["aze"])
    made = turkey.post(
        "/incidents",
        data={
            "csrf_token": tur_csrf,
            "report_ids": [first.id, second.id],
            "title": "Aghdam, 26 Nov",
            "classification": "shared",
        },
        follow_redirects=False,
    )
    base = made.headers["location"].split("?")[0]
    incident_id = base.rsplit("/", 1)[1]
    summary = fusion.summary(ctx, turkey_viewer, incident_id)
    findings = compliance.incident_findings(ctx, turkey_viewer, incident_id)
    page = turkey.get(base).text
    assert f"Independent sources: {summary.independent_sources}" in page
    for kind, n in summary.by_kind.items():
        assert f"{n} {kind}" in page
    assert findings, "a shelling in the handed-over Aghdam district is a finding"
    for finding in findings:
        assert f"<code>{finding.rule_id}</code>" in page
        assert finding.rule in page
        assert finding.provision_id in page
    assert 'action="/incidents/' + incident_id + '/split"' in page

    # A liaison sees the same counts and findings, but not the monitors' split form, and
    # posting it anyway is refused by fusion's service.
    seen = azerbaijan.get(base).text
    assert "/split" not in seen
    refused = azerbaijan.post(
        f"{base}/split",
        data={"csrf_token": aze_csrf, "report_ids": second.id, "reason": "mine"},
        follow_redirects=False,
    )
    assert refused.status_code in (403, 404)
    split = turkey.post(
        f"{base}/split",
        data={"csrf_token": tur_csrf, "report_ids": second.id, "reason": "another event"},
        follow_redirects=False,
    )
    assert split.status_code == 303, split.text[split.text.find("<main") :][:600]
    assert re.search(r"done=\d", split.headers["location"])
    new_incident = split.headers["location"].split("?")[0]
    assert new_incident != base
    page = turkey.get(new_incident).text
    assert "by hand" in page
    assert second.id in page
    detail = incidents.get_incident(ctx, turkey_viewer, incident_id)
    assert [r.id for r in getattr(detail, "reports", [])] == [first.id]
    turkish = turkey.get(f"{base}?lang=tr").text
    assert "Independent sources" not in turkish


def test_the_dashboard_speaks_russian_and_turkish(
    ctx: ServiceContext, browsers: dict[str, TestClient]
) -> None:
    agreements.load_shipped(ctx)
    public = browsers["public"]
    english = public.get("/?lang=en").text
    english_labels = ["Record as of", "Timeline", "Ledger", "parties:", "renews automatically"]
    for label in ["Provisions as of", "initial term expires", *english_labels]:
        assert label in english
    for lang in ("ru", "tr"):
        page = public.get(f"/?lang={lang}").text
        for label in ["Provisions as of", "notice deadline", "No agreement", *english_labels]:
            assert label not in page, (lang, label)
        assert ">in progress<" not in page
    assert "Хронология" in public.get("/?lang=ru").text

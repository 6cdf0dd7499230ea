"""The web application in a real browser (Playwright driving the system Chromium) against a
real ``ceasefire serve`` on the demo data, signed in with the passwords ``init --demo``
printed.

One server and one browser for the module; each member is a browser context of its own
(its own cookies). Every request the browser makes is recorded and must go to 127.0.0.1.
axe-core (bundled by the pinned ``axe-playwright-python``) checks the main pages, and their
screenshots are saved under ``build/test-output/web/``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from ceasefire import i18n
from tests.factories.browser import CHROMIUM, CHROMIUM_FLAGS
from tests.factories.cli import run_here
from tests.factories.served import installation_env, serving

playwright_api = pytest.importorskip("playwright.sync_api")
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.slow,
]

OUTPUT = Path(__file__).resolve().parents[2] / "build" / "test-output" / "web"
SEED_ARTICLE = (
    Path(__file__).resolve().parents[1]
    / "data"
    / ("asharq-al-awsat-2020-11-26-nagorno-karabakh.txt")
)
DEMO_INCIDENT_TITLE = "Shelling near Aghdam"


class Site:
    """The served demo: its address, the demo users' passwords and the browser."""

    def __init__(self, base: str, passwords: dict[str, str], browser: Any) -> None:
        self.base = base
        self.passwords = passwords
        self.browser = browser
        self.requests: list[str] = []

    def context(self, user: str | None = None, *, width: int = 1280) -> Any:
        """A fresh browser profile, signed in as ``user`` (the public when None)."""
        context = self.browser.new_context(
            base_url=self.base, viewport={"width": width, "height": 900}
        )
        context.set_default_timeout(30_000)
        context.on("request", lambda request: self.requests.append(request.url))
        if user is not None:
            page = context.new_page()
            page.goto("/login")
            page.fill("#user_id", user)
            page.fill("#password", self.passwords[user])
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(f"{self.base}/")
            assert user in page.inner_text("header .who")
            page.close()
        return context

    def token(self, user: str) -> str:
        answer = httpx.post(
            f"{self.base}/api/v1/auth/token",
            json={"user_id": user, "password": self.passwords[user], "label": "test"},
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["token"])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("webapp")
    env = installation_env(
        folder,
        CEASEFIRE_PUBLIC_REQUESTS_PER_MINUTE="100000",
        CEASEFIRE_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE="100000",
        # The scenario groups its report by hand: fusion's worker would race it to it.
        CEASEFIRE_FUSION_INTERVAL_S="0",
        # Small batches: the import's progress bar has steps to show.
        CEASEFIRE_IMPORT_BATCH_SIZE="25",
    )
    summary = json.loads(
        run_here("init", "--demo", "--no-demo-month", "--json", env=env, check=True).stdout
    )
    passwords = {user["user_id"]: user["password"] for user in summary["users"]}
    assert {"tur-monitor", "rus-monitor", "arm-liaison", "aze-liaison"} <= set(passwords)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    assert CHROMIUM is not None
    with serving(env) as base, playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[f for f in CHROMIUM_FLAGS if f != "--headless"]
        )
        served = Site(base, passwords, browser)
        try:
            yield served
        finally:
            browser.close()
        # No request of the whole module left this machine (no CDN, no tiles, no fonts).
        outside = [u for u in served.requests if urlsplit(u).hostname not in ("127.0.0.1", None)]
        assert served.requests
        assert not outside, outside[:5]


def _incident_id(url: str) -> str:
    found = re.search(r"/incidents/(inc-[0-9a-f]+)", url)
    assert found is not None, url
    return found.group(1)


def submit(page: Any, selector: str) -> None:
    """Click ``selector`` and wait for the page it leads to; fail on an error page."""
    with page.expect_navigation():
        page.click(selector)
    error = page.locator("main .error, main section.error")
    assert error.count() == 0, f"{page.url}: {error.first.inner_text()}"


def _assess(page: Any, stance: str, rationale: str, **finding: str) -> None:
    page.check(f"input[name=stance][value={stance}]")
    if "status" in finding:
        page.select_option("#assess-status", finding["status"])
    if "attribution" in finding:
        page.select_option("#assess-attribution", finding["attribution"])
    if "party" in finding:
        page.select_option("#assess-party", finding["party"])
    page.fill("#assess-rationale", rationale)
    submit(page, "form[action$='/assessments'] button[type=submit]")


def test_joint_assessment_dissent_reply_and_access_in_the_browser(
    site: Site, tmp_path: Path
) -> None:
    # The Turkish monitor files a report with an attachment through the form.
    evidence = tmp_path / "uav-frame-0931.jpg"
    evidence.write_bytes(b"\xff\xd8\xff\xe0 a frame of the UAV feed " * 40)
    turkey = site.context("tur-monitor")
    page = turkey.new_page()
    page.goto("/reports/new")
    page.select_option("#category", "shelling")
    page.fill("#count", "6")
    page.check("input[name=means][value=seen]")
    page.check("input[name=means][value=uav]")
    page.fill("#alleged_perpetrator", "ARM")
    page.fill("#concerns", "ARM AZE")
    page.fill("#observed_start", "2020-11-28T09:30")
    page.fill("#lat", "39.9871")
    page.fill("#lon", "46.9312")
    page.select_option("#precision", "2")
    page.fill("#place_name", "Aghdam")
    page.select_option("#classification", "shared")
    page.select_option("select[name=agreement_id]", "nk-2020-trilateral")
    page.fill("#narrative", "Six impacts east of Aghdam seen on the UAV feed.")
    page.set_input_files("#attachments", str(evidence))
    submit(page, "form[action='/reports/new'] button[type=submit]")

    assert "The report was filed." in page.inner_text("main")
    digest = hashlib.sha256(evidence.read_bytes()).hexdigest()
    assert digest in page.inner_text("#attachments")
    report_id = page.url.split("/reports/")[1].split("?")[0]
    assert page.locator("#done a[href^='/ledger/']").count() == 2  # report + attachment

    # It appears in the report list, where it is grouped into a new incident.
    page.goto("/reports?unassigned=1")
    page.check(f"#pick-{report_id}")
    page.fill("#incident-title", "Impacts east of Aghdam, 28 November")
    page.select_option("#group-form select[name=classification]", "shared")
    submit(page, "#group-form button[type=submit]")

    incident = _incident_id(page.url)
    assert report_id in page.inner_text("main")

    # Investigation, then the assessment "verified, attributed to ARM".
    page.select_option("#new-status", "under_investigation")
    page.fill("#status-reason", "joint team sent")
    submit(page, "form[action$='/status'] button[type=submit]")
    _assess(
        page,
        "concur",
        "The UAV feed shows the launch site west of the line.",
        status="verified",
        attribution="attributed",
        party="ARM",
    )
    assert "Recorded in the ledger:" in page.inner_text("#done")
    # The ledger link shows the entry and its inclusion proof, to a signed-in member.
    page.click("#done a[href^='/ledger/']")
    assert "The inclusion proof checks" in page.inner_text("main")
    # The entry is named by its phrase; the tag stays on it for those who check the ledger.
    assert "incident assessed" in page.inner_text("main")
    tag = page.locator("main .ledger-tag").first.get_attribute("data-tag")
    assert tag == "intake:incident:assessed"

    # The Russian monitor dissents and writes an internal working note.
    russia = site.context("rus-monitor")
    rpage = russia.new_page()
    rpage.goto(f"/incidents/{incident}")
    _assess(rpage, "dissent", "The origin of fire was not observed by our patrol.")
    rpage.fill("#note-text", "Internal deliberation: patrol R-2 route to be kept confidential.")
    submit(rpage, "form[action$='/notes'] button[type=submit]")
    main = rpage.inner_text("main")
    assert "disputed" in rpage.inner_text(".facts")
    rows = rpage.locator("tr.current").all_inner_texts()
    assert any("tur" in r and "concur" in r and "ARM" in r for r in rows), rows
    assert any("rus" in r and "dissent" in r for r in rows), rows
    assert "patrol R-2" in main

    # Switching language translates the page's labels (and the page says its language).
    submit(rpage, "form.langs button[lang=ru]")
    assert rpage.get_attribute("html", "lang") == "ru"
    ru_main = rpage.inner_text("main")
    disputed = i18n.gettext("ru", "disputed")
    for label in ("Оценки", "Ответственность", "Ответы", disputed, "особое мнение"):
        assert label in ru_main, label
    for english in ("Assessments", "Attribution", "Replies", "Record assessment"):
        assert english not in ru_main, english
    rpage.screenshot(path=str(OUTPUT / "incident-ru.png"), full_page=True)
    submit(rpage, "form.langs button[lang=tr]")
    assert rpage.get_attribute("html", "lang") == "tr"
    tr_main = rpage.inner_text("main")
    disputed = i18n.gettext("tr", "disputed")
    for label in ("Değerlendirmeler", "Sorumluluk", "Yanıtlar", disputed, "karşı görüş"):
        assert label in tr_main, label
    for english in ("Assessments", "Attribution", "Replies"):
        assert english not in tr_main, english
    rpage.goto("/incidents")
    assert "Olaylar" in rpage.inner_text("main h1")
    rpage.click("form.langs button[lang=en]")

    # Armenia's liaison replies; it sees no internal note.
    armenia = site.context("arm-liaison")
    apage = armenia.new_page()
    apage.goto(f"/incidents/{incident}")
    assert "patrol R-2" not in apage.content()
    apage.fill("#reply-text", "Armenia denies any fire from its positions on 28 November.")
    submit(apage, "form[action$='/replies'] button[type=submit]")
    assert "Armenia denies any fire" in apage.inner_text("main")

    # An internal incident (filed through the API), which no liaison may see.
    token = site.token("tur-monitor")
    bearer = {"Authorization": f"Bearer {token}"}
    filed = httpx.post(
        f"{site.base}/api/v1/reports",
        headers=bearer,
        json={
            "channel": "monitor_observation",
            "category": "troop_or_vehicle_movement",
            "observed": {"start": "2020-11-29T07:00", "timezone": "Asia/Baku"},
            "event_position": {"lat": 39.9, "lon": 46.8, "precision": 2},
            "means": ["seen"],
            "concerns": ["AZE"],
            "classification": "internal",
            "agreement_id": "nk-2020-trilateral",
        },
    )
    assert filed.status_code == 201, filed.text
    hidden = httpx.post(
        f"{site.base}/api/v1/incidents",
        headers=bearer,
        json={
            "report_ids": [filed.json()["id"]],
            "title": "Column movement near the line (internal)",
            "classification": "internal",
        },
    )
    assert hidden.status_code == 201, hidden.text
    hidden_id = hidden.json()["id"]

    azerbaijan = site.context("aze-liaison")
    zpage = azerbaijan.new_page()
    zpage.goto("/incidents")
    listed = zpage.inner_text("main")
    assert "Impacts east of Aghdam" in listed  # shared, concerns AZE
    assert "Column movement near the line" not in listed
    answer = zpage.goto(f"/incidents/{hidden_id}")
    assert answer is not None
    assert answer.status in (403, 404)
    zpage.goto(f"/incidents/{incident}")
    assert "patrol R-2" not in zpage.content()
    assert zpage.locator("#note-text").count() == 0  # no monitor's forms either

    # The public sees public incidents only: publish the demo's, not the new ones.
    page.goto("/incidents?classification=shared")
    page.click(f"text={DEMO_INCIDENT_TITLE}")
    page.select_option("#new-classification", "public")
    submit(page, "form[action$='/classification'] button[type=submit]")
    public = site.context()
    ppage = public.new_page()
    ppage.goto("/incidents")
    shown = ppage.inner_text("main")
    assert DEMO_INCIDENT_TITLE in shown
    assert "Impacts east of Aghdam" not in shown
    assert "Column movement" not in shown
    answer = ppage.goto(f"/incidents/{incident}")
    assert answer is not None
    assert answer.status == 404
    ppage.goto("/reports")
    assert "/login" in ppage.url

    # The seed article pasted: its events, with actors, places and dates marked.
    page.goto("/news")
    page.fill("#article-text", SEED_ARTICLE.read_text(encoding="utf-8"))
    submit(page, "form[action='/news/analyse'] button[type=submit]")
    assert page.locator("#events tbody tr").count() >= 5
    # Event types read as words; the PLOVER code stays in the cell's title.
    assert "consultation" in page.inner_text("#events")
    assert page.locator("#events td[title='CONSULT']").count() > 0
    for kind in ("actor", "place", "quote", "date"):
        assert page.locator(f".article-text mark.hl-{kind}").count() > 0, kind
    page.screenshot(path=str(OUTPUT / "news-extracted.png"), full_page=True)

    for context in (turkey, russia, armenia, azerbaijan, public):
        context.close()


MAIN_PAGES = (
    ("login", None, "/login"),
    ("incidents", "tur-monitor", "/incidents"),
    ("incident", "tur-monitor", None),
    ("reports", "tur-monitor", "/reports"),
    ("report-form", "tur-monitor", "/reports/new"),
    ("import", "tur-monitor", "/reports/import"),
    ("news", "tur-monitor", "/news"),
    ("ledger-entry", "tur-monitor", "/ledger/3"),
    ("incidents-public", None, "/incidents"),
    ("incident-liaison", "arm-liaison", None),
    ("provisions", "tur-monitor", "/provisions"),
    ("alerts", "tur-monitor", "/alerts"),
    ("publications", "tur-monitor", "/publications"),
    ("members", "operator", "/members"),
    ("posts", "operator", "/posts"),
    ("account", "tur-monitor", "/account/password"),
)


def test_main_pages_have_no_serious_accessibility_violations(site: Site) -> None:
    axe = axe_api.Axe()
    contexts: dict[str | None, Any] = {}
    problems = {}
    for name, user, path in MAIN_PAGES:
        if user not in contexts:
            contexts[user] = site.context(user)
        page = contexts[user].new_page()
        if path is None:
            page.goto("/incidents?party=ARM")
            page.click(f"text={DEMO_INCIDENT_TITLE}")
        else:
            page.goto(path)
        page.wait_for_load_state()
        result = axe.run(page)
        serious = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[name] = serious
        page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
        page.close()
    # The incident page at 390 px: nothing wider than the screen.
    small = site.context(width=390)
    narrow = small.new_page()
    narrow.goto("/incidents")
    width = narrow.evaluate("document.documentElement.scrollWidth")
    narrow.screenshot(path=str(OUTPUT / "incidents-390.png"), full_page=True)
    small.close()
    for context in contexts.values():
        context.close()
    assert not problems, json.dumps(problems, indent=1)
    assert width <= 390, width


# Recorded in the page from its start: every state of the import's progress bar.
BAR_WATCH = """
window.__bar = [];
document.addEventListener('DOMContentLoaded', () => {
  const bar = document.getElementById('import-progress');
  const state = document.getElementById('import-state');
  if (!bar) { return; }
  const note = () => window.__bar.push({value: bar.getAttribute('value'), max: bar.max,
                                        text: state.textContent, hidden: bar.hidden});
  new MutationObserver(note).observe(bar, {attributes: true});
  new MutationObserver(note).observe(state, {childList: true, characterData: true, subtree: true});
});
"""


def test_the_csv_import_shows_a_determinate_progress_and_the_rejects(
    site: Site, tmp_path: Path
) -> None:
    from tests.factories.reports import csv_row, write_csv

    rows = [csv_row(n, classification="internal") for n in range(400)]
    rows[3]["event_lat"] = "not a latitude"
    csv_file = write_csv(tmp_path / "patrol-log.csv", rows)
    turkey = site.context("tur-monitor")
    polled: list[str] = []
    turkey.on(
        "request", lambda r: polled.append(r.url) if "/reports/import/progress" in r.url else None
    )
    turkey.add_init_script(BAR_WATCH)
    page = turkey.new_page()
    page.goto("/reports/import")
    page.set_input_files("#csv-file", str(csv_file))
    # The server's answer replaces the page's document (document.write: no navigation).
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-result")
    result = page.inner_text("#import-result")
    assert "399 imported" in result, result
    assert "1 rejected of 400 rows" in result, result
    assert page.get_attribute("#rejects", "download") == "patrol-log.csv.rejects.csv"
    assert page.get_attribute("#rejects", "href").startswith("data:text/csv;base64,")
    # Determinate from the first state to the last: the bar always has a value.
    observed = page.evaluate("window.__bar")
    assert observed, "the progress bar never changed"
    assert all(s["value"] is not None for s in observed if not s["hidden"]), observed
    # The server's progress was asked for with the form's job id.
    assert polled
    assert all("job=" in url for url in polled), polled
    page.screenshot(path=str(OUTPUT / "import-result.png"), full_page=True)
    turkey.close()


def _report_form_measured(site: Site, user: str, lang: str, script: str) -> Any:
    """What ``script`` measures on the report form as ``user`` sees it in ``lang``."""
    context = site.context(user)
    page = context.new_page()
    page.goto(f"/reports/new?lang={lang}")
    measured = page.evaluate(script)
    context.close()
    return measured


def test_report_form_fields_keep_their_height_beside_the_point_picker(site: Site) -> None:
    """The location precision sat in the point picker's row and grew to the map's height
    (a select five lines tall, its text at the bottom)."""
    heights = _report_form_measured(
        site,
        "arm-liaison",
        "ru",
        "['#precision', '#lat', '#alleged_perpetrator', '#concerns'].map("
        "s => document.querySelector(s).getBoundingClientRect().height)",
    )
    precision, lat, perpetrator, concerns = heights
    assert precision < 1.8 * lat, heights
    assert perpetrator < 1.8 * concerns, heights


def test_the_report_forms_file_input_stays_in_its_cell(site: Site) -> None:
    """The attachments' file input (its button and "No file chosen") was wider than its grid
    cell and ran over the hint about hashing beside it."""
    boxes = _report_form_measured(
        site,
        "tur-monitor",
        "tr",
        "(() => { const input = document.querySelector('#attachments');"
        " const hint = input.closest('fieldset').querySelector('p');"
        " return [input.getBoundingClientRect().right,"
        " input.closest('label').getBoundingClientRect().right,"
        " hint.getBoundingClientRect().left]; })()",
    )
    input_right, label_right, hint_left = boxes
    assert input_right <= label_right + 0.5, boxes
    assert input_right <= hint_left, boxes


# Where the table cell's id wraps: the character before each new line.
ID_BREAKS = """
() => {
  const id = [...document.querySelectorAll('td code')].find(
    e => e.textContent === 'jmc-giyamaddinli');
  const text = id.firstChild;
  const tops = [...text.textContent].map((_, i) => {
    const range = document.createRange();
    range.setStart(text, i);
    range.setEnd(text, i + 1);
    return Math.round(range.getBoundingClientRect().top);
  });
  return tops.flatMap((top, i) => (i > 0 && top !== tops[i - 1] ? [text.textContent[i - 1]] : []));
}
"""


def test_ids_in_tables_break_only_at_their_hyphens(site: Site) -> None:
    """The posts table cut "jmc-giyamaddinli" inside the word ("jmc-giyamaddinl" / "i")."""
    context = site.context("tur-monitor", width=700)  # a table squeezed by its page
    page = context.new_page()
    page.goto("/posts?lang=ru")
    breaks = page.evaluate(ID_BREAKS)
    context.close()
    assert all(before == "-" for before in breaks), breaks


def test_an_operator_signs_a_user_out_in_the_language_of_its_link(site: Site) -> None:
    """The operator revokes a liaison's sessions from the account page (as ``ceasefire token
    revoke`` does), on a page opened with ``?lang=tr``: each answer stays in Turkish, and
    the liaison's browser is signed out."""
    liaison = site.context("aze-liaison")
    operator = site.context("operator")
    page = operator.new_page()
    page.goto("/account/password?lang=tr")
    assert page.locator("html").get_attribute("lang") == "tr"
    rows = page.locator("#all-tokens tr", has_text="aze-liaison")
    assert rows.count() >= 1
    while rows.count():
        submit(page, "#all-tokens tr:has-text('aze-liaison') button[type=submit]")
        assert page.locator("html").get_attribute("lang") == "tr"
        assert "of=others" in page.url
        assert page.locator("#all-tokens #done").count() == 1
    operator.close()
    mine = liaison.new_page()
    mine.goto("/alerts")
    assert urlsplit(mine.url).path == "/login"
    liaison.close()

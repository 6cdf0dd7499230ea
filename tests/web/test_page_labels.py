"""What a new user sees, in each language: the report's fields (weapon, means, confidence,
time precision, casualties) and the header's role by their translated labels, never as raw
codes (``small_arms``, ``party_liaison``); every signed-in role finds the pages it may read
(members, posts, news) in the header (both databases)."""

from __future__ import annotations

import html
import re

import pytest

from ceasefire.access import Classification
from ceasefire.agreements import service as agreements
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.incidents.model import Attribution, OccurrenceStatus, Stance
from tests.factories.members import Cast
from tests.factories.reports import incident_of, shelling_body
from tests.factories.web_session import page_text
from tests.web.conftest import Browser


@pytest.fixture(autouse=True)
def shipped(ctx: ServiceContext) -> None:
    agreements.load_shipped(ctx)


def _texts(page: str) -> set[str]:
    """The text between tags (option labels, cells), unescaped."""
    return {html.unescape(t).strip() for t in re.findall(r">([^<>]+)<", page)}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", {"small arms", "heard", "high", "to the day", "killed, civilians"}),
        ("ru", {"стрелковое оружие", "на слух", "высокая", "с точностью до дня"}),
        ("tr", {"hafif silahlar", "duyuldu", "yüksek", "gün düzeyinde", "ölü, sivil"}),
    ],
)
def test_the_report_form_names_its_choices_in_the_readers_language(
    browsers: dict[str, Browser], lang: str, expected: set[str]
) -> None:
    page = page_text(browsers["tur"], f"/reports/new?lang={lang}")
    texts = _texts(page)
    assert expected <= texts, expected - texts
    for code in ("small_arms", "heavy_machine_gun", "killed civilian", "exact", "uav"):
        assert code not in texts, code


def test_a_report_and_its_incident_show_translated_labels(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    body = shelling_body(casualties={"killed_civilian": {"best": 2}})
    report_id, incident_id = incident_of(ctx, cast.viewer(ctx, "tur"), body)
    turkey = browsers["tur"]
    report = page_text(turkey, f"/reports/{report_id}?lang=ru")
    assert "артиллерия" in report
    assert "на слух, БПЛА" in report
    assert "высокая" in report
    assert "убиты, мирные жители 2" in report
    assert "killed_civilian" not in report
    # When, in the reader's language and zone, not ISO text with "(exact)".
    assert "(точное время)" in report
    assert "(exact)" not in report
    assert re.search(r'<time datetime="2020-11-26T10:30:00\+00:00"[^>]*>26 нояб\. 2020', report)
    incident = page_text(turkey, f"/incidents/{incident_id}?lang=tr")
    assert "topçu · duyuldu, İHA" in incident
    assert "artillery" not in _texts(incident)
    assert re.search(r"</time>\s+·", incident)  # "· concerns" is not glued to the time
    # Why corroboration counts the report as one source, in the reader's language.
    assert "(aynı gözlemci)" in incident or "(gözlemci belirtilmemiş: ayrı sayıldı)" in incident
    assert "same observer" not in incident
    assert "names no observer" not in incident


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ru", ["категория обстрел", "вменяется стороне ARM", "после 2020-"]),
        ("tr", ["ARM tarafına yöneltilen iddia", "sonrası"]),
    ],
)
def test_an_incident_shows_its_rule_findings_reasons_translated(
    ctx: ServiceContext,
    cast: Cast,
    browsers: dict[str, Browser],
    lang: str,
    expected: list[str],
) -> None:
    _report, incident_id = incident_of(ctx, cast.viewer(ctx, "tur"), shelling_body())
    page = page_text(browsers["tur"], f"/incidents/{incident_id}?lang={lang}")
    findings = html.unescape(page[page.index('id="findings"') :])
    findings = findings[: findings.index("</section>")]
    for text in expected:
        assert text in findings, text
    for english in ("category shelling", "alleged against", "may be inside", "after 2020-"):
        assert english not in findings, english


@pytest.mark.parametrize(
    ("lang", "message", "detail"),
    [
        ("ru", "для задачи нужна группа", "пусто"),
        ("tr", "bir görev için ekip gerekir", "boş"),
    ],
)
def test_a_refused_form_says_why_in_the_readers_language(
    ctx: ServiceContext,
    cast: Cast,
    browsers: dict[str, Browser],
    lang: str,
    message: str,
    detail: str,
) -> None:
    _report, incident_id = incident_of(ctx, cast.viewer(ctx, "tur"), shelling_body())
    refused = browsers["tur"].post(
        f"/incidents/{incident_id}/tasks?lang={lang}",
        {"team": "  ", "lead_member": "tur", "instructions": "Visit the impact site"},
    )
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert message in page
    assert f'<span class="field-error">{detail}</span>' in page
    assert "a task needs a team" not in page


@pytest.mark.parametrize("who", ["arm", "fra", "tur"])
def test_every_member_finds_the_pages_it_may_read_in_the_header(
    browsers: dict[str, Browser], who: str
) -> None:
    page = page_text(browsers[who], "/?lang=ru")
    header = page[: page.index("</header>")]
    for path in ("/members", "/posts", "/news", "/alerts", "/publications"):
        assert f'href="{path}"' in header, path
        page_text(browsers[who], path)  # and it answers 200
    # The role by its label, and a monitor's not an observer's (both were "наблюдатель").
    role = {"arm": "связной стороны", "fra": "наблюдатель", "tur": "монитор"}[who]
    who_line = header[header.index('class="who"') :]
    assert f" · {role})" in who_line
    assert "party_liaison" not in who_line


def test_the_public_finds_the_members_but_no_members_only_page(
    browsers: dict[str, Browser],
) -> None:
    page = page_text(browsers["public"], "/")
    header = page[: page.index("</header>")]
    assert 'href="/members"' in header
    for path in ("/posts", "/news", "/alerts", "/reports"):
        assert f'href="{path}"' not in header, path


@pytest.mark.parametrize(("who", "shown"), [("tur", True), ("arm", False), ("fra", False)])
@pytest.mark.parametrize(
    ("page", "action", "notice"),
    [
        (
            "/reports/import",
            "/reports/import",
            "CSV dosyalarını yalnızca izleme görevlileri ve operatörler içe aktarır.",
        ),
        ("/news", "/news/analyse", "kaydedilenleri aşağıda okuyabilirsiniz"),
    ],
)
def test_only_those_who_may_post_a_form_are_shown_it(
    browsers: dict[str, Browser], who: str, shown: bool, page: str, action: str, notice: str
) -> None:
    # A liaison or an observer was shown the CSV upload and the news analysis forms, and
    # what it sent was then refused.
    text = page_text(browsers[who], f"{page}?lang=tr")
    assert (f'action="{action}"' in text) is shown
    assert (notice in text) is not shown


def test_a_reader_not_shown_the_internal_assessments_is_told_so_and_why_it_waits(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    # Armenia's liaison read "No assessment yet." beside a decision Turkey's view had made.
    turkey = cast.viewer(ctx, "tur")
    _, incident_id = incident_of(ctx, turkey, classification=Classification.SHARED)
    incidents.change_status(
        ctx, turkey, incident_id, OccurrenceStatus.UNDER_INVESTIGATION, reason="team sent"
    )
    incidents.assess(
        ctx,
        turkey,
        incident_id,
        stance=Stance.CONCUR,
        rationale="UAV footage",
        status=OccurrenceStatus.VERIFIED,
        attribution=Attribution.parse("attributed(ARM)"),
    )
    liaison = page_text(browsers["arm"], f"/incidents/{incident_id}")
    assert "No assessment yet." not in liaison
    assert "No assessment you may read" in liaison
    monitor = page_text(browsers["rus"], f"/incidents/{incident_id}?lang=ru")
    assert "UAV footage" in monitor
    # Where the decision rule stands, in the reader's language (was "waiting for rus").
    assert "ожидаются оценки: rus" in monitor
    assert "waiting for" not in monitor


def _visible(page: str) -> str:
    """The page's text as a reader sees it: tags removed, white space collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", page)))


def test_sentences_and_separators_are_not_glued_to_the_word_before(
    browsers: dict[str, Browser],
) -> None:
    # A block tag at a line's end swallows the line break (trim_blocks): "ARM· agreed by",
    # "ağacında.Gün henüz".
    turkey = browsers["tur"]
    provisions = _visible(page_text(turkey, "/provisions?agreement=nk-2020-trilateral"))
    assert "requested by ARM · agreed by AZE" in provisions
    entry = _visible(page_text(turkey, "/ledger/1?lang=tr"))
    assert "ağacında. Gün henüz mühürlenmedi" in entry


def test_a_refused_form_names_its_problems_in_the_readers_language(
    browsers: dict[str, Browser],
) -> None:
    # The field was named, the input kept, but the problem was worded in English on a
    # Russian page ("String should have at least 16 characters").
    form = {"channel": "webhook", "target": "https://alerts.example.fr/hook", "secret": "short"}
    refused = browsers["fra"].post("/alerts/subscriptions?lang=ru", form)
    assert refused.status_code == 422
    text = _visible(refused.text)
    assert "не менее 16 символов" in text
    # Named by the label the form shows, under a heading that names no field by its API name.
    assert "Ничего не записано. Исправьте эти поля:" in text
    assert "Секрет вебхука" in text
    assert "secret" not in text
    assert "String should have" not in text
    assert 'value="https://alerts.example.fr/hook"' in refused.text  # the input is kept
    page = browsers["tur"].client.get("/incidents?limit=0&lang=tr")
    assert page.status_code == 422
    assert "1 veya daha fazla" in _visible(page.text)


def test_a_language_asked_for_in_the_address_stays_for_the_forms(
    browsers: dict[str, Browser],
) -> None:
    # A page opened with ?lang=ru answered its forms in the browser's language: the form's
    # action carries no ?lang=, nor did the page it led to.
    armenia = browsers["arm"]
    page = armenia.client.get("/alerts?lang=ru")
    assert '<html lang="ru">' in page.text
    form = {"channel": "email", "target": "duty-officer@example.org", "min_severity": "loud"}
    refused = armenia.post("/alerts/subscriptions", form)
    assert refused.status_code == 422
    assert '<html lang="ru">' in refused.text
    made = armenia.post("/alerts/subscriptions", {**form, "min_severity": "warning"})
    assert made.status_code == 303
    assert "lang=" not in made.headers["location"]
    assert '<html lang="ru">' in armenia.client.get(made.headers["location"]).text
    # Another language asked for replaces it; a language the centre does not speak, nothing.
    assert '<html lang="tr">' in armenia.client.get("/incidents?lang=tr").text
    assert '<html lang="tr">' in armenia.client.get("/alerts?lang=xx").text
    assert '<html lang="tr">' in armenia.client.get("/members").text
    # The public's too: a GET sets this browser's cookie only, as its language links do.
    public = browsers["public"].client
    assert "lang=ru" in public.get("/incidents?lang=ru").headers["set-cookie"]
    assert '<html lang="ru">' in public.get("/incidents").text
    assert "set-cookie" not in public.get("/incidents?lang=ru").headers


@pytest.mark.parametrize(
    ("lang", "required"), [("en", "Required:"), ("ru", "Обязательны:"), ("tr", "Zorunlu:")]
)
def test_the_import_page_explains_the_file_with_what_the_app_serves(
    browsers: dict[str, Browser], lang: str, required: str
) -> None:
    # The page sent users to docs/intake.md, a file of the source tree the app does not serve.
    turkey = browsers["tur"]
    page = page_text(turkey, f"/reports/import?lang={lang}")
    main = page[page.index("<main") :]
    assert "docs/" not in main
    assert 'href="#format"' in main
    help_section = main[main.index('id="format"') :]
    assert required in _visible(help_section)
    for column in ("observed_start", "category", "event_lat", "event_place", "client_id"):
        assert f"<code>{column}</code>" in help_section
    assert "<code>shelling</code>" in help_section
    links = re.findall(r'href="(/[^"#]*)"', help_section)
    assert "/docs" in links
    for link in links:
        assert turkey.client.get(link).status_code == 200, link


@pytest.mark.parametrize("lang", ["en", "ru", "tr"])
@pytest.mark.parametrize("who", ["public", "tur"])
def test_the_header_links_are_capitalised_alike(
    browsers: dict[str, Browser], lang: str, who: str
) -> None:
    # "map" and "provisions" stood beside "Incidents" and "Members".
    page = page_text(browsers[who], f"/incidents?lang={lang}")
    nav = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', page, re.S)
    assert nav is not None
    names = [html.unescape(n).strip() for n in re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(1))]
    assert len(names) >= 8, names
    assert [n for n in names if not n[0].isupper()] == [], names


def test_fusions_titles_read_in_the_readers_language(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    """Fusion titles an incident in English ('shelling near Aghdam, 2020-11-26'); a Russian
    or Turkish page shows the category and day in its language, the place as recorded. A
    title a monitor wrote stays as written."""
    from ceasefire.fusion import service as fusion
    from ceasefire.reports import service as reports

    report = reports.submit_report(ctx, cast.viewer(ctx, "tur"), shelling_body()).report
    fusion.drain(ctx)
    fused = reports.get_report(ctx, cast.viewer(ctx, "tur"), report.id).incident_id
    assert fused is not None
    title = incidents.get_incident(ctx, cast.viewer(ctx, "tur"), fused).title
    assert title == "shelling near Aghdam, 2020-11-26"
    _, written = incident_of(ctx, cast.viewer(ctx, "tur"), classification=Classification.SHARED)
    incidents.edit_incident(ctx, cast.viewer(ctx, "tur"), written, title="Aghdam shelling, 26 Nov")
    russia, turkey = browsers["rus"], browsers["tur"]
    ru_list = page_text(russia, "/incidents?lang=ru")
    assert "обстрел в районе Aghdam, 26 нояб. 2020</a>" in ru_list
    assert "shelling near Aghdam" not in ru_list
    assert "Aghdam shelling, 26 Nov" in ru_list
    tr_page = page_text(turkey, f"/incidents/{fused}?lang=tr")
    assert "<h1>Aghdam yakınında topçu atışı, 26 Kas 2020</h1>" in tr_page
    # The title form still holds the title as recorded.
    assert 'name="title" value="shelling near Aghdam, 2020-11-26"' in tr_page
    assert "shelling near Aghdam, 2020-11-26" in page_text(turkey, "/incidents?lang=en")
    # The dashboard's timeline names the incident as its table does.
    board = page_text(russia, "/?lang=ru&as_of=2020-12-01T00:00:00Z")
    timeline = board.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert "обстрел в районе Aghdam, 26 нояб. 2020" in timeline
    assert "shelling near" not in timeline


def test_the_maps_popups_read_fusions_titles_in_the_readers_language(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    """The map's data carries each incident's title as the reader's pages show it
    (``display_title``, what its popup shows) beside the stored one, in the language the
    map page asks for."""
    import json

    from ceasefire.fusion import service as fusion
    from ceasefire.reports import service as reports

    reports.submit_report(ctx, cast.viewer(ctx, "tur"), shelling_body())
    fusion.drain(ctx)
    client = browsers["rus"].client
    page = client.get("/map?lang=ru&until=2020-12-31").text
    config = re.search(r"data-config='([^']+)'", page)
    assert config is not None
    first = json.loads(html.unescape(config.group(1)))["first"]["url"]
    assert "lang=ru" in first
    (point,) = client.get(first).json()["incidents"]["points"]
    assert point["title"] == "shelling near Aghdam, 2020-11-26"
    assert point["display_title"] == "обстрел в районе Aghdam, 26 нояб. 2020"
    params = {"until": "2020-12-31", "lang": "tr"}
    (point,) = client.get("/map/data.json", params=params).json()["incidents"]["points"]
    assert point["display_title"] == "Aghdam yakınında topçu atışı, 26 Kas 2020"
    # The cached answer is not changed for the next reader: English shows the stored title.
    params["lang"] = "en"
    (point,) = client.get("/map/data.json", params=params).json()["incidents"]["points"]
    assert point["display_title"] == point["title"] == "shelling near Aghdam, 2020-11-26"


def test_fusions_evidence_reads_in_words_with_the_figures_kept(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    """A grouping decision's evidence says what was compared in the reader's words (how
    alike the narratives are, how far apart the places, with what each adds to the score),
    not the matcher's "0.5111 × 0.0 · rapidfuzz token_sort_ratio"; those figures stay in a
    details element."""
    from ceasefire.fusion import service as fusion
    from ceasefire.reports import service as reports

    first = reports.submit_report(ctx, cast.viewer(ctx, "tur"), shelling_body()).report
    reports.submit_report(
        ctx,
        cast.viewer(ctx, "rus"),
        shelling_body(
            event_position={"place_name": "Aghdam", "precision": 2, "lat": 39.99, "lon": 46.94},
            narrative="Fourteen rounds landed west of the post, as the UAV showed.",
        ),
    )
    fusion.drain(ctx)
    fused = reports.get_report(ctx, cast.viewer(ctx, "tur"), first.id).incident_id
    assert fused is not None
    ru = page_text(browsers["rus"], f"/incidents/{fused}?lang=ru")
    evidence = ru.split("<h3>Решения о группировке</h3>")[1].split("</table>")[0]
    words = evidence.split("<details>")[0]
    assert re.search(r"описания совпадают на \d+\s% — к оценке [+−]\d+,\d", words), words
    assert re.search(r"места в \d+,?\d* км друг от друга", words), words
    assert "тот же предполагаемый виновник" in words
    assert "×" not in words
    assert "token_sort_ratio" not in words
    # The figures as recorded, for those who check the matcher.
    assert "rapidfuzz token_sort_ratio" in evidence.split("<details>")[1]
    tr = page_text(browsers["tur"], f"/incidents/{fused}?lang=tr")
    assert re.search(r"anlatımlar %\d+ benzer", tr)


def test_the_site_has_an_icon_where_browsers_look_for_it(browsers: dict[str, Browser]) -> None:
    """Every page names its icon, and ``/favicon.ico`` (asked for unprompted where a page
    names none: a JSON answer, the API docs) answers it: no 404 on each visit."""
    public = browsers["public"].client
    page = public.get("/").text
    found = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert found is not None
    icon = public.get(html.unescape(found[1]))
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    unasked = public.get("/favicon.ico")
    assert unasked.status_code == 200
    assert unasked.headers["content-type"].startswith("image/svg+xml")
    assert unasked.content == icon.content
    assert b"<svg" in icon.content


@pytest.mark.parametrize("lang", ["en", "ru", "tr"])
def test_the_maps_controls_are_capitalised_alike(browsers: dict[str, Browser], lang: str) -> None:
    # "category" stood beside "Shown up to" and "Period".
    page = browsers["public"].client.get(f"/map?lang={lang}").text
    controls = page.split('id="map-controls"')[1].split("</form>")[0]
    labels = [
        html.unescape(n).strip()
        for n in re.findall(r'<label for="map-[^"]*">([^<]+)</label>', controls)
    ]
    assert len(labels) >= 3, labels
    assert [n for n in labels if not n[0].isupper()] == [], labels


@pytest.mark.parametrize(
    ("lang", "created"),
    [("en", "incident created"), ("ru", "инцидент создан"), ("tr", "olay oluşturuldu")],
)
def test_an_incidents_history_names_its_ledger_lines_by_phrase_and_keeps_the_tag(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser], lang: str, created: str
) -> None:
    _, incident_id = incident_of(ctx, cast.viewer(ctx, "tur"), shelling_body())
    page = page_text(browsers["tur"], f"/incidents/{incident_id}?lang={lang}")
    history = page[page.index('id="ledger"') :]
    # The phrase is the text; the tag stays in the title for those who check the ledger.
    assert f'title="intake:incident:created" data-tag="intake:incident:created">{created}<' in (
        history
    )
    assert "intake:incident:created" not in _texts(history)
    entry = re.search(r'href="/ledger/(\d+)"', history)
    assert entry is not None
    ledger_page = page_text(browsers["tur"], f"/ledger/{entry.group(1)}?lang={lang}")
    assert re.search(
        r'<span class="ledger-tag" title="[a-z:-]+" data-tag="[a-z:-]+">[^<:]+<', (ledger_page)
    )


@pytest.mark.parametrize(
    ("lang", "roles"),
    [
        ("en", ["(signatory)", "(signatory, mediator, guarantor)", "(monitoring party)"]),
        ("ru", ["(подписант)", "(подписант, посредник, гарант)", "(наблюдающая сторона)"]),
        ("tr", ["(imzacı)", "(imzacı, arabulucu, garantör)", "(izleyen taraf)"]),
    ],
)
def test_the_dashboard_shows_the_parties_roles_as_words(
    browsers: dict[str, Browser], lang: str, roles: list[str]
) -> None:
    page = page_text(browsers["tur"], f"/?as_of=2020-11-21&lang={lang}")
    parties = page[page.index('class="party"') : page.index("</p>", page.index('class="party"'))]
    texts = _texts(parties)
    for words in roles:
        assert words in texts, (words, texts)
    assert "signatory" not in texts or lang == "en"

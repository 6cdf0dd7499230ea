"""The report form and the report page as a monitor uses them (both databases): what a
refusal keeps and where it says what went wrong.

An evidence file the service refuses (here: over a small ``max_attachment_bytes``) does not
hide that the report itself was filed: the report's page answers at once, naming the file
and why beside the upload form, in the reader's language.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ceasefire.access import Classification
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.reports import service as reports
from ceasefire.reports.schemas import ReportPublic
from tests.conftest import settings_for
from tests.factories.members import Cast, add_posts, add_uav
from tests.factories.reports import COMPLAINT, shelling_body, web_report_form
from tests.web.conftest import Browser

LIMIT = 1000


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Evidence files of at most ``LIMIT`` bytes."""
    return settings_for(database_url, tmp_path).model_copy(update={"max_attachment_bytes": LIMIT})


def _attachments(ctx: ServiceContext, cast: Cast, report_id: str) -> list[str]:
    report = reports.get_report(ctx, cast.viewer(ctx, "rus"), report_id)
    assert isinstance(report, ReportPublic)
    return sorted(a.filename or "" for a in report.attachments)


def test_a_refused_evidence_file_is_named_on_the_filed_report(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    russia = browsers["rus"]
    files = [
        ("attachments", ("photo.jpg", b"\xff\xd8" + b"x" * (LIMIT + 10), "image/jpeg")),
        ("attachments", ("note.txt", b"small enough", "text/plain")),
    ]
    answer = russia.client.post(
        "/reports/new?lang=ru",
        data={**web_report_form(), "csrf_token": russia.csrf},
        files=files,
        follow_redirects=False,
    )
    # Not a bare error page: the report is filed and shown, the refused file named.
    assert answer.status_code == 413, answer.text
    (filed,) = reports.list_reports(ctx, cast.viewer(ctx, "rus")).items
    assert f"<code>{filed.id}</code>" in answer.text
    assert "Донесение подано." in answer.text
    assert "Эти файлы не прикреплены" in answer.text
    assert "photo.jpg" in answer.text
    # The other file was stored all the same; the upload form is there to send it again.
    assert _attachments(ctx, cast, filed.id) == ["note.txt"]
    assert f'action="/reports/{filed.id}/attachments"' in answer.text

    # The upload form on the report's page says the same in Turkish.
    again = russia.client.post(
        f"/reports/{filed.id}/attachments?lang=tr",
        data={"csrf_token": russia.csrf},
        files=[files[0]],
        follow_redirects=False,
    )
    assert again.status_code == 413
    assert "Bu dosyalar eklenmedi" in again.text
    assert "photo.jpg" in again.text
    fits = russia.client.post(
        f"/reports/{filed.id}/attachments",
        data={"csrf_token": russia.csrf},
        files=[("attachments", ("photo.jpg", b"\xff\xd8 smaller", "image/jpeg"))],
        follow_redirects=False,
    )
    assert fits.status_code == 303
    assert fits.headers["location"].startswith(f"/reports/{filed.id}?done=")
    assert _attachments(ctx, cast, filed.id) == ["note.txt", "photo.jpg"]


def _contradicting_form(**fields: str) -> dict[str, str | list[str]]:
    """The report form with three fields the report's checks refuse, ``fields`` added."""
    return web_report_form(
        observed_end="2020-11-28T08:00",  # before the start
        precision="1",
        lat="",
        lon="",
        place_name="Агдам",  # exact precision needs a point
        observer_lat="39.98",
        observer_lon="46.90",
        distance_min="5000",
        distance_max="1000",  # smaller than the minimum
        **fields,
    )


def test_a_refused_report_names_each_field_by_its_label_beside_it(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    russia = browsers["rus"]
    form = _contradicting_form(narrative="Шесть разрывов к востоку от Агдама.")
    answer = russia.client.post(
        "/reports/new?lang=ru",
        data={**form, "csrf_token": russia.csrf},
        files=[("attachments", ("photo.jpg", b"\xff\xd8 frame", "image/jpeg"))],
        follow_redirects=False,
    )
    assert answer.status_code == 422, answer.text
    assert reports.list_reports(ctx, cast.viewer(ctx, "rus")).items == []
    page = answer.text
    # The list above the form names the fields as the form labels them, not the API's paths.
    summary = page.split('<form method="post" action="/reports/new"')[0]
    for label in ("<li>Окончание:", "<li>Точность местоположения:", "<li>Расстояние до (м):"):
        assert label in summary, label
    for path in ("observed.end", "event_position.precision", "distance_m.max"):
        assert f"<code>{path}</code>" not in summary, path
    # Each problem also stands beside its own field, whose input is kept.
    form_html = page.split('<form method="post" action="/reports/new"')[1]
    for field in ("observed_end", "precision", "distance_max"):
        after = form_html.split(f'name="{field}"')[1].split("</label>")[0]
        assert 'class="field-error"' in after, field
    assert "Шесть разрывов к востоку от Агдама." in form_html
    assert 'value="Агдам"' in form_html
    # A browser does not send the chosen files again: the page says which to choose again.
    assert "Выбранные файлы не сохранены" in summary
    assert "photo.jpg" in summary


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "tr",
            [
                "Rapor gönderilmedi. Şu alanları düzeltin:",
                "izleme görevlisi gözlemi nasıl yapıldığını belirtir",
                "“Başlangıç” alanından önce: 2020-11-28T04:00:00+00:00",
                "1 (kesin) kesinliği için yalnızca yer adı değil, bir nokta gerekir",
                "“En az uzaklık (m)” alanından küçük: 1000.0 &lt; 5000.0",
            ],
        ),
        (
            "ru",
            [
                "Донесение не подано. Исправьте эти поля:",
                "наблюдение мониторов указывает способ наблюдения",
                "раньше значения поля «Начало»: 2020-11-28T04:00:00+00:00",
                "для точности 1 (точно) нужна точка, а не только название места",
                "меньше значения поля «Расстояние от (м)»: 1000.0 &lt; 5000.0",
            ],
        ),
    ],
)
def test_a_refused_report_says_what_is_wrong_in_the_readers_language(
    browsers: dict[str, Browser], lang: str, expected: list[str]
) -> None:
    """The report's own checks (a monitor's means, the window, the place, the distances)
    are worded in the reader's language beside their fields, not in the API's English, and
    the heading above their list does not name the fields again by the API's paths."""
    russia = browsers["rus"]
    form = _contradicting_form()
    del form["means"]
    answer = russia.post(f"/reports/new?lang={lang}", form)
    assert answer.status_code == 422, answer.text
    for words in expected:
        assert words in answer.text, words
    for english in (
        "a monitor observation says how it was made",
        "before observed.start",
        "precision 1 (exact) needs a point",
        "smaller than distance_m.min",
        "observed.end, event_position.precision",
        "observed.start",
        "distance_m.min",
    ):
        assert english not in answer.text, english


def test_a_report_page_names_the_zone_of_every_time_it_shows(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    """Filed at 03:00 Yerevan time (23:00 UTC the day before): the page must not show
    '23:00:00 · Asia/Yerevan', which reads as 23:00 in Yerevan."""
    armenia = browsers["arm"]
    body = shelling_body(
        **COMPLAINT,
        observed={"start": "2020-12-08T03:00", "timezone": "Asia/Yerevan", "precision": "exact"},
    )
    report = reports.submit_report(ctx, cast.viewer(ctx, "arm"), body).report
    page = armenia.client.get(f"/reports/{report.id}?lang=ru").text
    observed = page.split("<dt>Наблюдалось</dt>")[1].split("</dd>")[0]
    assert "23:00:00 UTC</time>" in observed
    assert "указано в поясе Asia/Yerevan" in observed
    armenia.client.cookies.set("tz", "Asia/Yerevan")
    page = armenia.client.get(f"/reports/{report.id}?lang=tr").text
    assert "03:00:00 Asia/Yerevan</time>" in page
    assert "Asia/Yerevan saat diliminde bildirildi" in page
    # The list of reports shows it in the reader's zone and words too, not as stored UTC.
    listed = armenia.client.get("/reports?lang=tr").text
    row = listed.split(f"{report.id}")[0].rsplit("<tr", 1)[1]
    assert "8 Ara 2020 03:00:00 Asia/Yerevan</time>" in row


def _options(page: str, field: str) -> dict[str, bool]:
    """The options of the form's ``field`` select: value -> selected."""
    select = page.split(f'<select id="{field}" name="{field}">')[1].split("</select>")[0]
    found = {}
    for option in select.split("<option ")[1:]:
        value = option.split('value="')[1].split('"')[0]
        found[value] = " selected>" in option.split("</option>")[0]
    return found


def test_the_report_form_offers_the_posts_and_sensors_its_member_may_name(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    russia = browsers["rus"]
    # The demo's joint post (public, closed in 2024) is offered, marked as closed; Russia
    # has no sensor of its own yet, which the form says.
    before = russia.client.get("/reports/new?lang=tr").text
    assert _options(before, "post_id") == {"": False, "jmc-giyamaddinli": False}
    assert _options(before, "sensor_id") == {"": False}
    assert 'id="no-sensors"' in before
    assert 'id="no-posts"' not in before
    assert "Üyenizin bildirimde kullanabileceği kayıtlı bir sensörü yok" in before

    add_posts(ctx, "jmc-aghdam")  # shared, Russia's and Türkiye's
    add_posts(ctx, "jmc-internal", classification=Classification.INTERNAL)
    add_uav(ctx, "rus-uav-1", "rus")
    page = russia.client.get("/reports/new").text
    posts = {"": False, "jmc-aghdam": False, "jmc-giyamaddinli": False, "jmc-internal": False}
    assert _options(page, "post_id") == posts
    # Türkiye's UAV (the demo's, shared) Russia may read, not file from.
    assert _options(page, "sensor_id") == {"": False, "rus-uav-1": False}
    assert 'id="no-sensors"' not in page
    turkey = browsers["tur"].client.get("/reports/new").text
    assert _options(turkey, "sensor_id") == {"": False, "tur-uav-1": False}
    assert _options(turkey, "post_id") == posts
    # A party's liaison is offered neither the monitors' internal post nor their shared one.
    liaison = browsers["aze"].client.get("/reports/new").text
    assert _options(liaison, "post_id") == {"": False, "jmc-giyamaddinli": False}
    assert _options(liaison, "sensor_id") == {"": False}

    # A refused form keeps what was chosen; an id the form does not offer (sent as the
    # API takes it) stays chosen beside the refusal that names it.
    refused = russia.post(
        "/reports/new",
        web_report_form(
            observed_end="2020-11-28T08:00", post_id="jmc-aghdam", sensor_id="rus-uav-1"
        ),
    )
    assert refused.status_code == 422
    assert _options(refused.text, "post_id")["jmc-aghdam"] is True
    assert _options(refused.text, "sensor_id")["rus-uav-1"] is True
    hidden = russia.post("/reports/new", web_report_form(post_id="jmc-no-such-post"))
    assert hidden.status_code == 404
    assert _options(hidden.text, "post_id")["jmc-no-such-post"] is True
    after = hidden.text.split('name="post_id"')[1].split("</label>")[0]
    assert 'class="field-error"' in after

    # The id is what the form sends, as the API's body names it.
    # (Russia's UAV is its member's, on no post: named with a post it is refused.)
    filed = russia.post("/reports/new", web_report_form(sensor_id="rus-uav-1"))
    assert filed.status_code == 303, filed.text
    (report,) = reports.list_reports(ctx, cast.viewer(ctx, "rus")).items
    assert isinstance(report, ReportPublic)
    assert (report.post_id, report.sensor_id) == (None, "rus-uav-1")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["What you may do here:", "See the incidents on the map"]),
        ("ru", ["Что вы можете сделать здесь:", "Смотреть инциденты на карте"]),
        ("tr", ["Burada yapabilecekleriniz:", "Olayları haritada görün"]),
    ],
)
def test_an_observer_is_shown_what_it_may_do_not_a_form(
    browsers: dict[str, Browser], lang: str, words: list[str]
) -> None:
    """An observer files nothing: instead of a form whose post and sensor lists it cannot
    send, the page says so and links to what it may read, in the reader's language."""
    page = browsers["fra"].client.get(f"/reports/new?lang={lang}").text
    assert 'id="may-not-file"' in page
    for word in words:
        assert word in page, word
    for link in ("/reports", "/incidents", "/map", "/alerts", "/publications"):
        assert f'href="{link}"' in page.split('id="may-not-file"')[1], link
    assert 'action="/reports/new"' not in page
    assert 'name="post_id"' not in page
    assert 'name="sensor_id"' not in page
    # A monitor still gets the form.
    monitor = browsers["rus"].client.get(f"/reports/new?lang={lang}").text
    assert 'action="/reports/new"' in monitor
    assert 'id="may-not-file"' not in monitor


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("en", "Area (west, south, east, north in degrees)"),
        ("ru", "Область (запад, юг, восток, север, в градусах)"),
        ("tr", "Alan (batı, güney, doğu, kuzey; derece)"),
    ],
)
@pytest.mark.parametrize("path", ["/reports", "/incidents"])
def test_the_area_filter_is_worded_for_people(
    browsers: dict[str, Browser], lang: str, label: str, path: str
) -> None:
    page = browsers["rus"].client.get(f"{path}?lang={lang}").text
    filters = page.split('class="filters"')[1].split("</form>")[0]
    assert label in filters
    assert "bbox)" not in filters  # the field's name is no word of its label
    assert "min_lon" not in page


def _nav(page: str) -> str:
    return page.split('<nav aria-label="main">')[1].split("</nav>")[0]


@pytest.mark.parametrize(
    ("who", "offered"), [("fra", False), ("rus", True), ("aze", True), ("operator", True)]
)
def test_file_a_report_is_offered_only_to_roles_that_may_file(
    browsers: dict[str, Browser], who: str, offered: bool
) -> None:
    """The observer ``fra`` is not sent to a form it cannot send: neither the pages' nav nor
    the report list links to it; the monitor ``rus``, the liaison ``aze`` (its complaint
    form) and an operator are."""
    for path in ("/map", "/incidents", "/reports"):
        page = browsers[who].client.get(path).text
        assert ('href="/reports/new"' in _nav(page)) is offered, path
        assert "Reports" in _nav(page)  # the list itself is every signed-in role's
    reports_page = browsers[who].client.get("/reports").text
    assert ('href="/reports/new"' in reports_page) is offered

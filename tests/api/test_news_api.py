"""POST /api/v1/articles: text or HTML in, events and news reports out; size-limited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.news.extract import NewsExtractor
from ceasefire.news.service import NewsIngester
from tests.factories.members import Cast
from tests.factories.news import SEED

HTML = """<!doctype html><html><head><title>Shelling near Tartar</title>
<meta property="article:published_time" content="2020-11-26T10:00:00+04:00"></head><body>
<article><h1>Shelling near Tartar</h1>
<p>Azerbaijan's defence ministry said on Wednesday that Armenian forces had shelled the town of
Tartar with artillery, killing two civilians and wounding five others.</p>
<p>Armenia's defence ministry denied that its forces had opened fire, and said the claim was
part of a campaign against the peacekeepers.</p></article></body></html>"""


@pytest.fixture
def client(ctx: ServiceContext, extractor: NewsExtractor) -> Iterator[TestClient]:
    app = create_app(ctx=ctx)
    app.state.news_ingester = NewsIngester(ctx, extractor)  # the model loaded once per session
    with TestClient(app) as test_client:
        yield test_client


def test_post_text_then_again(client: TestClient, cast: Cast) -> None:
    body = SEED.read_bytes()
    headers = {**cast.bearer("rus"), "Content-Type": "text/plain; charset=utf-8"}
    first = client.post("/api/v1/articles", content=body, headers=headers)
    assert first.status_code == 201, first.text
    data = first.json()
    assert data["created"] is True
    assert data["article"]["article"]["title"].startswith("Ankara, Moscow Discuss")
    assert len(data["article"]["events"]) == data["events"] == 11
    again = client.post("/api/v1/articles", content=body, headers=headers)
    assert again.status_code == 200
    assert again.json()["article_id"] == data["article_id"]
    listed = client.get("/api/v1/articles", headers=cast.bearer("tur")).json()
    assert [a["id"] for a in listed] == [data["article_id"]]
    one = client.get(f"/api/v1/articles/{data['article_id']}", headers=cast.bearer("tur"))
    assert one.json()["content_sha256"] == data["content_sha256"]


def test_post_html_in_json_files_a_news_report(client: TestClient, cast: Cast) -> None:
    response = client.post(
        "/api/v1/articles",
        json={"html": HTML, "url": "https://example.org/tartar"},
        headers=cast.bearer("rus"),
    )
    assert response.status_code == 201, response.text
    data = response.json()
    assert len(data["reports"]) == 1
    report = client.get(f"/api/v1/reports/{data['reports'][0]}", headers=cast.bearer("rus"))
    assert report.json()["channel"] == "news"
    assert report.json()["alleged_perpetrator"] == "ARM"
    article = data["article"]["article"]
    assert article["published"]["zone"] == "+04:00"
    assert article["url"] == "https://example.org/tartar"


def test_limits_and_bad_bodies(client: TestClient, cast: Cast, ctx: ServiceContext) -> None:
    ctx.settings.max_article_bytes = 1000
    headers = {**cast.bearer("rus"), "Content-Type": "text/plain"}
    too_big = client.post("/api/v1/articles", content=b"word " * 400, headers=headers)
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "E413"
    empty = client.post("/api/v1/articles", content=b"", headers=headers)
    assert empty.status_code == 422
    envelope = client.post("/api/v1/articles", json={"url": 3}, headers=cast.bearer("rus"))
    assert envelope.status_code == 422
    assert envelope.json()["error"]["details"][0]["loc"] == "text"
    assert client.get("/api/v1/articles", headers=cast.bearer("rus")).json() == []


def test_who_may_ingest(client: TestClient, cast: Cast) -> None:
    body = SEED.read_bytes()
    assert client.post("/api/v1/articles", content=body).status_code == 401
    forbidden = client.post("/api/v1/articles", content=body, headers=cast.bearer("arm"))
    assert forbidden.status_code == 403
    assert client.get("/api/v1/articles/art-none", headers=cast.bearer("rus")).status_code == 404


def test_a_liaison_does_not_learn_the_internal_reports_an_article_became(
    client: TestClient, cast: Cast
) -> None:
    """The article is public news, but which of its events the monitors filed, as internal
    reports, is theirs: the report's id, and so its content (the event), is withheld from a
    reader who may not read the report, on the API and on the web page alike."""
    filed = client.post("/api/v1/articles", json={"html": HTML}, headers=cast.bearer("rus"))
    assert filed.status_code == 201, filed.text
    (report_id,) = filed.json()["reports"]
    article_id = filed.json()["article_id"]
    for who in ("arm", "aze", "fra"):
        assert (
            client.get(f"/api/v1/reports/{report_id}", headers=cast.bearer(who)).status_code == 404
        )
        one = client.get(f"/api/v1/articles/{article_id}", headers=cast.bearer(who))
        assert one.status_code == 200
        assert report_id not in one.text, who
        outcomes = {(e["report"]["id"], e["report"]["why"]) for e in one.json()["events"]}
        assert outcomes == {(None, None)}, who  # filed and unfiled events look alike
    monitor = client.get(f"/api/v1/articles/{article_id}", headers=cast.bearer("tur")).json()
    assert report_id in {e["report"]["id"] for e in monitor["events"]}


def test_a_liaison_article_is_refused_before_its_body_is_read(
    client: TestClient, cast: Cast
) -> None:
    """Only monitors ingest: a liaison's or an observer's upload is refused on its token
    alone, its body never read nor parsed (a raw HTML body: a JSON one is buffered, bounded,
    by the edge's text check, ``api.inputcheck``, before any route runs)."""
    for member in ("aze", "fra"):
        read: list[int] = []

        def body(read: list[int] = read) -> Iterator[bytes]:
            read.append(1)
            yield b"<html><p>an article nobody may ingest</p>" * 1000

        refused = client.post(
            "/api/v1/articles",
            content=body(),
            headers={"Content-Type": "text/html", **cast.bearer(member)},
        )
        assert refused.status_code == 403, (member, refused.status_code)
        assert read == [], member


def test_json_nested_past_the_decoders_limit_is_refused_by_name(
    client: TestClient, cast: Cast
) -> None:
    """The envelope, and a text that is deeply nested brackets, were a RecursionError: a 500."""
    deep = b"[" * 100_000 + b"]" * 100_000
    for content_type, loc in (("application/json", "body"), ("text/plain", "article")):
        answer = client.post(
            "/api/v1/articles",
            content=deep,
            headers={**cast.bearer("rus"), "Content-Type": content_type},
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["details"][0]["loc"] == loc

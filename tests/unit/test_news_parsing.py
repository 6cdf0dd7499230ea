"""Article parsing: the seed page as scraped text, HTML pages, date lines, languages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ceasefire.errors import InvalidInput
from ceasefire.news.article import Article
from ceasefire.news.html import parse_html
from ceasefire.news.language import detect_language
from ceasefire.news.plaintext import parse_plain_text
from ceasefire.news.timeexpr import (
    Tense,
    find_time_mentions,
    parse_publication_line,
    time_mentions_by_tense,
)
from tests.factories.news import SEED


@pytest.fixture(scope="module")
def seed() -> Article:
    return parse_plain_text(SEED.read_text(encoding="utf-8"), name="seed")


def test_seed_metadata(seed: Article) -> None:
    assert seed.outlet == "Asharq Al-Awsat"
    assert (
        seed.title
        == "Ankara, Moscow Discuss Involving Other Countries in Nagorno-Karabakh Ceasefire Efforts"
    )
    assert seed.published is not None
    assert seed.published.local == datetime(2020, 11, 26, 5, 45)
    # The page gives no zone: the wall time is kept and no UTC instant is guessed.
    assert seed.published.zone is None
    assert seed.published.utc is None
    assert seed.to_dict()["published_local"] == "2020-11-26T05:45"
    assert seed.language == "en"


def test_seed_title_once_and_boilerplate_gone(seed: Article) -> None:
    assert seed.text.count(seed.title) == 1
    assert "Editor Picks" in seed.boilerplate_removed
    assert any(line.startswith("Asharq Al-awsat English") for line in seed.boilerplate_removed)
    assert "Editor Picks" not in seed.text
    assert "News and Opinion" not in seed.text


def test_seed_caption_apart_with_its_credit(seed: Article) -> None:
    assert len(seed.captions) == 1
    assert seed.captions[0].startswith("The Kalbajar district bordering Armenia")
    assert not seed.captions[0].endswith("(AP)")
    assert not any("Kalbajar district" in p for p in seed.paragraphs)


def test_seed_body_and_credits(seed: Article) -> None:
    assert seed.paragraphs[0].startswith("Turkish President Tayyip Erdogan said on Wednesday")
    assert seed.paragraphs[-1].endswith("has no worth whatsoever.”")
    # The source separates ten body paragraphs by blank lines (see docs/nlp.md).
    assert len(seed.paragraphs) == 10
    assert seed.credits == ["AP", "Reuters"]


def test_blocks_map_offsets_to_sections(seed: Article) -> None:
    kinds = [block.kind for block in seed.blocks]
    assert kinds[0] == "title"
    assert kinds[1] == "caption"
    assert set(kinds[2:]) == {"body"}
    body = seed.blocks[2]
    assert seed.text[body.start : body.end] == seed.paragraphs[0]
    block = seed.block_at(body.start + 5)
    assert block is not None
    assert block.kind == "body"


def test_wire_dateline_becomes_place_and_credit() -> None:
    article = parse_plain_text(
        "Armenia and Azerbaijan trade blame\n\n"
        "YEREVAN (Reuters) - Armenia said on Monday that Azerbaijani forces had fired on "
        "villages near Goris overnight, and Baku denied it.\n\n"
        "The defence ministry said nobody was hurt in the shooting near the border.\n"
    )
    assert article.dateline_place == "Yerevan"
    assert article.credits == ["Reuters"]
    assert article.paragraphs[0].startswith("Armenia said on Monday")


def test_page_of_furniture_only_is_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_plain_text("Home\nMenu\nSearch\n")


HTML = """<!doctype html><html><head><title>Truce holds | Example News</title>
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2020-11-12T14:05:00+03:00">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Truce holds in Nagorno-Karabakh as peacekeepers deploy</h1>
<figure><img src="a.jpg">
<figcaption>Russian peacekeepers near Stepanakert. (AFP)</figcaption></figure>
<p>Russian peacekeepers began deploying to Nagorno-Karabakh on Wednesday under a deal that
ended six weeks of fighting between Azerbaijan and Armenia, the Russian defence ministry said.</p>
<p>The ministry said 1,960 troops would be stationed along the line of contact and the Lachin
corridor, with 90 armoured personnel carriers and 380 vehicles.</p>
<p>Azerbaijan's President Ilham Aliyev said the agreement amounted to a capitulation by Armenia,
while Armenian Prime Minister Nikol Pashinyan called it painful but necessary.</p>
</article><footer>Related articles | Subscribe | Copyright Example News</footer></body></html>"""


def test_html_article_with_offset_time_and_caption() -> None:
    article = parse_html(HTML, name="page.html")
    assert article.source_format == "html"
    assert article.published is not None
    assert article.published.zone == "+03:00"
    assert article.published.utc == datetime(2020, 11, 12, 11, 5, tzinfo=UTC)
    assert article.published.local == datetime(2020, 11, 12, 14, 5)
    assert article.captions == ["Russian peacekeepers near Stepanakert."]
    assert "AFP" in article.credits
    assert article.paragraphs[0].startswith("Russian peacekeepers began deploying")
    assert not any("Subscribe" in p for p in article.paragraphs)


def test_html_without_article_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no article"):
        parse_html("<html><body><nav>Home | About</nav><p>Cookies.</p></body></html>")


@pytest.mark.parametrize(
    ("line", "local", "zone"),
    [
        ("Thursday, 26 November, 2020 - 05:45", datetime(2020, 11, 26, 5, 45), None),
        ("November 26, 2020 5:45 PM GMT", datetime(2020, 11, 26, 17, 45), "GMT"),
        ("Published: 26 Nov 2020 09:10 +04:00", datetime(2020, 11, 26, 9, 10), "+04:00"),
        ("2020-11-26T05:45:00Z", datetime(2020, 11, 26, 5, 45), "+00:00"),
    ],
)
def test_publication_lines(line: str, local: datetime, zone: str | None) -> None:
    published = parse_publication_line(line)
    assert published is not None
    assert published.local == local
    assert published.zone == zone


def test_outlet_zone_gives_utc_only_when_known() -> None:
    published = parse_publication_line("26 November 2020 05:45", zone="Asia/Baku")
    assert published is not None
    assert published.utc == datetime(2020, 11, 26, 1, 45, tzinfo=UTC)
    assert parse_publication_line("The ceasefire holds, officials said.") is None


THURSDAY = date(2020, 11, 26)


@pytest.mark.parametrize(
    ("text", "tense", "expected", "precision"),
    [
        ("said on Wednesday", "past", date(2020, 11, 25), "day"),
        ("will meet on Wednesday", "future", date(2020, 12, 2), "day"),
        ("said on Thursday", "past", date(2020, 11, 26), "day"),
        ("signed on Nov. 10", "past", date(2020, 11, 10), "day"),
        ("on 1 December", "future", date(2020, 12, 1), "day"),
        ("on December 20", "past", date(2019, 12, 20), "day"),
        ("yesterday", "past", date(2020, 11, 25), "day"),
        ("last week", "past", date(2020, 11, 16), "week"),
        ("in March 2001", "past", date(2001, 3, 1), "month"),
    ],
)
def test_time_expressions_resolve_against_the_article_date(
    text: str, tense: Tense, expected: date, precision: str
) -> None:
    found = find_time_mentions(text, THURSDAY, tense)
    assert [(m.date, m.precision) for m in found] == [(expected, precision)]


def test_may_the_verb_is_no_month() -> None:
    assert find_time_mentions("Russia may send more troops", THURSDAY) == []


def test_matching_once_for_every_tense_finds_what_each_tense_finds_alone() -> None:
    # On 5 March 2024 "February 29" is a day in the past and no day at all in the future
    # (2025 has none), where "February" is then read as the month: the tenses differ.
    texts = [
        "The truce of February 29 held until Friday, officials said last week.",
        "Talks resume on Dec. 3 and again next month, in March 2025 or on Monday.",
        "Russia may send more troops in May.",
    ]
    tenses: tuple[Tense, ...] = ("past", "present", "future")
    reference = date(2024, 3, 5)
    for text in texts:
        together = time_mentions_by_tense(text, reference, tenses)
        assert together == {t: find_time_mentions(text, reference, t) for t in tenses}
    leap = time_mentions_by_tense(texts[0], reference, tenses)
    assert leap["past"][0].text == "February 29"
    assert leap["future"][0].text == "February"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The president said on Wednesday that the ceasefire was holding and that talks would "
         "resume in Moscow next week.", "en"),
        ("Le président a déclaré mercredi que le cessez-le-feu tenait et que les discussions "
         "reprendraient la semaine prochaine.", "fr"),
        ("Der Präsident sagte am Mittwoch, dass die Waffenruhe halte und die Gespräche in der "
         "nächsten Woche fortgesetzt würden.", "de"),
        ("Президент заявил в среду, что режим прекращения огня соблюдается.", "ru"),
    ],
)  # fmt: skip
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_a_page_of_too_many_tags_is_refused_before_it_is_parsed() -> None:
    """600,000 ``<b>x</b>`` fit in the 5 MiB article limit and held trafilatura for 90 s."""
    page = "<html><body><p>" + "<b>x</b> " * 60 + "</p></body></html>"
    with pytest.raises(InvalidInput) as refused:
        parse_html(page, name="tags.html", max_tags=100)
    assert refused.value.details[0]["loc"] == "tags.html"
    assert "more than the 100" in str(refused.value)
    with pytest.raises(InvalidInput, match="more than the 100000"):
        parse_html("<b>x</b>" * 50_001, name="big.html")

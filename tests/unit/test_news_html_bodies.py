"""The article body of HTML pages: what trafilatura's precision mode alone misses or keeps."""

from __future__ import annotations

import json

from ceasefire.news.html import parse_html

PROSE = [
    "Monitors said on Tuesday that no violations had been recorded overnight along the "
    "northern section of the line, the first such night since the agreement was signed.",
    "The team of eleven observers patrolled four villages on both sides and spoke with local "
    "officials, who confirmed that farmers had returned to their fields.",
    "The mission plans to open a second field office next month and to publish weekly "
    "summaries of what its patrols see in the villages.",
]


def page(body: str, head: str = "") -> str:
    return (
        f"<html><head><title>Quiet night | Daily</title>{head}</head><body>"
        '<nav><ul><li><a href="/">Home</a></li><li><a href="/w">World</a></li></ul></nav>'
        f"<h1>Quiet night on the northern section</h1>{body}"
        "<footer><p>© 2026 Daily. All rights reserved.</p></footer></body></html>"
    )


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def test_body_only_in_json_ld_is_read_from_its_article_body() -> None:
    data = {"@type": "NewsArticle", "headline": "Quiet night", "articleBody": "\n".join(PROSE)}
    script = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    article = parse_html(page('<div id="app"></div>', head=script))
    assert article.paragraphs == PROSE


def test_a_short_japanese_story_is_an_article() -> None:
    story = [
        "国際監視団は火曜日、北部区間で夜間に違反が一件も記録されなかったと発表した。",
        "11人の監視チームは接触線の両側にある4つの村を巡回し、地元当局者と面会した。",
    ]
    assert sum(map(len, story)) < 200
    article = parse_html(page(f"<article>{paragraphs(*story)}</article>"))
    assert article.paragraphs == story
    assert article.language == "ja"


def test_read_more_link_inside_the_story_goes_alone_and_a_related_list_ends_it() -> None:
    link = '<p><strong>Read more:</strong> <a href="/b">New bridge opens</a></p>'
    related = (
        '<p>Related articles</p><ul><li><a href="/1">Fuel prices climb</a></li>'
        '<li><a href="/2">School year starts later</a></li></ul>'
    )
    body = paragraphs(PROSE[0]) + link + paragraphs(*PROSE[1:]) + related
    article = parse_html(page(f"<article>{body}</article>"))
    assert article.paragraphs == PROSE


def test_cookie_and_newsletter_boxes_are_not_body_but_a_subscriber_block_is() -> None:
    cookie = '<div id="sliding-popup"><p>We use cookies to improve your experience.</p></div>'
    newsletter = (
        '<aside class="newsletter-box"><p>Get the morning briefing in your inbox every day '
        "before breakfast, free of charge.</p></aside>"
    )
    body = paragraphs(PROSE[0]) + newsletter + paragraphs(*PROSE[1:])
    article = parse_html(
        page(f'<article><div class="subscriber-content">{body}</div>{cookie}</article>')
    )
    assert article.paragraphs == PROSE


def test_list_items_inside_the_story_are_kept_without_a_marker() -> None:
    items = ["Red Cross staff would visit all detainees", "Families would be told the date"]
    listed = "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
    body = paragraphs(PROSE[0]) + listed + paragraphs(*PROSE[1:])
    article = parse_html(page(f'<div class="field-name-body">{body}</div>'))
    assert article.paragraphs == [PROSE[0], *items, *PROSE[1:]]


def test_a_lead_set_apart_from_the_story_block_is_body() -> None:
    body = (
        f'<p class="byline">By Sarah Collins</p><p class="lead">{PROSE[0]}</p>'
        '<div class="figure"><img src="a.jpg"></div>'
        f'<div class="story-body">{paragraphs(*PROSE[1:], PROSE[1][::-1])}</div>'
        '<div class="tags"><ul><li><a href="/t">World</a></li></ul></div>'
    )
    article = parse_html(page(body))
    assert article.paragraphs[0] == PROSE[0]
    assert "By Sarah Collins" not in article.paragraphs

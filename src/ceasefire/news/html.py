"""Parse a news page saved as HTML: trafilatura finds the article, lxml the captions and times.

trafilatura drops figure captions and gives dates without times, so the publication time
(with its offset, as the page gives it) is read from the usual meta tags, and captions from
``<figcaption>``.
"""

from __future__ import annotations

from typing import Any

import lxml.html  # type: ignore[import-untyped]
import trafilatura

from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.news.article import Article, PublicationTime
from ceasefire.news.language import detect_language
from ceasefire.news.plaintext import (
    CAPTION_CREDIT,
    FOOTER_MARKERS,
    _caption_credit,
    _credits_in,
    _strip_wire_dateline,
)
from ceasefire.news.sources import outlet_in_text
from ceasefire.news.timeexpr import parse_publication_line

_TIME_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "date",
    "dc.date.issued",
    "DC.date.issued",
)


MAX_TAGS = 100_000
"""Most tags a page may have. A heavy news page has 5,000-20,000; trafilatura's cost grows
with the count (about 4 s for 60,000 on one core), so a page of 600,000 ``<b>x</b>`` within
the 5 MiB article limit held a worker for a minute and a half. Counted before parsing, in
one pass over the text."""


def parse_html(
    html: str, *, name: str | None = None, url: str | None = None, max_tags: int = MAX_TAGS
) -> Article:
    """Extract the article of an HTML page; InvalidInput when the page holds none, or more
    than ``max_tags`` tags."""
    loc = name or "html"
    if (tags := html.count("<")) > max_tags:
        raise InvalidInput.worded(
            N_("%(loc)s: %(tags)s tags is more than the %(max_tags)s an HTML page may have"),
            details=[problem(loc, f"more than {max_tags} HTML tags")],
            loc=loc,
            tags=tags,
            max_tags=max_tags,
        )
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
        )
    except Exception as exc:
        raise InvalidInput.worded(
            N_("%(loc)s: the HTML could not be read (%(kind)s)"),
            details=[problem(loc, "unparseable HTML")],
            loc=loc,
            kind=exc.__class__.__name__,
        ) from exc
    data: dict[str, Any] = {}
    if document is not None:
        data = document if isinstance(document, dict) else document.as_dict()
    body_text = (data.get("text") or "").strip()
    paragraphs = [" ".join(p.split()) for p in body_text.split("\n") if p.strip()]
    paragraphs = _drop_footer(paragraphs)
    if sum(len(p) for p in paragraphs) < 200:
        # trafilatura finds no body in some layouts (a story in a table cell, paragraphs
        # made of <br>): readability's densest block is the article there.
        if not data.get("title"):
            data["title"] = _page_title(html)
        fallback = _drop_footer(_readability_paragraphs(html, data["title"]))
        if sum(len(p) for p in fallback) > sum(len(p) for p in paragraphs):
            paragraphs = fallback
    if not paragraphs or sum(len(p) for p in paragraphs) < 200:
        raise InvalidInput.worded(
            N_("%(loc)s: no article found in the HTML page"),
            details=[problem(loc, "HTML without article text")],
            loc=loc,
        )
    tree = _tree(html)
    sitename = data.get("sitename") or ""
    outlet = outlet_in_text(" ".join(filter(None, [sitename, url or "", data.get("hostname")])))
    published = _published(tree, data, outlet.timezone if outlet else None)
    captions, credits = _captions(tree)
    title = " ".join((data.get("title") or "").split())
    if paragraphs and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]
    paragraphs, dateline_place = _strip_wire_dateline(paragraphs, credits)
    for paragraph in paragraphs:
        _credits_in(paragraph, credits)
    return Article(
        title=title,
        paragraphs=paragraphs,
        outlet=outlet.name if outlet else (sitename or None),
        published=published,
        dateline=published.text if published else None,
        dateline_place=dateline_place,
        credits=credits,
        captions=captions,
        boilerplate_removed=[],
        language=detect_language(" ".join(paragraphs)),
        source_format="html",
        source_name=name,
        url=url or data.get("url"),
    )


_BLOCKS = frozenset({"p", "div", "td", "th", "li", "h1", "h2", "h3", "h4", "blockquote", "tr"})


def _readability_paragraphs(html: str, title: str) -> list[str]:
    """The paragraphs of readability-lxml's main block: blocks and <br> breaks split them."""
    from readability import Document

    try:
        summary = Document(html).summary(html_partial=True)
        tree = lxml.html.fromstring(summary)
    except Exception:  # readability raises its own and lxml's errors on broken pages
        return []
    for node in tree.iter():
        if node.tag == "br" or node.tag in _BLOCKS:
            node.tail = "\n" + (node.tail or "")
    lines = [" ".join(line.split()) for line in tree.text_content().split("\n")]
    title_key = " ".join(title.split()).casefold()
    return [line for line in lines if line and line.casefold() != title_key]


def _page_title(html: str) -> str:
    """The page's <title>, when trafilatura gave none."""
    tree = _tree(html)
    found = tree.findtext(".//title") if tree is not None else None
    return " ".join((found or "").split())


def _tree(html: str) -> Any:
    try:
        return lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None


def _drop_footer(paragraphs: list[str]) -> list[str]:
    for index, paragraph in enumerate(paragraphs):
        if index > 0 and len(paragraph) < 80 and FOOTER_MARKERS.match(paragraph):
            return paragraphs[:index]
    return paragraphs


def _published(tree: Any, data: dict[str, Any], zone: str | None) -> PublicationTime | None:
    if tree is not None:
        for key in _TIME_META:
            for value in tree.xpath(
                f'//meta[@property="{key}" or @name="{key}" or @itemprop="{key}"]/@content'
            ):
                found = parse_publication_line(str(value), zone=zone)
                if found is not None:
                    return found
        for value in tree.xpath("//time/@datetime"):
            found = parse_publication_line(str(value), zone=zone)
            if found is not None:
                return found
    if data.get("date"):
        return parse_publication_line(str(data["date"]), zone=zone)
    return None


def _captions(tree: Any) -> tuple[list[str], list[str]]:
    captions: list[str] = []
    credits: list[str] = []
    if tree is None:
        return captions, credits
    for node in tree.xpath("//figcaption"):
        text = " ".join(node.text_content().split())
        if not text:
            continue
        credit = _caption_credit(text)
        if credit and credit not in credits:
            credits.append(credit)
        text = CAPTION_CREDIT.sub("", text).rstrip() if credit is not None else text
        if text and text not in captions:
            captions.append(text)
    return captions, credits


__all__ = ["parse_html"]

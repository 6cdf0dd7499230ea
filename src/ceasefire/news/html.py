"""Parse a news page saved as HTML: trafilatura finds the article, lxml the captions and times.

trafilatura drops figure captions and gives dates without times, so the publication time
(with its offset, as the page gives it) is read from the usual meta tags, and captions from
``<figcaption>``.
"""

from __future__ import annotations

import copy
import json
import re
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
            details=[problem(loc, N_("more than %(max_tags)s HTML tags"), max_tags=max_tags)],
            loc=loc,
            tags=tags,
            max_tags=max_tags,
        )
    tree = _tree(html)
    cleaned = _without_overlays(tree, html)
    try:
        data = _extraction(cleaned, url, favor_precision=True)
        # The recall mode keeps what the precision mode drops inside the article (list
        # items, short paragraphs); only what lies between the first and the last
        # paragraph both modes found is taken from it, so no page furniture after the
        # article (comments, cookie notes) comes in with it.
        broad = _body(_extraction(cleaned, url, favor_recall=True))
    except Exception as exc:
        raise InvalidInput.worded(
            N_("%(loc)s: the HTML could not be read (%(kind)s)"),
            details=[problem(loc, N_("unparseable HTML"))],
            loc=loc,
            kind=exc.__class__.__name__,
        ) from exc
    paragraphs = _drop_footer(_within(_body(data), broad))
    paragraphs = _lead(tree, paragraphs) + paragraphs
    if not data.get("title"):
        data["title"] = _page_title(tree)
    if _weight(paragraphs) < MIN_BODY:
        # trafilatura finds no body in some layouts (a story in a table cell, paragraphs
        # made of <br>): readability's densest block is the article there. A page that
        # draws its article with JavaScript has it only in its JSON-LD.
        for fallback in (
            _json_ld_body(tree),
            _drop_footer(_readability_paragraphs(cleaned, data["title"])),
        ):
            if _weight(fallback) > _weight(paragraphs):
                paragraphs = fallback
    paragraphs = [p for p in map(_unbulleted, paragraphs) if not _is_date_line(p)]
    if not paragraphs or _weight(paragraphs) < MIN_BODY:
        raise InvalidInput.worded(
            N_("%(loc)s: no article found in the HTML page"),
            details=[problem(loc, N_("HTML without article text"))],
            loc=loc,
        )
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
    # A line that is all one link is navigation (a menu, a list of other stories).
    skip = {" ".join(a.text_content().split()).casefold() for a in tree.iter("a")}
    skip.add(" ".join(title.split()).casefold())
    return [line for line in lines if line and line.casefold() not in skip]


def _page_title(tree: Any) -> str:
    """The page's title, when trafilatura gave none: ``og:title``, else ``<title>``."""
    if tree is None:
        return ""
    found = tree.xpath('//meta[@property="og:title"]/@content') or [tree.findtext(".//title")]
    return " ".join(str(found[0] or "").split())


MIN_BODY = 200
"""Least weight of an article body: characters, a CJK character counting as three (one
carries about as much as a short word with its space; a Japanese story of 200 characters is
a full article)."""
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _weight(paragraphs: list[str]) -> int:
    return sum(len(p) + 2 * len(_CJK.findall(p)) for p in paragraphs)


def _extraction(
    html: str, url: str | None, *, favor_precision: bool = False, favor_recall: bool = False
) -> dict[str, Any]:
    document = trafilatura.bare_extraction(
        html,
        url=url,
        # the metadata (title, site, date) is read once, with the precise body
        with_metadata=favor_precision,
        include_comments=False,
        include_tables=False,
        favor_precision=favor_precision,
        favor_recall=favor_recall,
    )
    if document is None:
        return {}
    return document if isinstance(document, dict) else document.as_dict()


def _body(data: dict[str, Any]) -> list[str]:
    text = (data.get("text") or "").strip()
    # trafilatura writes a list item as "- item".
    return [" ".join(p.removeprefix("- ").split()) for p in text.split("\n") if p.strip()]


def _within(precise: list[str], broad: list[str]) -> list[str]:
    """``precise`` with the paragraphs of ``broad`` that lie between its first and its last."""
    where = {p.casefold(): i for i, p in enumerate(broad)}
    shared = [(i, where[p.casefold()]) for i, p in enumerate(precise) if p.casefold() in where]
    if len(shared) < 2 or shared[-1][1] <= shared[0][1]:
        return precise
    (first, start), (last, end) = shared[0], shared[-1]
    return precise[:first] + broad[start : end + 1] + precise[last + 1 :]


_OVERLAY = re.compile(r"cookie|consent|gdpr|newsletter|subscri|popup|modal|paywall", re.IGNORECASE)


def _without_overlays(tree: Any, html: str) -> str:
    """The page without the boxes laid over or into it: cookie and consent banners,
    newsletter sign-ups, pop-ups (known by their class or id). trafilatura keeps some of
    them in the article (a cookie banner at the end of the page, a sign-up box between two
    paragraphs). Only short blocks go: under 1,000 characters and under a third of the
    page's text."""
    if tree is None:
        return html
    tree = copy.deepcopy(tree)
    most = min(1000, len(tree.text_content()) // 3)
    found = [
        node
        for node in tree.iter()
        if isinstance(node.tag, str)
        and node.tag not in ("html", "body", "article", "main")
        and _OVERLAY.search(f"{node.get('class') or ''} {node.get('id') or ''}")
        # a box is short; a block named "subscriber-content" or "paywall" may hold the story
        and len(node.text_content()) < most
    ]
    for node in found:
        parent = node.getparent()
        if parent is not None:
            node.drop_tree()
    return str(lxml.html.tostring(tree, encoding="unicode"))


def _json_ld_body(tree: Any) -> list[str]:
    """The ``articleBody`` of the page's schema.org JSON-LD, one paragraph a line."""
    if tree is None:
        return []
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except (ValueError, RecursionError):
            # A page's JSON-LD is the page's: broken, or nested deeper than Python's stack.
            continue
        for item in _json_ld_items(data):
            body = item.get("articleBody")
            if isinstance(body, str) and body.strip():
                return [" ".join(p.split()) for p in body.splitlines() if p.strip()]
    return []


def _json_ld_items(data: object) -> list[dict[str, Any]]:
    """The objects of a JSON-LD script that may hold an ``articleBody``: the list's items,
    or the object and its ``@graph``'s. Anything else (a string, a number, ``null``, a
    ``@graph`` that is not a list) holds none."""
    if isinstance(data, list):
        found: list[object] = data
    elif isinstance(data, dict):
        graph = data.get("@graph")
        found = [data, *(graph if isinstance(graph, list) else [])]
    else:
        found = []
    return [item for item in found if isinstance(item, dict)]


_SENTENCE_END = re.compile(r"[.!?…։。！？؟»”\"')]$")


def _is_prose(paragraph: str) -> bool:
    return _weight([paragraph]) >= 40 and bool(_SENTENCE_END.search(paragraph))


def _lead(tree: Any, paragraphs: list[str]) -> list[str]:
    """The paragraphs between the headline (``<h1>``) and the body trafilatura found: a lead
    set apart from the story's block. Only prose without links counts, and only when the
    body's first paragraph is found after them."""
    heads = tree.xpath("//h1") if tree is not None and paragraphs else []
    if not heads:
        return []
    lead: list[str] = []
    for node in heads[0].xpath("following::p"):
        text = " ".join(node.text_content().split())
        if text == paragraphs[0]:
            return lead
        if _is_prose(text) and _weight([text]) >= 80 and not node.xpath(".//a"):
            lead.append(text)
    return []


_BULLET = re.compile(r"^[•▪●◦‣∙]\s*")


def _unbulleted(paragraph: str) -> str:
    """A list item without the bullet a page wrote as text."""
    return _BULLET.sub("", paragraph)


def _is_date_line(paragraph: str) -> bool:
    """A short line that is only a date and time (the page's publication line)."""
    return len(paragraph) < 40 and bool(re.fullmatch(r"[\d\s.:/,-]+", paragraph))


def _tree(html: str) -> Any:
    try:
        return lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None


def _drop_footer(paragraphs: list[str]) -> list[str]:
    """The paragraphs before a footer ("Related", "Read more" …). A marker line followed by
    more article (prose) is a link inside the story: only
    that line goes. Prose is a sentence: it ends as one, where the headlines of a list of
    other stories do not."""
    # The index of the last prose paragraph, found once: asking at each marker whether prose
    # follows it made a page of many "Related" lines quadratic (20,000 of them: 160 s).
    last_prose = max((i for i, p in enumerate(paragraphs) if _is_prose(p)), default=-1)
    kept: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if index > 0 and len(paragraph) < 80 and FOOTER_MARKERS.match(paragraph):
            if last_prose <= index:
                return kept
            continue
        kept.append(paragraph)
    return kept


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

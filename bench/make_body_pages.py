"""Render the body-extraction bench pages of tests/data/pages-bench from texts.yaml.

Run: .venv/bin/python bench/make_body_pages.py

Each article of texts.yaml (13 languages, 3 articles each) becomes one HTML page in one of
13 site layouts (page ``k`` gets layout ``k % 13``), with the furniture of real news sites
around it: navigation, cookie banners, share buttons, captions, bylines, "read more" links
inside the body, related and most-read lists, newsletter boxes, comments, footers. The gold
body is the article's own text (paragraphs, its subheadings and list items, one block a
line); manifest.json lists the pages, their layout and their split: every third page
(``k % 3 == 2``) is ``held``, the others ``tune``. The split was fixed here, before any
extractor ran on the pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parents[1] / "tests" / "data" / "pages-bench"

Page = dict[str, Any]


def blocks(article: Page) -> list[tuple[str, str]]:
    """The article's blocks as (kind, text): p, h2 or li."""
    found = []
    for raw in article["paragraphs"]:
        text = str(raw)
        if text.startswith("## "):
            found.append(("h2", text[3:]))
        elif text.startswith("- "):
            found.append(("li", text[2:]))
        else:
            found.append(("p", text))
    return found


def body_html(article: Page, para: str = "p", read_more: str = "") -> str:
    """The article's blocks as HTML; ``read_more`` is put after the second block."""
    out: list[str] = []
    in_list = False
    for index, (kind, text) in enumerate(blocks(article)):
        if kind == "li" and not in_list:
            out.append("<ul>")
            in_list = True
        if kind != "li" and in_list:
            out.append("</ul>")
            in_list = False
        if kind == "li":
            out.append(f"<li>{escape(text)}</li>")
        elif kind == "h2":
            out.append(f"<h2>{escape(text)}</h2>")
        else:
            out.append(f"<{para}>{escape(text)}</{para}>")
        if index == 1 and read_more:
            out.append(read_more)
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def links(items: list[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    rows = "".join(
        f'<li><a href="/news/{n + 101}.html">{escape(t)}</a></li>' for n, t in enumerate(items)
    )
    return f"<ul{attr}>{rows}</ul>"


def nav(site: Page) -> str:
    return f'<nav class="main-menu">{links(site["nav"])}</nav>'


def head(site: Page, article: Page, lang: str, extra: str = "") -> str:
    title = escape(article["title"])
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title} | {escape(site['site'])}</title>"
        f'<meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="2026-11-{10 + len(title) % 18}'
        f'T09:30:00+03:00">{extra}</head>\n'
    )


def share(site: Page) -> str:
    return (
        '<div class="share">'
        + "".join(f'<a class="share-btn" href="#share">{escape(s)}</a>' for s in site["share"])
        + "</div>"
    )


def comments(site: Page, repeat: int = 1) -> str:
    rows = []
    for n in range(repeat):
        for i, text in enumerate(site["comments"]):
            rows.append(
                f'<div class="comment"><span class="author">user{n}{i}</span>'
                f'<span class="date">2 h</span><p>{escape(text)}</p>'
                f'<a href="#reply">↩</a></div>'
            )
    return (
        f'<section id="comments"><h3>{escape(site["comments_label"])}</h3>'
        + "".join(rows)
        + "</section>"
    )


def read_more(site: Page) -> str:
    return (
        f"<p><strong>{escape(site['read_more'])}</strong> "
        f'<a href="/news/77.html">{escape(site["related"][1])}</a></p>'
    )


def figure(site: Page, tag: str = "figure") -> str:
    return (
        f'<{tag} class="wp-caption"><img src="/img/photo.jpg" alt="">'
        f"<figcaption>{escape(site['caption'])}</figcaption></{tag}>"
    )


def footer(site: Page) -> str:
    return (
        f'<footer class="site-footer"><p>{escape(site["footer"])}</p>{links(site["nav"])}</footer>'
    )


def wordpress(site: Page, art: Page, lang: str) -> str:
    return (
        head(site, art, lang)
        + f'<body class="single-post"><header id="masthead"><a class="logo" href="/">'
        f"{escape(site['site'])}</a>{nav(site)}</header>"
        f'<div id="content" class="site-content"><div id="primary"><main id="main">'
        f'<article class="post type-post"><header class="entry-header">'
        f'<h1 class="entry-title">{escape(art["title"])}</h1><div class="entry-meta">'
        f'<span class="byline">{escape(art["byline"])}</span> <time>10.11.2026</time></div>'
        f'</header><div class="entry-content">{figure(site)}'
        f"{body_html(art, read_more=read_more(site))}</div>"
        f'<div class="sharedaddy">{share(site)}</div>'
        f'<div id="jp-relatedposts"><h3>{escape(site["related_label"])}</h3>'
        f"{links(site['related'])}</div></article>{comments(site)}</main></div>"
        f'<aside id="secondary" class="widget-area"><section class="widget">'
        f"<h2>{escape(site['related_label'])}</h2>{links(site['related'][::-1])}</section>"
        f"</aside></div>{footer(site)}</body></html>"
    )


def drupal(site: Page, art: Page, lang: str) -> str:
    items = "".join(f'<div class="field-item">{escape(t)}</div>' for t in site["related"])
    return (
        head(site, art, lang)
        + '<body class="page-node"><div id="page"><div class="region region-header">'
        f'<div class="block block-menu">{nav(site)}</div></div>'
        f'<div class="region region-content"><div class="node node-article">'
        f'<div class="field field-name-title"><div class="field-items"><div class="field-item">'
        f"<h1>{escape(art['title'])}</h1></div></div></div>"
        f'<div class="field field-name-field-author"><div class="field-item">'
        f"{escape(art['byline'])}</div></div>"
        f'<div class="field field-name-body"><div class="field-items"><div class="field-item even">'
        f"{body_html(art)}</div></div></div>"
        f'<div class="field field-name-field-tags"><div class="field-items">{items}</div></div>'
        f'</div></div><div class="region region-sidebar"><div class="block block-views">'
        f"<h2>{escape(site['related_label'])}</h2>{links(site['related'])}</div></div>"
        f'<div id="sliding-popup"><div class="popup-content"><p>{escape(site["cookie"])}</p>'
        f"<button>OK</button></div></div>{footer(site)}</div></body></html>"
    )


def amp(site: Page, art: Page, lang: str) -> str:
    return (
        head(site, art, lang, "<style amp-boilerplate>body{visibility:hidden}</style>").replace(
            "<html ", "<html amp "
        )
        + f'<body><header class="amp-header"><a href="/">{escape(site["site"])}</a></header>'
        f'<amp-sidebar id="menu" layout="nodisplay">{nav(site)}</amp-sidebar>'
        f'<article class="amp-article"><h1>{escape(art["title"])}</h1>'
        f'<div class="amp-byline">{escape(art["byline"])}</div>'
        f'<amp-img src="/img/a.jpg" width="800" height="450" layout="responsive"></amp-img>'
        f'<div class="amp-caption">{escape(site["caption"])}</div>'
        f'<div class="amp-body">{body_html(art)}'
        f'<amp-ad width="300" height="250" type="doubleclick" data-slot="/1/news"></amp-ad>'
        f"</div>"
        f'<amp-social-share type="facebook"></amp-social-share>'
        f'<div class="amp-related"><h3>{escape(site["related_label"])}</h3>'
        f"{links(site['related'])}</div></article>{footer(site)}</body></html>"
    )


def table(site: Page, art: Page, lang: str) -> str:
    parts = []
    for kind, text in blocks(art):
        parts.append(("• " if kind == "li" else "") + escape(text))
    story = "<br><br>\n".join(parts)
    menu = "<br>".join(f'<a href="/{n}.html">{escape(t)}</a>' for n, t in enumerate(site["nav"]))
    side = "<br><br>".join(
        f'<a href="/n{n}.html"><b>{escape(t)}</b></a>' for n, t in enumerate(site["related"])
    )
    return (
        head(site, art, lang)
        + '<body bgcolor="#ffffff"><table width="100%" border="0"><tr><td colspan="3">'
        f'<font size="5">{escape(site["site"])}</font></td></tr><tr>'
        f'<td width="150" valign="top" class="menu">{menu}</td>'
        f'<td valign="top" class="story"><font size="4"><b>{escape(art["title"])}</b></font>'
        f"<br><i>{escape(art['byline'])}</i><br><br>\n{story}</td>"
        f'<td width="200" valign="top">{side}</td></tr>'
        f'<tr><td colspan="3"><small>{escape(site["footer"])}</small></td></tr>'
        "</table></body></html>"
    )


def semantic(site: Page, art: Page, lang: str) -> str:
    newsletter = (
        f'<aside class="newsletter-box"><p>{escape(site["newsletter"])}</p>'
        '<form><input type="email"><button>OK</button></form></aside>'
    )
    return (
        head(site, art, lang) + f'<body><div class="cookie-banner"><p>{escape(site["cookie"])}</p>'
        f"<button>OK</button></div><header>{nav(site)}</header><main>"
        f'<article><h1>{escape(art["title"])}</h1><p class="byline">{escape(art["byline"])}'
        f'</p><time datetime="2026-11-10T09:30:00+03:00">10.11.2026</time>{figure(site)}'
        f'<div class="article-body">{body_html(art, read_more=newsletter)}</div></article>'
        f'<section class="related"><h2>{escape(site["related_label"])}</h2>'
        f"{links(site['related'])}</section></main>{footer(site)}</body></html>"
    )


def json_ld(site: Page, art: Page, lang: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": art["title"],
        "author": {"@type": "Person", "name": art["byline"]},
        "datePublished": "2026-11-10T09:30:00+03:00",
        "articleBody": "\n".join(text for _, text in blocks(art)),
    }
    script = (
        '<script type="application/ld+json">'
        + json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        + "</script>"
    )
    return (
        head(site, art, lang, script) + f"<body><header>{nav(site)}</header><main>"
        f'<h1 class="headline">{escape(art["title"])}</h1>'
        f'<div class="byline">{escape(art["byline"])}</div>'
        '<div id="app" data-hydrate="article"></div>'
        "<noscript>JavaScript</noscript>"
        f'<div class="related"><h2>{escape(site["related_label"])}</h2>'
        f"{links(site['related'])}</div></main>{footer(site)}"
        '<script src="/static/app.js"></script></body></html>'
    )


def br_runs(site: Page, art: Page, lang: str) -> str:
    parts = [("— " if kind == "li" else "") + escape(text) for kind, text in blocks(art)]
    return (
        head(site, art, lang) + f'<body><div class="top">{nav(site)}</div><div class="content">'
        f'<h1>{escape(art["title"])}</h1><span class="date">10.11.2026 09:30</span>'
        f'<div id="articleText">{"<br><br>".join(parts)}<br><br>'
        f"<i>{escape(art['byline'])}</i></div>"
        f'<div class="more"><b>{escape(site["read_more"])}</b>{links(site["related"])}</div>'
        f'</div><div class="sidebar">{links(site["related"][::-1])}</div>'
        f"{footer(site)}</body></html>"
    )


def div_paragraphs(site: Page, art: Page, lang: str) -> str:
    inner = "".join(
        f'<div class="article__block">{("• " if k == "li" else "") + escape(t)}</div>'
        for k, t in blocks(art)
    )
    tags = "".join(
        f'<a class="tag" href="/tag/{n}">{escape(t)}</a>' for n, t in enumerate(site["nav"])
    )
    return (
        head(site, art, lang) + f'<body><div class="header">{nav(site)}</div><div class="layout">'
        f'<div class="article"><div class="article__title">{escape(art["title"])}</div>'
        f'<div class="article__author">{escape(art["byline"])}</div>'
        f'<div class="article__text">{inner}</div>'
        f'<div class="article__inject"><div>{escape(site["newsletter"])}</div></div>'
        f'<div class="article__tags">{tags}</div>{share(site)}</div>{comments(site)}'
        f"</div>{footer(site)}</body></html>"
    )


def toc(site: Page, art: Page, lang: str) -> str:
    heads = [text for kind, text in blocks(art) if kind == "h2"] or [site["related_label"]]
    contents = "".join(f'<li><a href="#s{n}">{escape(t)}</a></li>' for n, t in enumerate(heads))
    return (
        head(site, art, lang) + f"<body><header>{nav(site)}</header><div class='container'>"
        f'<article class="story"><h1>{escape(art["title"])}</h1>'
        f'<div class="author">{escape(art["byline"])}</div>'
        f'<nav class="toc"><ol>{contents}</ol></nav>'
        f'<div class="story-text">{body_html(art)}</div>'
        '<div class="pagination"><span>1</span> <a href="?page=2">2</a> '
        '<a href="?page=2">»</a></div></article>'
        f'<div class="related">{links(site["related"])}</div></div>{footer(site)}</body></html>'
    )


def portal(site: Page, art: Page, lang: str) -> str:
    box = (
        f'<div class="read-more-box"><span>{escape(site["read_more"])}</span>'
        f"{links(site['related'][:3])}</div>"
    )
    teasers = "".join(
        f'<div class="teaser"><a href="/t/{n}"><h4>{escape(t)}</h4></a>'
        f"<p>{escape(site['related'][(n + 1) % 4])}…</p></div>"
        for n, t in enumerate(site["related"])
    )
    return (
        head(site, art, lang) + f"<body><div class='wrap'><div class='menu'>{nav(site)}</div>"
        f'<div class="col-left">{links(site["nav"])}</div>'
        f'<div class="col-main"><div class="news-detail"><h1>{escape(art["title"])}</h1>'
        f'<div class="meta">{escape(art["byline"])} | 10.11.2026</div>{share(site)}'
        f'<div class="news-text">{body_html(art, read_more=box)}'
        '<div class="ad">ADVERTISEMENT</div></div></div></div>'
        f'<div class="col-right"><h3>{escape(site["related_label"])}</h3>{teasers}</div>'
        f"</div>{footer(site)}</body></html>"
    )


def lead_story(site: Page, art: Page, lang: str) -> str:
    first, *rest = art["paragraphs"]
    remainder = dict(art, paragraphs=rest)
    return (
        head(site, art, lang) + f"<body><header>{nav(site)}</header><div class='story-page'>"
        f'<h1>{escape(art["title"])}</h1><div class="byline">{escape(art["byline"])}</div>'
        f'<p class="lead">{escape(first)}</p>{figure(site, "div")}'
        f'<div class="story-body">{body_html(remainder, read_more=read_more(site))}</div>'
        f'<div class="tags">{links(site["nav"][:3])}</div>'
        f'</div><div class="most-read"><h3>{escape(site["related_label"])}</h3>'
        f"{links(site['related'])}</div>{footer(site)}</body></html>"
    )


def bootstrap(site: Page, art: Page, lang: str) -> str:
    cards = "".join(
        f'<div class="card"><div class="card-body"><h5 class="card-title">{escape(t)}</h5>'
        f'<p class="card-text">{escape(site["related"][(n + 2) % 4])}</p>'
        f'<a href="/c/{n}" class="btn">»</a></div></div>'
        for n, t in enumerate(site["related"])
    )
    return (
        head(site, art, lang)
        + f'<body><div class="modal" id="cookieModal"><div class="modal-body">'
        f'<p>{escape(site["cookie"])}</p></div></div><nav class="navbar">{nav(site)}</nav>'
        f'<div class="container"><ol class="breadcrumb"><li>{escape(site["nav"][0])}</li>'
        f'<li>{escape(site["nav"][1])}</li></ol><div class="row"><div class="col-md-8">'
        f'<h1>{escape(art["title"])}</h1><p class="text-muted">{escape(art["byline"])}</p>'
        f'<div class="post-body">{body_html(art)}</div>'
        f'<div class="author-box"><p>{escape(art["byline"])}</p></div>{share(site)}</div>'
        f'<div class="col-md-4">{cards}</div></div></div>{footer(site)}</body></html>'
    )


def discussion(site: Page, art: Page, lang: str) -> str:
    return (
        head(site, art, lang) + f"<body><header>{nav(site)}</header><div id='main'>"
        f'<div class="article-wrap"><h1>{escape(art["title"])}</h1>'
        f'<div class="byline">{escape(art["byline"])}</div>'
        f'<div class="article-content">{body_html(art)}</div>{share(site)}</div>'
        f"{comments(site, repeat=3)}"
        '<form id="reply"><textarea></textarea><button>OK</button></form></div>'
        f"{footer(site)}</body></html>"
    )


LAYOUTS: list[tuple[str, Callable[[Page, Page, str], str]]] = [
    ("wordpress", wordpress),
    ("drupal", drupal),
    ("amp", amp),
    ("table", table),
    ("semantic", semantic),
    ("json-ld", json_ld),
    ("br-runs", br_runs),
    ("div-paragraphs", div_paragraphs),
    ("toc", toc),
    ("portal", portal),
    ("lead-story", lead_story),
    ("bootstrap", bootstrap),
    ("discussion", discussion),
]


def main() -> None:
    texts = yaml.safe_load((HERE / "texts.yaml").read_text(encoding="utf-8"))
    manifest = []
    index = 0
    for lang, site in texts.items():
        for article in site["articles"]:
            layout, render = LAYOUTS[index % len(LAYOUTS)]
            name = f"{index:02d}-{lang}-{layout}"
            (HERE / f"{name}.html").write_text(render(site, article, lang), encoding="utf-8")
            gold = "\n".join(text for _, text in blocks(article))
            (HERE / f"{name}.gold.txt").write_text(gold + "\n", encoding="utf-8")
            split = "held" if index % 3 == 2 else "tune"
            manifest.append({"page": name, "language": lang, "layout": layout, "split": split})
            index += 1
    (HERE / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()

"""Reading article files safely: size, binary content, encoding and format are checked first.

Every problem is an :class:`~ceasefire.errors.InvalidInput` naming the file, so a batch can
report it and go on with the next file.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ceasefire.errors import InvalidInput, PayloadTooLarge, problem
from ceasefire.i18n.markers import N_

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<article|<\?xml)", re.I)
_HTML_TAGS = re.compile(rb"<(p|div|article|h1|span|meta|title)[\s>]", re.I)
_CONTROL = {*range(0, 9), 11, 12, *range(14, 32), 127}


@dataclass(frozen=True)
class RawArticle:
    """A decoded article file and the format it was recognised as."""

    name: str
    text: str
    kind: Literal["text", "html"]


def read_article_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> RawArticle:
    """Read one file as an article; raise InvalidInput/PayloadTooLarge saying what is wrong."""
    name = str(path)
    if not path.exists():
        raise InvalidInput.worded(
            N_("%(name)s: no such file"), details=[problem(name, N_("no such file"))], name=name
        )
    if not path.is_file():
        raise InvalidInput.worded(
            N_("%(name)s: not a file"), details=[problem(name, N_("not a regular file"))], name=name
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise PayloadTooLarge.worded(
            N_("%(name)s: %(size)s bytes is more than the %(max_bytes)s bytes an article may have"),
            details=[
                problem(
                    name,
                    N_("file of %(size)s bytes exceeds limit of %(max_bytes)s"),
                    size=size,
                    max_bytes=max_bytes,
                )
            ],
            name=name,
            size=size,
            max_bytes=max_bytes,
        )
    return decode_article(path.read_bytes(), name=name, max_bytes=max_bytes)


def decode_article(data: bytes, *, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> RawArticle:
    """Check and decode article bytes (UTF-8, or UTF-16 with a byte-order mark)."""
    if len(data) > max_bytes:
        raise PayloadTooLarge.worded(
            N_(
                "%(name)s: %(count)s bytes is more than the %(max_bytes)s bytes an article may have"
            ),
            details=[
                problem(
                    name,
                    N_("%(n)s bytes exceeds limit of %(max_bytes)s"),
                    n=len(data),
                    max_bytes=max_bytes,
                )
            ],
            name=name,
            count=len(data),
            max_bytes=max_bytes,
        )
    if not data.strip():
        raise InvalidInput.worded(
            N_("%(name)s: the file is empty"), details=[problem(name, N_("empty"))], name=name
        )
    text = _decode(data, name)
    _reject_binary(text, name)
    _reject_data(text, name)
    kind: Literal["text", "html"] = "html" if _looks_like_html(data) else "text"
    return RawArticle(name=name, text=text, kind=kind)


def _reject_data(text: str, name: str) -> None:
    """Refuse what is data, not an article: JSON, JSON lines, CSV/TSV tables, XML feeds.

    Read as prose, such a file gives thousands of nonsense "sentences" (every key and value),
    so it is refused with what to do instead.
    """
    kind = data_kind(text)
    if kind is None:
        return
    message, detail = _NOT_AN_ARTICLE[kind]
    raise InvalidInput.worded(message, details=[problem(name, detail)], code="E-NLP003", name=name)


_NOT_AN_ARTICLE = {
    "JSON": (
        N_(
            "[E-NLP003] %(name)s: JSON data, not an article;"
            ' for {"id", "text"} records use `ceasefire extract --jsonl FILE`'
        ),
        N_("JSON is not an article"),
    ),
    "JSON lines": (
        N_(
            "[E-NLP003] %(name)s: JSON lines data, not an article;"
            ' for {"id", "text"} lines use `ceasefire extract --jsonl FILE`'
        ),
        N_("JSON lines is not an article"),
    ),
    "a CSV/TSV table": (
        N_(
            "[E-NLP003] %(name)s: a CSV/TSV table data, not an article;"
            " export the article text to a .txt or .html file"
        ),
        N_("a CSV/TSV table is not an article"),
    ),
    "an XML feed": (
        N_(
            "[E-NLP003] %(name)s: an XML feed data, not an article;"
            " save each article of the feed as its own page"
        ),
        N_("an XML feed is not an article"),
    ),
}
"""Each kind of data ``data_kind`` finds: the refusal (with what to do instead) and its
``details`` message, whole msgids (the kind and the hint are English words)."""


_XML_FEED = re.compile(r"^\s*<\?xml[^>]*>\s*<(rss|feed|urlset|sitemapindex)\b", re.I)
_JSON_START = re.compile(r"^\s*[\[{]")


def data_kind(text: str) -> str | None:
    """``"JSON"``, ``"JSON lines"``, ``"a CSV/TSV table"`` or ``"an XML feed"`` when ``text``
    is structured data rather than an article; None for prose or a page."""
    if _JSON_START.match(text):
        try:
            json.loads(text)
        except RecursionError:
            return "JSON"  # brackets nested past the decoder's limit: data, not prose
        except ValueError:
            lines = [line for line in text.splitlines()[:20] if line.strip()]
            if lines and all(_is_json_object(line) for line in lines[:-1] or lines):
                return "JSON lines"
        else:
            return "JSON"
    if _XML_FEED.match(text[:2000]):
        return "an XML feed"
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) >= 5:
        for separator in (",", "\t", ";"):
            counts = {line.count(separator) for line in lines}
            # Every line has the same number (two or more) of separators and no line ends
            # like a sentence: rows of a table, not paragraphs.
            if (
                len(counts) == 1
                and min(counts) >= 2
                and not any(line.rstrip().endswith((".", "!", "?", "”", '"')) for line in lines)
            ):
                return "a CSV/TSV table"
    return None


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict | list)
    except (ValueError, RecursionError):
        return False


def _decode(data: bytes, name: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _encoding_error(name, exc) from exc
    if b"\x00" in data[:4096]:
        raise InvalidInput.worded(
            N_("%(name)s: binary content (NUL bytes), not an article"),
            details=[problem(name, N_("binary file"))],
            name=name,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _encoding_error(name, exc) from exc


def _encoding_error(name: str, exc: UnicodeDecodeError) -> InvalidInput:
    byte = exc.object[exc.start : exc.start + 1].hex()
    return InvalidInput.worded(
        N_(
            "%(name)s: not UTF-8 (byte 0x%(byte)s at offset %(start)s); convert the file to "
            "UTF-8 and try again"
        ),
        details=[problem(name, N_("invalid UTF-8 at byte %(start)s"), start=exc.start)],
        name=name,
        byte=byte,
        start=exc.start,
    )


def _reject_binary(text: str, name: str) -> None:
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) in _CONTROL)
    if sample and controls / len(sample) > 0.01:
        raise InvalidInput.worded(
            N_("%(name)s: binary content (%(controls)s control characters), not an article"),
            details=[problem(name, N_("binary file"))],
            name=name,
            controls=controls,
        )


def _looks_like_html(data: bytes) -> bool:
    head = data[:4096]
    return bool(_HTML_START.match(head)) or len(_HTML_TAGS.findall(head)) >= 3


_PATH_SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".json", ".jsonl", ".xml", ".csv")


def looks_like_path(text: str) -> bool:
    """Whether a command-line text is a file name rather than prose ("page.html", "a/b.txt")."""
    candidate = text.strip()
    if not candidate or any(ch.isspace() for ch in candidate) or len(candidate) > 4096:
        return False
    return "/" in candidate or "\\" in candidate or candidate.lower().endswith(_PATH_SUFFIXES)

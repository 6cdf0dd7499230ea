"""Parse a news page saved as plain text (what a scraper or "select all, copy" gives).

Such a page has page furniture around the article: a site banner, the title repeated, a date
line, photo captions ending with a credit ("(AP)"), the body, and footers ("Editor Picks",
"Read more"). Each line is one paragraph. The parser keeps what belongs to the article and
lists what it removed.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.news.article import Article, PublicationTime
from ceasefire.news.language import detect_language
from ceasefire.news.sources import agency_alias_pattern, agency_by_alias, outlet_in_text
from ceasefire.news.timeexpr import parse_publication_line

# Lines that end an article on news sites; everything from them on is page furniture.
FOOTER_MARKERS = re.compile(
    r"^(editor'?s? picks?|related( articles| news| stories)?|read (more|also)|more from|"
    r"most (read|popular|viewed)|recommended|you may (also )?like|trending|latest news|"
    r"tags?:|topics?:|share (this|on)|comments?|advertisement|subscribe|sign up|newsletter|"
    r"copyright|©|all rights reserved|follow us|"
    # The same footers on Russian, Turkish, Azerbaijani, Armenian, Portuguese, French, Spanish
    # and German pages.
    r"читайте (также|еще|ещё)|похожие (новости|материалы)|теги|по теме|"
    r"ilgili haberler|benzer haberler|etiketler|öne çıkanlar|"
    r"oxşar xəbərlər|digər xəbərlər|əlaqəli xəbərlər|teqlər|"
    r"նմանատիպ նորություններ|նույն թեմայով|կարդացեք նաև|"
    r"leia (também|mais)|veja também|todos os direitos reservados|"
    r"(à )?lire aussi|sur le même sujet|lea también|te puede interesar|"
    r"lesen sie auch|mehr zum thema|"
    # Indonesian, Arabic, Korean and Japanese.
    r"baca juga|berita terkait|اقرأ أيضا|أخبار ذات صلة|관련 기사|함께 보면 좋은|"
    r"あわせて読みたい|関連記事|"
    r"həmçinin oxuyun|həmçinin bax)(?!\w)",
    re.I,
)
# Lines that are page furniture wherever they are.
FURNITURE = re.compile(
    r"^(advertisement|share|tweet|print|email|menu|home|search|sign in|log in|close|"
    r"skip to (main )?content|click here.*|photo|video|listen)$",
    re.I,
)
BANNER_HINTS = re.compile(
    r"\b(news and opinion|newspaper|breaking news|latest news|home page|english edition|"
    r"international news|online edition)\b",
    re.I,
)
CAPTION_CREDIT = re.compile(
    r"(\((?P<paren>[^()]{1,60})\)"
    r"|\b(?:photo|image|file photo|picture)\s*(?:by|:)\s*(?P<by>[^.()]{1,60}))"
    r"\s*\.?\s*$",
    re.I,
)
WIRE_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'-]{2,40}(?:,\s*[A-Z][A-Za-z .'-]{2,30})?)"
    r"\s*\((?P<agency>[^()]{2,40})\)\s*[-–—]+\s*"
)
CREDIT_PHRASES = re.compile(
    r"\b(?:(?P<a1>{agency})\s+(?:reported|said|quoted|cited|reports)|"
    r"(?:told|according to|cited by|quoted by|speaking to|in an interview with)"
    r"\s+(?:the\s+)?(?P<a2>{agency}))"
)


def parse_plain_text(text: str, *, name: str | None = None) -> Article:
    """Parse a scraped news page; raise InvalidInput when no article can be found in it."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if line]
    loc = name or "text"
    if not lines:
        raise InvalidInput.worded(
            N_("%(loc)s: no text"), details=[problem(loc, N_("empty"))], loc=loc
        )
    removed: list[str] = []
    lines = _cut_footer(lines, removed)
    outlet = None
    # Leading lines before the title: banners, navigation.
    while lines and (
        FURNITURE.match(lines[0]) or (len(lines) > 2 and _is_banner(lines[0], lines[1:4]))
    ):
        line = lines.pop(0)
        removed.append(line)
        outlet = outlet or outlet_in_text(line)
    lines = [line for line in lines if not _furniture(line, removed)]
    if not lines:
        raise InvalidInput.worded(
            N_("%(loc)s: only page furniture, no article"),
            details=[problem(loc, N_("no article"))],
            loc=loc,
        )
    title, lines = _take_title(lines, removed)
    published, dateline, lines = _take_dateline(lines, outlet.timezone if outlet else None)
    captions, credits, lines = _take_captions(lines, title)
    paragraphs, dateline_place = _strip_wire_dateline(lines, credits)
    if not paragraphs:
        raise InvalidInput.worded(
            N_("%(loc)s: no body paragraphs found"), details=[problem(loc, N_("no body"))], loc=loc
        )
    for paragraph in paragraphs:
        _credits_in(paragraph, credits)
    if outlet is None:
        outlet = outlet_in_text(" ".join(removed))
    body = " ".join(paragraphs)
    return Article(
        title=title,
        paragraphs=paragraphs,
        outlet=outlet.name if outlet else None,
        published=published,
        dateline=dateline,
        dateline_place=dateline_place,
        credits=credits,
        captions=captions,
        boilerplate_removed=removed,
        language=detect_language(body),
        source_format="text",
        source_name=name,
    )


def _cut_footer(lines: list[str], removed: list[str]) -> list[str]:
    # A footer marker only counts in the last third: "Related" may open a sentence earlier.
    start = max(1, (2 * len(lines)) // 3)
    for index in range(start, len(lines)):
        if FOOTER_MARKERS.match(lines[index]) and len(lines[index]) < 80:
            removed.extend(lines[index:])
            return lines[:index]
    return lines


def _furniture(line: str, removed: list[str]) -> bool:
    if FURNITURE.match(line):
        removed.append(line)
        return True
    return False


def _is_banner(line: str, following: list[str]) -> bool:
    if outlet_in_text(line) is not None and not line.endswith("."):
        # The banner names the outlet; the title usually follows (maybe twice).
        return True
    return bool(BANNER_HINTS.search(line)) and not line.endswith(".")


def _is_title_like(line: str) -> bool:
    return (len(line) <= 200 and not line.endswith((".", ":"))) or line.endswith("?")


def _take_title(lines: list[str], removed: list[str]) -> tuple[str, list[str]]:
    title = lines[0] if _is_title_like(lines[0]) else ""
    if not title:
        return "", lines
    rest = lines[1:]
    # Titles are often printed twice (page heading and article heading).
    while rest and rest[0].casefold() == title.casefold():
        removed.append(rest.pop(0))
    return title, rest


def _take_dateline(
    lines: list[str], zone: str | None
) -> tuple[PublicationTime | None, str | None, list[str]]:
    for index, line in enumerate(lines[:4]):
        published = parse_publication_line(line, zone=zone) or _date_line(line, zone)
        if published is not None:
            return published, line, lines[:index] + lines[index + 1 :]
    return None, None, lines


# A line that is only a date in another language or layout: "10.11.2020 - 09:30",
# "10 ноября 2020, 03:15", "2020年11月10日 15:00". Short, with a year: never a sentence.
_DATE_LINE = re.compile(r"^(?=.*(?:\b\d{4}\b|\d{4}年))(?!.*[.!?](?:\s|$)).{6,40}$")


def _date_line(line: str, zone: str | None) -> PublicationTime | None:
    """A date line the English patterns do not read, by dateparser (day before month)."""
    if not _DATE_LINE.match(line) or len(line.split()) > 6:
        return None
    import dateparser

    parsed = dateparser.parse(line, settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"})
    if parsed is None or parsed.tzinfo is not None:
        return None
    found = parse_publication_line(parsed.strftime("%Y-%m-%dT%H:%M"), zone=zone)
    return replace(found, text=line) if found else PublicationTime(text=line, local=parsed)


def _take_captions(lines: list[str], title: str) -> tuple[list[str], list[str], list[str]]:
    """Photo captions: paragraphs ending with a photo credit, near the top of the page."""
    captions: list[str] = []
    credits: list[str] = []
    rest: list[str] = []
    for index, line in enumerate(lines):
        credit = _caption_credit(line) if index < 3 else None
        if credit is not None and len(lines) > 1:
            captions.append(CAPTION_CREDIT.sub("", line).rstrip())
            if credit and credit not in credits:
                credits.append(credit)
            continue
        rest.append(line)
    return captions, credits, rest


def _caption_credit(line: str) -> str | None:
    """The credit if ``line`` is a photo caption ("... (AP)"), "" if uncredited, else None."""
    match = CAPTION_CREDIT.search(line)
    if not match:
        return None
    credit = (match.group("paren") or match.group("by") or "").strip()
    credit = re.sub(r"^(photo|file photo|image|picture)\s*(by|:)?\s*", "", credit, flags=re.I)
    agencies = agency_by_alias()
    for part in re.split(r"[/,;]| via ", credit):
        if part.strip() in agencies:
            return agencies[part.strip()]
    if match.group("by"):
        return credit
    return None


def _strip_wire_dateline(lines: list[str], credits: list[str]) -> tuple[list[str], str | None]:
    if not lines:
        return lines, None
    match = WIRE_DATELINE.match(lines[0])
    if not match:
        return lines, None
    agency = agency_by_alias().get(match.group("agency").strip())
    if agency is None:
        return lines, None
    if agency not in credits:
        credits.append(agency)
    first = lines[0][match.end() :]
    return [first, *lines[1:]] if first else lines[1:], match.group("place").strip().title()


def _credits_in(paragraph: str, credits: list[str]) -> None:
    """Wire agencies the paragraph cites as its source ("Reuters reported", "told AFP")."""
    agency = agency_alias_pattern().pattern[len("(?<![\\w-])") : -len("(?![\\w-])")]
    pattern = re.compile(CREDIT_PHRASES.pattern.format(agency=agency))
    aliases = agency_by_alias()
    for match in pattern.finditer(paragraph):
        name = aliases.get(match.group("a1") or match.group("a2") or "")
        if name and name not in credits:
            credits.append(name)

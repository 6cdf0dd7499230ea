"""General event-coding dictionaries shipped in ``data/eventdata``, compiled into one index.

* ``CAMEO.2.0.txt`` (PETRARCH2, MIT): verb blocks — each a set of synonymous verbs with a
  block code, optional codes of single verbs, and verb + object / preposition patterns
  ("``- * &CEASEFIRE [0871]``"), each with a CAMEO code.
* ``CAMEO2PLOVER-2021.txt`` (PLOVER, CC BY-SA 4.0): the official CAMEO → PLOVER table
  (event type, mode, context for every CAMEO code).
* ``Phoenix.*.actors.txt`` (MIT): people with roles and date ranges, organisations and armed
  non-state groups with CAMEO actor codes; ``Phoenix.agents.txt``: agent words ("army",
  "police", "rebels") and their sectors.

Parsing the text files takes a moment, so the compiled index is kept as JSON in the cache
folder of the gazetteer (``CEASEFIRE_GEO_CACHE_DIR``), named by a hash of the files and of
this module; :func:`event_index` loads it once per process.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from ceasefire.news.geo.gazetteer import default_cache_dir, write_atomically

FORMAT_VERSION = 1
_PACKAGE = "ceasefire.news"
_FOLDER = ("data", "eventdata")
VERB_FILE = "CAMEO.2.0.txt"
PLOVER_FILE = "CAMEO2PLOVER-2021.txt"
ACTOR_FILES = (
    "Phoenix.Countries.actors.txt",
    "Phoenix.International.actors.txt",
    "Phoenix.MilNonState.actors.txt",
)
AGENT_FILE = "Phoenix.agents.txt"
SECTORS = frozenset(
    {"GOV", "MIL", "COP", "REB", "OPP", "LEG", "JUD", "CVL", "REF", "EDU", "LAB", "BUS", "AGR",
     "MED", "HLH", "REL", "CRM", "SPY", "PTY", "UAF", "HRI", "ENV", "DEV", "IGO", "NGO"}
)  # fmt: skip
# Codes that stand for no state: kept whole as the actor's code.
NON_STATE = frozenset({"IGO", "NGO", "IMG", "MNC"})
# The gold standard we are measured against uses PLOVER's 18 types of 2016-2019 (the
# 2021 table folds DISAPPROVE and INVESTIGATE into ACCUSE, DEMAND into REQUEST and FIGHT
# into ASSAULT); this maps the table's types back. CAMEO 19 ("use conventional military
# force") is FIGHT, CAMEO 17 (coerce, violent repression included) COERCE, CAMEO 18 and 20
# stay ASSAULT.
_TYPE_2021 = {"REQUEST": "DEMAND"}


# --- CAMEO verb dictionary ------------------------------------------------------------------


def _clean_word(word: str) -> str:
    """A dictionary word as text: "CEASE_FIRE" → "cease fire", "RE_" → "re"."""
    return word.replace("_", " ").strip().lower()


def _code(text: str) -> str | None:
    """The code of a bracket ("[042:043]" → "042", "[:173]" → "173", "[---]" → "---")."""
    inner = text.strip().strip("[]").strip()
    for part in inner.split(":"):
        part = part.strip()
        if part:
            return part
    return None


_ELEMENT = re.compile(r"\([^)]*\)|\{[^}]*\}|\S+")


def _pattern_elements(text: str) -> list[list[str]]:
    """Elements of one side of a pattern: ["w", word...], ["p", prep, word...], ["s", set]."""
    out: list[list[str]] = []
    for raw in _ELEMENT.findall(text):
        if raw.startswith("("):
            words = [_clean_word(w) for w in raw.strip("()").split()]
            words = [w for w in words if w and w not in {"$", "+", "^", "%"}]
            if words:
                out.append(["p", *words])
        elif raw.startswith("{"):
            words = [_clean_word(w) for w in raw.strip("{}").split()]
            words = [w for w in words if w and w not in {"$", "+", "^", "%"}]
            if words:
                out.append(["w", *words])
        elif raw.startswith("&"):
            out.append(["s", raw[1:].lower()])
        elif raw in {"$", "+", "^", "%", "*"} or raw.startswith("#"):
            continue
        else:
            word = _clean_word(raw)
            if word:
                out.append(["w", word])
    return out


def parse_verbs(text: str) -> dict[str, Any]:
    """Parse a CAMEO verb dictionary: synonym sets, verb forms, blocks with their patterns.

    Returns ``{"synsets": {name: [word...]}, "verbs": {form: [block, code]}, "blocks":
    {block: {"code": code, "patterns": [[code, before, after], ...]}}}``; a code is None where
    the file gives "---" for a block (no default) and "---" stays for a pattern that says
    "not an event".
    """
    synsets: dict[str, list[str]] = {}
    verbs: dict[str, list[Any]] = {}
    blocks: dict[str, dict[str, Any]] = {}
    current_set: str | None = None
    block: str | None = None
    in_verbs = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            current_set = None
            continue
        if line.startswith("---"):
            in_verbs, current_set = True, None
            match = re.match(r"---\s+(\S+)\s+(\[[^\]]*\])", line)
            if match is None:
                continue
            block = match.group(1).lower()
            code = _code(match.group(2))
            blocks[block] = {"code": None if code == "---" else code, "patterns": []}
            continue
        if not in_verbs:
            if line.startswith("&"):
                current_set = line[1:].strip().lower()
                synsets[current_set] = []
            elif line.startswith("+") and current_set is not None:
                synsets[current_set].append(_clean_word(line[1:]))
            continue
        if block is None:
            continue
        if line.startswith("-"):
            match = re.match(r"-\s*(.*?)\s*(\[[^\]]*\])\s*$", line)
            if match is None or "*" not in match.group(1):
                continue
            code = _code(match.group(2))
            before, _, after = match.group(1).partition("*")
            blocks[block]["patterns"].append(
                [code, _pattern_elements(before), _pattern_elements(after)]
            )
            continue
        # A verb form: "WORD {IRREGULAR FORMS} [code]" or "+MULTI_WORD {...} [code]".
        bracket = re.search(r"\[[^\]]*\]", line)
        code = _code(bracket.group(0)) if bracket else None
        body = line[: bracket.start()] if bracket else line
        forms_text = re.search(r"\{([^}]*)\}", body)
        head = body[: forms_text.start()] if forms_text else body
        words = head.split()
        if not words:
            continue
        base = _clean_word(words[0].lstrip("+"))
        entry = [block, None if code == "---" else code]
        verbs.setdefault(base, entry)
        if forms_text:
            for form in forms_text.group(1).split():
                verbs.setdefault(_clean_word(form.lstrip("+")), entry)
    return {"synsets": synsets, "verbs": verbs, "blocks": blocks}


def parse_plover_table(text: str) -> dict[str, list[str | None]]:
    """The CAMEO → PLOVER table: ``{cameo: [type, mode, context]}`` (types as the gold's)."""
    table: dict[str, list[str | None]] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        match = re.match(r"(\d{2,4}):\s*(.*)$", line)
        if match is None:
            continue
        cameo, rest = match.groups()
        fields = [f.strip() for f in rest.split(",")]
        if not fields or not fields[0]:
            continue
        kind = fields[0].upper()
        mode = fields[1] if len(fields) > 1 and fields[1] else None
        context = fields[2].split(";")[0].strip() if len(fields) > 2 and fields[2] else None
        if kind == "ACCUSE":
            kind = "INVESTIGATE" if mode == "investigate" else "DISAPPROVE"
            mode = None if mode in {"investigate", "disapprove"} else mode
        elif kind == "ASSAULT" and cameo.startswith("19"):
            kind = "FIGHT"
        elif kind == "ASSAULT" and cameo.startswith("17"):
            # CAMEO 175 (violent repression: tear gas, firing on a crowd) was COERCE in the
            # 2016-2019 types, as all of CAMEO 17; the 2021 table moved it to ASSAULT.
            kind = "COERCE"
        kind = _TYPE_2021.get(kind, kind)
        table[cameo] = [kind, mode or None, context or None]
    # CAMEO 02 ("appeal") is not in the 2021 table: PLOVER merges it with 10 into DEMAND.
    table.setdefault("02", ["DEMAND", None, None])
    return table


# --- Phoenix actor and agent dictionaries ----------------------------------------------------


def _phoenix_date(text: str) -> str | None:
    """ "031031" → "2003-10-31", "20070101" → "2007-01-01"; malformed → None."""
    digits = text.strip()
    try:
        if len(digits) == 6:
            year = int(digits[:2])
            year += 2000 if year <= 30 else 1900
            return date(year, int(digits[2:4]), int(digits[4:6])).isoformat()
        if len(digits) == 8:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])).isoformat()
    except ValueError:
        return None
    return None


def _phoenix_role(text: str) -> list[str | None] | None:
    """ "[AZEGOV 930624-031031]" → [code, start, end] (dates ISO or None)."""
    parts = text.strip().strip("[]").split()
    if not parts or parts[0].startswith("-"):
        return None
    code = parts[0].lstrip("~")
    start = end = None
    if len(parts) > 1:
        span = "".join(parts[1:])
        if span.startswith(">"):
            start = _phoenix_date(span[1:])
        elif span.startswith("<"):
            end = _phoenix_date(span[1:])
        elif "-" in span:
            first, _, last = span.partition("-")
            start, end = _phoenix_date(first), _phoenix_date(last)
            if start is None or end is None:
                return None  # a range we cannot read is no role
    return [code, start, end]


def parse_actors(text: str) -> list[dict[str, Any]]:
    """Entries of a Phoenix actor file: ``{"names": [...], "roles": [[code, start, end]...],
    "person": bool}``. Entries whose only code is a bare state (country names and their
    cities) are left out: states come from ISO 3166 and the gazetteer."""
    entries: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for raw in text.splitlines():
        comment = raw.split("#", 1)[1] if "#" in raw else ""
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        codes = re.findall(r"\[[^\]]*\]", line)
        body = re.sub(r"\[[^\]]*\]", "", line).strip()
        if body.startswith("+") and current is not None:
            current["names"].append(_clean_word(body[1:]))
        elif body and not line[0].isspace():
            current = {
                "names": [_clean_word(body)],
                "roles": [],
                "person": "CountryInfo" in comment,
            }
            entries.append(current)
        if current is None:
            continue
        for code in codes:
            role = _phoenix_role(code)
            if role is not None:
                current["roles"].append(role)
    kept: list[dict[str, Any]] = []
    for entry in entries:
        roles = entry["roles"]
        if not roles or all(len(str(r[0])) <= 3 and r[0] not in NON_STATE for r in roles):
            continue
        entry["names"] = [n for n in dict.fromkeys(entry["names"]) if n]
        entry["person"] = entry["person"] or any(r[1] or r[2] for r in roles)
        kept.append(entry)
    return kept


def parse_agents(text: str) -> dict[str, str]:
    """Agent words of ``Phoenix.agents.txt`` and their sector: {"riot police": "COP", ...}.

    "!PERSON!" stands for man/men/woman/women/person; regular plurals are added.
    """
    macros: dict[str, list[str]] = {}
    agents: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        macro = re.match(r"(!\w+!)\s*=\s*(.*)$", line)
        if macro:
            macros[macro.group(1)] = [w.strip().lower() for w in macro.group(2).split(",")]
            continue
        match = re.match(r"([^\[{]+?)\s*(\{[^}]*\})?\s*\[~?([A-Z]*)\]", line)
        if match is None or not match.group(3):
            continue
        sector = match.group(3)[:3]
        forms = [match.group(1).strip()]
        if match.group(2):
            forms.extend(match.group(2).strip("{}").split())
        for form in forms:
            for expanded in _expand_macros(form, macros):
                word = _clean_word(expanded)
                if not word or len(word) < 3:
                    continue
                agents.setdefault(word, sector)
                agents.setdefault(_plural(word), sector)
    return agents


def _expand_macros(form: str, macros: dict[str, list[str]]) -> list[str]:
    for name, values in macros.items():
        if name in form:
            return [form.replace(name, v) for v in values]
    return [form]


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("man", "men")):
        return word[:-3] + "men"
    return word + "s"


# --- the compiled index ---------------------------------------------------------------------


def _read(name: str) -> str:
    return resources.files(_PACKAGE).joinpath(*_FOLDER, name).read_text(encoding="utf-8")


def compile_index() -> dict[str, Any]:
    """Parse every shipped dictionary into the JSON-able index."""
    actors: list[dict[str, Any]] = []
    for name in ACTOR_FILES:
        actors.extend(parse_actors(_read(name)))
    return {
        "format": FORMAT_VERSION,
        **parse_verbs(_read(VERB_FILE)),
        "plover": parse_plover_table(_read(PLOVER_FILE)),
        "actors": actors,
        "agents": parse_agents(_read(AGENT_FILE)),
    }


def source_fingerprint() -> str:
    """A hash of the shipped files and of this module: a changed input, another cache file."""
    digest = hashlib.sha256(f"format={FORMAT_VERSION}".encode())
    for name in (VERB_FILE, PLOVER_FILE, *ACTOR_FILES, AGENT_FILE):
        digest.update(name.encode())
        digest.update(resources.files(_PACKAGE).joinpath(*_FOLDER, name).read_bytes())
    digest.update(resources.files(_PACKAGE).joinpath("eventdata.py").read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class PhoenixRole:
    """One coded role of a Phoenix entry (dates ISO, None when open)."""

    code: str
    sector: str | None
    start: date | None
    end: date | None

    def held_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None


@dataclass(frozen=True)
class PhoenixActor:
    """A person, organisation or armed group of the Phoenix dictionaries."""

    name: str
    person: bool
    roles: tuple[PhoenixRole, ...]

    def code_on(self, day: date | None) -> tuple[str, str | None]:
        """(code, sector) of the role held on ``day``; else the undated role, else the latest."""
        if day is not None:
            for role in self.roles:
                if role.dated and role.held_on(day):
                    return role.code, role.sector
        undated = [r for r in self.roles if not r.dated]
        if undated:
            return undated[0].code, undated[0].sector
        ordered = sorted(self.roles, key=lambda r: r.start or date.min)
        if day is not None:
            before = [r for r in ordered if (r.start or date.min) <= day]
            if before:
                return before[-1].code, before[-1].sector
        return ordered[-1].code, ordered[-1].sector


def split_code(code: str) -> tuple[str, str | None]:
    """ "AZEGOVMIL" → ("AZE", "GOV"); "IGOUNO" → ("IGO", None); "ELI" → ("", None)."""
    parts = [code[i : i + 3] for i in range(0, len(code), 3)]
    first = parts[0] if parts else ""
    if first in SECTORS - NON_STATE:
        return "", first
    sector = next((p for p in parts[1:] if p in SECTORS - {"IGO", "NGO"}), None)
    if first == "IMG" and sector is None:
        sector = "REB"
    return first, sector


@dataclass(frozen=True)
class Pattern:
    """A CAMEO verb pattern: its code, words before the verb (subject side) and after."""

    code: str | None
    before: tuple[tuple[str, ...], ...]
    after: tuple[tuple[str, ...], ...]


class EventIndex:
    """The compiled dictionaries, ready for lookups (objects are built on first use)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        self.synsets: dict[str, frozenset[str]] = {
            k: frozenset(v) for k, v in data["synsets"].items()
        }
        self.verbs: dict[str, tuple[str, str | None]] = {
            k: (v[0], v[1]) for k, v in data["verbs"].items()
        }
        self.block_codes: dict[str, str | None] = {k: v["code"] for k, v in data["blocks"].items()}
        self.plover: dict[str, tuple[str, str | None, str | None]] = {
            k: (v[0], v[1], v[2]) for k, v in data["plover"].items()
        }
        self.agents: dict[str, str] = dict(data["agents"])
        self._names: dict[str, list[int]] = {}
        self.max_name_words = 1
        for index, item in enumerate(data["actors"]):
            for name in item["names"]:
                self._names.setdefault(name, []).append(index)
                self.max_name_words = max(self.max_name_words, name.count(" ") + 1)
        self._patterns: dict[str, tuple[Pattern, ...]] = {}
        self._actors: dict[int, PhoenixActor] = {}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> EventIndex:
        return cls(data)

    def patterns(self, block: str) -> tuple[Pattern, ...]:
        """The verb + object patterns of a block, in file order."""
        found = self._patterns.get(block)
        if found is None:
            raw = self._data["blocks"].get(block, {}).get("patterns", [])
            found = tuple(
                Pattern(code, tuple(map(tuple, before)), tuple(map(tuple, after)))
                for code, before, after in raw
            )
            self._patterns[block] = found
        return found

    def knows_name(self, name: str) -> bool:
        return name in self._names

    def actors_named(self, name: str) -> list[PhoenixActor]:
        """The Phoenix entries an alias (lower case, words joined by spaces) may name."""
        out = []
        for index in self._names.get(name, ()):
            actor = self._actors.get(index)
            if actor is None:
                item = self._data["actors"][index]
                roles = []
                for code, start, end in item["roles"]:
                    country, sector = split_code(code)
                    roles.append(
                        PhoenixRole(
                            code=country, sector=sector,
                            start=date.fromisoformat(start) if start else None,
                            end=date.fromisoformat(end) if end else None,
                        )
                    )  # fmt: skip
                actor = PhoenixActor(item["names"][0], bool(item["person"]), tuple(roles))
                self._actors[index] = actor
            out.append(actor)
        return out

    def to_plover(self, cameo: str | None) -> tuple[str, str | None, str | None] | None:
        """PLOVER (type, mode, context) of a CAMEO code: the code, else its shorter parents.

        CAMEO 01 (public statements) has no PLOVER event: None.
        """
        if not cameo or not cameo[:2].isdigit():
            return None
        for size in range(len(cameo), 1, -1):
            found = self.plover.get(cameo[:size])
            if found is not None:
                return found
        return None

    def default_code(self, verb: str) -> str | None:
        """The CAMEO code a verb has without its objects: its own, else its block's."""
        found = self.verbs.get(verb)
        if found is None:
            return None
        block, own = found
        return own or self.block_codes.get(block)

    def block_of(self, verb: str) -> str | None:
        found = self.verbs.get(verb)
        return found[0] if found else None

    def element_words(self, element: tuple[str, ...]) -> list[frozenset[str]]:
        """The alternatives of each word of a pattern element ("s" sets expanded)."""
        if element[0] == "s":
            return [self.synsets.get(element[1], frozenset())]
        return [frozenset({w}) for w in element[1:]]


def _load() -> EventIndex:
    path = default_cache_dir() / f"eventdata-{source_fingerprint()}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") == FORMAT_VERSION:
            return EventIndex.from_data(data)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # absent or unreadable: compile again
    data = compile_index()
    write_atomically(path, json.dumps(data, separators=(",", ":")).encode("utf-8"))
    return EventIndex.from_data(data)


@cache
def event_index() -> EventIndex:
    """The compiled dictionaries of this process (from the cache, or compiled once)."""
    return _load()

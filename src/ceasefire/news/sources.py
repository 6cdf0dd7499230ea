"""Known outlets and wire agencies (package data), loaded once.

Agencies are credits of an article ("(AP)", "Reuters reported"); they are never actors of
the events the article reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class Outlet:
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    timezone: str | None


@dataclass(frozen=True)
class Agency:
    name: str
    aliases: tuple[str, ...]


def load_package_yaml(name: str) -> Any:
    """Read one of the YAML data files shipped in ``ceasefire/news/data``."""
    text = resources.files("ceasefire.news").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def outlets() -> tuple[Outlet, ...]:
    return tuple(
        Outlet(
            name=item["name"],
            aliases=tuple(item.get("aliases", [])),
            domains=tuple(item.get("domains", [])),
            timezone=item.get("timezone"),
        )
        for item in load_package_yaml("outlets.yaml")
    )


@cache
def agencies() -> tuple[Agency, ...]:
    return tuple(
        Agency(name=item["name"], aliases=tuple(item.get("aliases", [item["name"]])))
        for item in load_package_yaml("agencies.yaml")
    )


@cache
def agency_alias_pattern() -> re.Pattern[str]:
    """A regex matching any agency alias as a whole word (case-sensitive: "AP" not "ap")."""
    names = sorted({a for agency in agencies() for a in agency.aliases}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")


@cache
def agency_by_alias() -> dict[str, str]:
    return {alias: agency.name for agency in agencies() for alias in agency.aliases}


def outlet_in_text(text: str) -> Outlet | None:
    """The known outlet whose name or domain appears in ``text`` (a banner, a URL)."""
    lowered = text.lower()
    for outlet in outlets():
        if any(alias.lower() in lowered for alias in outlet.aliases):
            return outlet
        if any(domain in lowered for domain in outlet.domains):
            return outlet
    return None

"""What changed between two versions of an agreement document.

Provisions and zones are compared by id (ids are stable across versions), so a reworded
provision is "changed", not "removed and added"; one missing from the new version is retired.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

SECTIONS = ("provisions", "zones")


def flat_provisions(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Provision id → its fields (without its parts), parts included, in document order."""
    return {p["id"]: p for p in _walk(document.get("provisions") or [], None)}


def _walk(items: list[Any], parent: str | None) -> Iterator[dict[str, Any]]:
    for raw in items:
        fields = {k: v for k, v in raw.items() if k != "parts"}
        fields["parent"] = parent
        yield fields
        yield from _walk(raw.get("parts") or [], raw["id"])


def _zones(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {z["id"]: z for z in document.get("zones") or []}


def _compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    changed = {
        key: sorted(
            field
            for field in set(old[key]) | set(new[key])
            if old[key].get(field) != new[key].get(field)
        )
        for key in sorted(set(old) & set(new))
        if old[key] != new[key]
    }
    return {
        "added": [key for key in new if key not in old],
        "changed": changed,
        "removed": [key for key in old if key not in new],
    }


def diff_documents(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any]:
    """The changes from ``old`` (``None`` for a first version) to ``new``."""
    if old is None:
        return {
            "first_version": True,
            "fields": sorted(k for k in new if k not in SECTIONS),
            "provisions": {"added": list(flat_provisions(new)), "changed": {}, "removed": []},
            "zones": {"added": list(_zones(new)), "changed": {}, "removed": []},
        }
    fields = sorted(
        key for key in (set(old) | set(new)) - set(SECTIONS) if old.get(key) != new.get(key)
    )
    return {
        "first_version": False,
        "fields": fields,
        "provisions": _compare(flat_provisions(old), flat_provisions(new)),
        "zones": _compare(_zones(old), _zones(new)),
    }

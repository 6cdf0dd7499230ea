"""Agreement files for tests: the shipped ones, edited copies, and a malformed one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ceasefire.agreements.model import Agreement, Provision
from ceasefire.agreements.service import shipped_agreement_paths

NK_ID = "nk-2020-trilateral"
MEMO_ID = "tr-ru-2020-memorandum"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC instant, the way the agreement tests write their dates."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def shipped_path(agreement_id: str) -> Path:
    """The shipped file of ``agreement_id``."""
    return next(p for p in shipped_agreement_paths() if p.stem == agreement_id)


def shipped_text(agreement_id: str) -> str:
    return shipped_path(agreement_id).read_text(encoding="utf-8")


def provision(agreement: Agreement, provision_id: str) -> Provision:
    """``agreement``'s provision ``provision_id``, which the test expects to be there."""
    found = agreement.provision(provision_id)
    assert found is not None, f"no provision {provision_id!r} in {agreement.id}"
    return found


def edited(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` (which must occur exactly once) replaced by ``new``."""
    assert text.count(old) == 1, f"expected exactly one {old!r}"
    return text.replace(old, new)


MALFORMED_ZONE = """
zones:
  - id: bow-tie
    name: A self-intersecting polygon
    kind: buffer
    precision: test
    geometry:
      type: Polygon
      coordinates: [[[46.0, 39.0], [47.0, 40.0], [47.0, 39.0], [46.0, 40.0], [46.0, 39.0]]]
"""


def malformed_memorandum() -> str:
    """The memorandum with four planted errors, one of each kind the loader must report.

    - a date that does not exist (effective 2020-11-31),
    - an unknown party reference (obligated: XYZ),
    - a geometry that is not valid GeoJSON (self-intersecting polygon),
    - a duplicate provision id (m3 reuses m2's id).
    """
    text = shipped_text(MEMO_ID)
    text = edited(
        text,
        'effective:\n  local: "2020-11-11"',
        'effective:\n  local: "2020-11-31"',
    )
    text = edited(
        text, "    obligated: [RUS, TUR]\n\n  - id: m3", "    obligated: [XYZ]\n\n  - id: m3"
    )
    text = edited(text, "  - id: m3-uav-monitoring", "  - id: m2-parity-staffing")
    return edited(text, "\nprovisions:\n", MALFORMED_ZONE + "\nprovisions:\n")

"""docs/exports.md stays true: its columns, hashtags, event types and codes are the code's."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from ceasefire.publish.model import (
    ACLED_COLUMNS,
    ACLED_EVENT_TYPES,
    ACLED_HXL,
    SOURCE_LABELS,
    UCDP_COLUMNS,
    UCDP_HXL,
    Subject,
    acled_values,
    ucdp_row,
)
from ceasefire.reports.model import CASUALTY_KEYS, Category, Channel

DOC = (Path(__file__).resolve().parents[2] / "docs" / "exports.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = DOC.index(title)
    following = DOC.find("\n## ", start + 1)
    return DOC[start : following if following != -1 else None]


def table(text: str, header: str) -> list[list[str]]:
    """The rows of the first table in ``text`` whose header line starts with ``header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip().strip("`") for cell in line.strip("|").split("|")])
    return rows


def codes(text: str, title: str) -> set[str]:
    after = text[text.index(title) :]
    return {row[0] for row in table(after, "| code")}


ACLED = section("## ACLED-compatible CSV")
UCDP = section("## UCDP GED-style CSV")


def test_the_columns_and_hashtags_are_documented_in_order() -> None:
    acled = table(ACLED, "| column")
    assert tuple(r[0] for r in acled) == ACLED_COLUMNS
    assert {r[0]: r[1] for r in acled} == ACLED_HXL
    ucdp = table(UCDP, "| column")
    assert tuple(r[0] for r in ucdp) == UCDP_COLUMNS
    assert {r[0]: r[1] for r in ucdp} == UCDP_HXL
    for tags in (ACLED_HXL, UCDP_HXL):
        assert all(re.fullmatch(r"#[a-z0-9]+(\+[a-z0-9]+)*", t) for t in tags.values())


def test_every_category_has_its_documented_event_type() -> None:
    rows = table(ACLED, "| category")
    assert {r[0]: (r[1], r[2]) for r in rows} == ACLED_EVENT_TYPES
    assert set(ACLED_EVENT_TYPES) == {c.value for c in Category}
    labels = table(ACLED, "| channel")
    assert {r[0]: r[1] for r in labels} == SOURCE_LABELS
    assert set(SOURCE_LABELS) == {c.value for c in Channel}


estimates = st.integers(0, 50).flatmap(
    lambda best: st.tuples(st.integers(0, best), st.just(best), st.integers(best, best + 50))
)


@given(
    category=st.sampled_from([c.value for c in Category]),
    span=st.timedeltas(timedelta(0), timedelta(days=60)),
    where=st.integers(1, 7),
    channels=st.lists(st.sampled_from([c.value for c in Channel]), min_size=1, max_size=3),
    party=st.sampled_from([None, "ARM", "AZE"]),
    casualties=st.dictionaries(st.sampled_from(CASUALTY_KEYS), estimates, max_size=3),
)
def test_every_coded_value_is_a_documented_one(
    category: str,
    span: timedelta,
    where: int,
    channels: list[str],
    party: str | None,
    casualties: dict[str, tuple[int, int, int]],
) -> None:
    start = datetime(2020, 11, 26, 10, 30, tzinfo=UTC)
    subject = Subject(
        id="inc-1",
        category=category,
        start=start,
        end=start + span,
        lat=39.991,
        lon=46.927,
        place="Aghdam",
        where_prec=where,
        perpetrator=party,
        concerns=("ARM", "AZE"),
        channels=tuple(channels),
        sources=len(channels),
        notes="",
        casualties={k: {"low": v[0], "best": v[1], "high": v[2]} for k, v in casualties.items()},
        updated=start,
    )
    names = {"ARM": "Armenia", "AZE": "Azerbaijan"}
    zone = ZoneInfo("Europe/Moscow")
    # The values the export writes under the ACLED header, one per column.
    acled = dict(zip(ACLED_COLUMNS, acled_values(subject, zone, names), strict=True))
    assert acled["time_precision"] in codes(ACLED, "`time_precision`:")
    assert acled["geo_precision"] in codes(ACLED, "`geo_precision`")
    assert acled["source_scale"] in {r[0] for r in table(ACLED, "| value")}
    assert acled["inter1"] in {"", "1"}
    assert (acled["event_type"], acled["sub_event_type"]) == ACLED_EVENT_TYPES[category]
    ucdp = ucdp_row(subject, zone, names)
    assert list(ucdp) == list(UCDP_COLUMNS)
    assert ucdp["date_prec"] in codes(UCDP, "`date_prec`:")
    assert ucdp["type_of_violence"] in {"1", "3"}
    assert int(ucdp["low"]) <= int(ucdp["best"]) <= int(ucdp["high"])
    assert int(ucdp["best"]) == int(acled["fatalities"])

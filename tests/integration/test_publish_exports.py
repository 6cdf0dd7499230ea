"""Exports on both backends: what each reader gets, the formats, and incremental feeds."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from geojson_pydantic import FeatureCollection

from ceasefire.access import Classification, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput
from ceasefire.incidents import service as incidents
from ceasefire.publish.model import ACLED_COLUMNS, UCDP_COLUMNS, Dataset, ExportFormat, apply_feed
from ceasefire.reports import service as reports
from tests.factories.members import Cast
from tests.factories.publish import SCENARIO, Day, export_text, make_day, report_body

OPERATOR = Viewer.cli_operator()
PUBLIC = Viewer.public()


@pytest.fixture
def day(ctx: ServiceContext, cast: Cast) -> Day:
    return make_day(ctx, cast)


def feed(
    ctx: ServiceContext, viewer: Viewer, dataset: Dataset, **kw: Any
) -> tuple[Any, list[dict[str, Any]]]:
    export, text = export_text(ctx, viewer, dataset, ExportFormat.JSONL, **kw)
    return export, [json.loads(line) for line in text.splitlines()]


def mirror_of(lines: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    mirror: dict[str, dict[str, Any]] = {}
    apply_feed(mirror, lines)
    return mirror


def test_a_public_export_holds_public_records_only(ctx: ServiceContext, day: Day) -> None:
    public_ids = {day.ids[n] for n, c in day.classification.items() if c is Classification.PUBLIC}
    _, text = export_text(ctx, PUBLIC, Dataset.INCIDENTS, ExportFormat.ACLED)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["event_id_cnty"] for r in rows} == public_ids
    shelling = next(r for r in rows if r["event_id_cnty"] == day.ids["shelling"])
    assert shelling["event_type"] == "Explosions/Remote violence"
    assert shelling["sub_event_type"] == "Shelling/artillery/missile attack"
    assert shelling["fatalities"] == "2"
    assert shelling["event_date"] == "2020-11-26"
    assert shelling["latitude"] == "39.991"
    assert shelling["source_scale"] == "International"
    # Names of persons are redacted from the public notes.
    assert "Ayşe Demir" not in text
    for dataset in (Dataset.INCIDENTS, Dataset.REPORTS):
        _, everything = export_text(ctx, PUBLIC, dataset, ExportFormat.JSONL)
        # The monitors' observer position (39.97, 47.05) and the reporter never appear.
        assert "39.97," not in everything
        assert "47.05" not in everything
        assert "Demir" not in everything
        assert "internal" not in everything
        assert "shared" not in everything


def test_a_liaison_exports_only_what_it_may_read(ctx: ServiceContext, cast: Cast, day: Day) -> None:
    armenia = cast.viewer(ctx, "arm")
    _, lines = feed(ctx, armenia, Dataset.INCIDENTS)
    seen = {line["id"] for line in lines[1:]}
    # Shared records concern ARM and AZE here, so Armenia's liaison reads them; never the
    # internal one.
    assert day.ids["clash"] in seen
    assert day.ids["checkpoint"] not in seen
    _, everything = feed(ctx, OPERATOR, Dataset.INCIDENTS)
    assert {line["id"] for line in everything[1:]} == set(day.ids.values())


def test_ucdp_and_hxl_rows(ctx: ServiceContext, day: Day) -> None:
    _, text = export_text(ctx, OPERATOR, Dataset.INCIDENTS, ExportFormat.UCDP, hxl=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == UCDP_COLUMNS
    assert all(tag.startswith("#") for tag in rows[1])
    by_id = {r[0]: dict(zip(UCDP_COLUMNS, r, strict=True)) for r in rows[2:]}
    shelling = by_id[day.ids["shelling"]]
    assert (shelling["low"], shelling["best"], shelling["high"]) == ("1", "2", "3")
    assert shelling["deaths_civilians"] == "2"
    assert shelling["where_prec"] == "2"
    assert shelling["date_prec"] == "1"
    _, acled = export_text(ctx, OPERATOR, Dataset.REPORTS, ExportFormat.ACLED, hxl=True)
    header, tags = list(csv.reader(io.StringIO(acled)))[:2]
    assert tuple(header) == ACLED_COLUMNS
    assert tags[0] == "#event+id"
    with pytest.raises(InvalidInput):
        export_text(ctx, OPERATOR, Dataset.INCIDENTS, ExportFormat.GEOJSON, hxl=True)
    with pytest.raises(InvalidInput):
        export_text(ctx, OPERATOR, Dataset.REPORTS, ExportFormat.GEOJSON)


def test_geojson_exports_follow_rfc_7946(ctx: ServiceContext, day: Day) -> None:
    for dataset, viewer in (
        (Dataset.INCIDENTS, OPERATOR),
        (Dataset.INCIDENTS, PUBLIC),
        (Dataset.ZONES, PUBLIC),
        (Dataset.POSTS, OPERATOR),
    ):
        _, text = export_text(ctx, viewer, dataset, ExportFormat.GEOJSON)
        document = json.loads(text)
        collection: FeatureCollection[Any] = FeatureCollection.model_validate(document)
        assert collection.features, dataset
        for feature in document["features"]:
            geometry = feature["geometry"]
            if geometry and geometry["type"] == "Point":
                lon, lat = geometry["coordinates"]
                assert -180 <= lon <= 180
                assert -90 <= lat <= 90
            assert "crs" not in feature
    _, posts = export_text(ctx, PUBLIC, Dataset.POSTS, ExportFormat.GEOJSON)
    # The demo's one post is public (its site was announced); a shared one would not be.
    assert [f["id"] for f in json.loads(posts)["features"]] == ["jmc-giyamaddinli"]


@pytest.mark.parametrize("who", ["operator", "public"])
def test_an_incremental_feed_keeps_a_mirror_exact(
    ctx: ServiceContext, cast: Cast, day: Day, who: str
) -> None:
    viewer = OPERATOR if who == "operator" else PUBLIC
    turkey = cast.viewer(ctx, "tur")
    first, lines = feed(ctx, viewer, Dataset.INCIDENTS)
    first_reports, report_lines = feed(ctx, viewer, Dataset.REPORTS)
    mirror, report_mirror = mirror_of(lines), mirror_of(report_lines)
    assert lines[0]["reset"] is True
    assert first.as_of is not None

    # Corrections: a title edited, a public incident made internal, a report moved from
    # one incident into a new one (a split), a new incident.
    incidents.edit_incident(ctx, turkey, day.ids["exchange"], title="Exchange of 12 detainees")
    incidents.classify(
        ctx, turkey, day.ids["yesterday"], Classification.INTERNAL, reason="under review"
    )
    extra = reports.submit_report(ctx, turkey, report_body(SCENARIO[0])).report
    incidents.add_reports(ctx, turkey, day.ids["shelling"], [extra.id])
    incidents.remove_report(ctx, turkey, day.ids["shelling"], extra.id, reason="a second event")
    incidents.create_incident(
        ctx,
        turkey,
        report_ids=[extra.id],
        title="Second shelling",
        classification=Classification.PUBLIC,
    )

    _, delta = feed(ctx, viewer, Dataset.INCIDENTS, since=first.as_of)
    _, report_delta = feed(ctx, viewer, Dataset.REPORTS, since=first_reports.as_of)
    assert delta[0]["reset"] is False
    ops = {(line["op"], line["id"]) for line in delta[1:]}
    if who == "public":
        assert ("delete", day.ids["yesterday"]) in ops
    # Only what changed travels: the edited, reclassified, split and new incidents.
    assert len(delta) - 1 == 4
    apply_feed(mirror, delta)
    apply_feed(report_mirror, report_delta)

    _, full = feed(ctx, viewer, Dataset.INCIDENTS)
    _, full_reports = feed(ctx, viewer, Dataset.REPORTS)
    assert mirror == mirror_of(full)
    assert report_mirror == mirror_of(full_reports)


def test_a_feed_names_no_record_its_reader_never_saw(
    ctx: ServiceContext, cast: Cast, day: Day
) -> None:
    first, _ = feed(ctx, PUBLIC, Dataset.INCIDENTS)
    incidents.edit_incident(
        ctx, cast.viewer(ctx, "tur"), day.ids["checkpoint"], title="Checkpoint, second look"
    )
    _, delta = feed(ctx, PUBLIC, Dataset.INCIDENTS, since=first.as_of)
    assert all(line.get("id") != day.ids["checkpoint"] for line in delta)


def test_acled_admin_columns_come_from_the_gazetteer(ctx: ServiceContext, day: Day) -> None:
    _, text = export_text(ctx, OPERATOR, Dataset.INCIDENTS, ExportFormat.ACLED)
    rows = {r["event_id_cnty"]: r for r in csv.DictReader(io.StringIO(text))}
    admin = {
        name: (rows[day.ids[name]]["admin1"], rows[day.ids[name]]["admin2"])
        for name in ("shelling", "clash", "checkpoint", "exchange")
    }
    # Aghdam, Lachin, Kalbajar and Khankendi are each the seat of a rayon of that name.
    assert admin == {
        "shelling": ("Aghdam", ""),
        "clash": ("Laçın", ""),
        "checkpoint": ("Kalbajar", ""),
        "exchange": ("Khankendi", ""),
    }
    assert all(r["admin3"] == "" for r in rows.values())
    # UCDP's columns have no administrative units.
    _, ucdp = export_text(ctx, OPERATOR, Dataset.INCIDENTS, ExportFormat.UCDP)
    assert "Laçın" not in ucdp

"""The agreement file format: the shipped files, the located error reports, the geometry."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from ceasefire.agreements.construction import constructed_geometries
from ceasefire.agreements.geometry import (
    LocalProjection,
    geojson_problems,
)
from ceasefire.agreements.loader import (
    CheckedDocument,
    agreement_schema,
    check_text,
    content_hash,
)
from ceasefire.agreements.model import PartyRole, ProvisionKind, ProvisionStatus
from ceasefire.agreements.versions import diff_documents
from ceasefire.agreements.yamlmap import load_located
from ceasefire.errors import InvalidInput
from ceasefire.fusion.model import distance_m
from tests.factories.agreements import (
    MEMO_ID,
    NK_ID,
    edited,
    malformed_memorandum,
    provision,
    shipped_text,
    utc,
)


@pytest.fixture(scope="module")
def nk_checked() -> CheckedDocument:
    return check_text(shipped_text(NK_ID), "nk-2020-trilateral.yaml")


def test_both_shipped_files_are_valid() -> None:
    for agreement_id in (NK_ID, MEMO_ID):
        checked = check_text(shipped_text(agreement_id), f"{agreement_id}.yaml")
        assert [p.message for p in checked.problems] == []
        assert checked.agreement is not None
        assert checked.agreement.id == agreement_id


def test_the_2020_statement_carries_the_domain_facts(nk_checked: CheckedDocument) -> None:
    nk = nk_checked.agreement
    assert nk is not None
    assert [p.number for p in nk.provisions] == [str(n) for n in range(1, 10)]
    assert nk.effective.at == utc(2020, 11, 9, 21, 0)
    assert (nk.effective.local, nk.effective.time_zone) == ("2020-11-10T00:00", "Europe/Moscow")
    assert {p.code for p in nk.parties} >= {"AZE", "ARM", "RUS", "UNHCR"}
    russia = nk.party("RUS")
    assert russia is not None
    assert PartyRole.SIGNATORY in russia.roles

    kalbajar = provision(nk, "p6-kalbajar")
    assert kalbajar.deadline is not None
    assert kalbajar.deadline.due == date(2020, 11, 25)
    (amendment,) = kalbajar.deadline.amendments
    assert amendment.previous == date(2020, 11, 15)
    assert amendment.requested_by == "ARM"
    assert amendment.reason
    assert amendment.evidence

    assert provision(nk, "p3-peacekeepers").quantities == {
        "troops": 1960,
        "armoured_personnel_carriers": 90,
        "vehicles_and_special_equipment": 380,
    }
    return_text = provision(nk, "p7-return").text
    assert "UNHCR" in return_text or "Refugees" in return_text
    assert provision(nk, "p9-transport-links").disputed is not None
    assert any(d.about == ("p2-aghdam",) and "Gazakh" in d.description for d in nk.disagreements)
    assert nk.term is not None
    assert nk.term.initial.expires == date(2025, 11, 10)
    assert nk.term.initial.notice_deadline == date(2025, 5, 10)
    assert nk.term.automatic_renewal

    statuses = {
        pid: provision(nk, pid).status_as_of(utc(2020, 11, 21))
        for pid in ("p2-aghdam", "p6-kalbajar", "p6-lachin")
    }
    assert statuses == {
        "p2-aghdam": ProvisionStatus.FULFILLED,
        "p6-kalbajar": ProvisionStatus.PENDING,
        "p6-lachin": ProvisionStatus.PENDING,
    }
    assert provision(nk, "p6-kalbajar").status_as_of(utc(2020, 11, 26)) is ProvisionStatus.FULFILLED
    assert provision(nk, "p6-lachin").status_as_of(utc(2020, 12, 2)) is ProvisionStatus.FULFILLED
    for pid in ("p2-aghdam", "p6-kalbajar", "p6-lachin"):
        (change,) = provision(nk, pid).status_history
        assert change.evidence, pid


def test_the_memorandum_sets_up_the_monitoring_centre() -> None:
    memo = check_text(shipped_text(MEMO_ID), "memo.yaml").agreement
    assert memo is not None
    assert {p.kind for p in memo.provisions} == {ProvisionKind.MONITORING_BODY}
    texts = " ".join(p.text for p in memo.provisions)
    assert "equal numbers" in texts
    assert "unmanned aerial vehicles" in texts
    assert "complaints by the parties" in texts
    assert memo.references == (NK_ID,)
    assert any("36 to 39" in d.description for d in memo.disagreements)


def test_the_corridor_is_5_km_wide_along_stepanakert_lachin_goris(
    nk_checked: CheckedDocument,
) -> None:
    assert nk_checked.agreement is not None
    zones = {z.id: z for z in nk_checked.agreement.zones}
    corridor = shape(zones["lachin-corridor"].geometry)
    stepanakert, lachin, goris, shusha = (
        (46.753, 39.818),
        (46.550, 39.637),
        (46.342, 39.511),
        (
            46.750,
            39.760,
        ),
    )
    for town in (stepanakert, lachin, goris):
        assert corridor.contains(Point(town))
    assert not corridor.contains(Point(shusha)), "the corridor bypasses Shusha"
    projection = LocalProjection.around([stepanakert, lachin, goris])
    metric = projection.to_metres(corridor)
    line = projection.to_metres(
        shape({"type": "LineString", "coordinates": [stepanakert, lachin, goris]})
    )
    # area ≈ 5 km × length + the round caps (π r²) within the approximation of the buffer
    expected = 5000 * line.length + 3.14159 * 2500**2
    assert metric.area == pytest.approx(expected, rel=0.01)
    assert "Approximate" in zones["lachin-corridor"].precision


def test_each_zone_geometry_is_what_its_construction_computes(nk_checked: CheckedDocument) -> None:
    recomputed = constructed_geometries(nk_checked.data)
    assert nk_checked.agreement is not None
    zones = {z.id: z for z in nk_checked.agreement.zones}
    assert set(recomputed) == set(zones)
    for zone_id, geometry in recomputed.items():
        stored, fresh = shape(zones[zone_id].geometry), shape(geometry)
        assert stored.symmetric_difference(fresh).area < 1e-8, zone_id
    lachin_district = shape(zones["lachin-district"].geometry)
    assert not lachin_district.contains(Point(46.550, 39.637)), "corridor cut out of the district"


def test_local_projection_round_trips_and_measures() -> None:
    projection = LocalProjection(46.55, 39.64)
    for lon, lat in [(46.753, 39.818), (46.342, 39.511), (46.55, 39.64)]:
        x, y = projection.forward(lon, lat)
        back = projection.inverse(x, y)
        assert back == pytest.approx((lon, lat), abs=1e-9)
        assert (x * x + y * y) ** 0.5 == pytest.approx(
            distance_m(39.64, 46.55, lat, lon), rel=1e-9, abs=1e-6
        )


# -- errors -------------------------------------------------------------------------------------


def test_a_malformed_file_reports_every_problem_with_line_and_path() -> None:
    checked = check_text(malformed_memorandum(), "bad.yaml")
    assert checked.agreement is None
    messages = " | ".join(p.message for p in checked.problems)
    assert "not a real date or time: '2020-11-31'" in messages
    assert "unknown party 'XYZ'" in messages
    assert "not valid GeoJSON" in messages
    assert "duplicate provision id 'm2-parity-staffing'" in messages
    assert len(checked.problems) == 4, checked.problems
    text_lines = malformed_memorandum().splitlines()
    for p in checked.problems:
        assert p.file == "bad.yaml"
        assert p.line is not None
        detail = p.to_problem()
        assert detail["loc"].startswith(f"bad.yaml:{p.line} ")
        assert detail["field"]
    date_problem = next(p for p in checked.problems if "2020-11-31" in p.message)
    assert date_problem.line is not None
    assert "2020-11-31" in text_lines[date_problem.line - 1]
    party_problem = next(p for p in checked.problems if "XYZ" in p.message)
    assert party_problem.line is not None
    assert "XYZ" in text_lines[party_problem.line - 1]
    with pytest.raises(InvalidInput) as raised:
        checked.raise_if_invalid()
    assert len(raised.value.details) == 4


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("kind: memorandum", "kind: treaty", "'treaty' is not one of"),
        ("title: >-", "titel: >-", "unknown field"),
        (
            '  local: "2020-11-11"\n  note: Signed',
            '  local: "11 Nov 2020"\n  note: Signed',
            "match",
        ),
        ("time_zone: Europe/Moscow", "time_zone: Europe/Atlantis", "unknown time zone"),
        (
            "    roles: [signatory, monitor]\n  - code: TUR",
            "    roles: [boss]\n  - code: TUR",
            "boss",
        ),
        ("      - source: russia-mod\n", "      - source: tass\n", "unknown source 'tass'"),
    ],
)
def test_single_problems_are_named(old: str, new: str, expected: str) -> None:
    checked = check_text(edited(shipped_text(MEMO_ID), old, new), "m.yaml")
    assert checked.agreement is None
    assert any(expected in p.message for p in checked.problems), checked.problems


@pytest.mark.parametrize(
    ("old", "new", "path", "expected"),
    [
        (
            "zones: [aghdam-district]\n    categories",
            "zones: [agdam-district]\n    categories",
            "rules[0].zones[0]",
            "no zone 'agdam-district'",
        ),
        (
            "categories: [hostilities]\n    from: {fulfilled: p2",
            "categories: [fireworks]\n    from: {fulfilled: p2",
            "rules[0].categories[0]",
            "unknown 'fireworks'",
        ),
        ("exempt_actors: [RUS]", "exempt_actors: [XYZ]", "rules[3].exempt_actors[0]", "XYZ"),
        ("    exempt_actors: [RUS]\n", "", "rules[3].exempt_actors", "names the force"),
        (
            "provisions: [p2-aghdam,",
            "provisions: [p1-ceasefire,",
            "rules[4].provisions[0]",
            "has no deadline",
        ),
        (
            "rule: compliance.deadline_overdue.v1",
            "rule: compliance.deadline_overdue.v9",
            "rules[4].rule",
            "is not one of",
        ),
        (
            "    margin_m: 500\n",
            "    margin_m: 500\n    colour: red\n",
            "rules[3]",
            "unknown field",
        ),
    ],
)
def test_rule_problems_name_the_field_and_line(
    old: str, new: str, path: str, expected: str
) -> None:
    checked = check_text(edited(shipped_text(NK_ID), old, new), "nk.yaml")
    assert checked.agreement is None
    found = [p for p in checked.problems if expected in p.message]
    assert found, checked.problems
    assert found[0].location.endswith(path), found[0].location
    assert found[0].line is not None
    assert found[0].line > 300


def test_a_line_of_contact_must_cite_its_source() -> None:
    zone = (
        "  - id: loc\n    name: Line of contact\n    kind: line_of_contact\n"
        "    precision: test\n    geometry: {type: LineString, coordinates: "
        "[[46.5, 39.5], [46.9, 39.9]]}\n"
    )
    text = edited(shipped_text(NK_ID), "\nprovisions:\n", "\n" + zone + "\nprovisions:\n")
    uncited = check_text(text, "nk.yaml")
    assert [p.message for p in uncited.problems] == ["a line of contact must cite its sources"]
    cited = check_text(
        edited(text, "    precision: test\n", "    precision: test\n    sources: [pa-x-2324]\n"),
        "nk.yaml",
    )
    assert cited.problems == []


def test_yaml_syntax_errors_and_duplicate_keys_have_lines() -> None:
    broken = check_text("format: ceasefire-agreement/1\nid: [unclosed\n", "x.yaml")
    assert broken.problems[0].line is not None
    assert "YAML syntax" in broken.problems[0].message
    doubled = check_text(
        edited(shipped_text(MEMO_ID), "kind: memorandum\n", "kind: memorandum\nkind: other\n"),
        "d.yaml",
    )
    assert any("duplicate key 'kind'" in p.message for p in doubled.problems)
    assert check_text("", "empty.yaml").problems[0].message == "the file is empty"


def test_amendment_chain_and_parts_rules() -> None:
    text = shipped_text(NK_ID)
    broken_chain = edited(
        text, '              due: "2020-11-25"', '              due: "2020-11-24"'
    )
    checked = check_text(broken_chain, "nk.yaml")
    assert any("amendment chain" in p.message for p in checked.problems)
    status_on_point = edited(
        text,
        "    title: Kalbajar and Lachin districts returned; the Lachin corridor\n",
        "    title: Kalbajar and Lachin districts returned; the Lachin corridor\n"
        '    deadline:\n      due: "2020-12-01"\n',
    )
    checked = check_text(status_on_point, "nk.yaml")
    assert any("has no deadline of its own" in p.message for p in checked.problems)


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]}, "at least 4"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "not closed"),
        ({"type": "Point", "coordinates": [200, 10]}, "longitude 200"),
        ({"type": "Point", "coordinates": ["a", 1]}, "position"),
        ({"type": "Circle", "coordinates": [0, 0]}, "not one of"),
        ({"type": "LineString"}, "no coordinates"),
        ("POLYGON((0 0, 1 0, 1 1, 0 0))", "GeoJSON object"),
    ],
)
def test_geojson_problems(geometry: object, expected: str) -> None:
    assert any(expected in p for p in geojson_problems(geometry))


def test_a_geometry_of_too_many_positions_is_refused_before_it_is_read() -> None:
    ring = [[0.0, i / 200_000] for i in range(100_002)] + [[0.0, 0.0]]
    assert geojson_problems({"type": "Polygon", "coordinates": [ring]}) == [
        "Polygon has more than 100000 positions; simplify it"
    ]
    many = [[[[0, 0], [1, 0], [1, 1], [0, 0]]]] * 30_000
    assert "more than 100000" in geojson_problems({"type": "MultiPolygon", "coordinates": many})[0]


def test_position_problems_are_listed_up_to_twenty() -> None:
    line = [[200, 0]] * 50
    problems = geojson_problems({"type": "LineString", "coordinates": line})
    assert len(problems) == 21
    assert problems[-1] == "and 30 more"


def test_valid_geojson_has_no_problems() -> None:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    assert geojson_problems(square) == []
    assert geojson_problems({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}) == []


# -- format plumbing ----------------------------------------------------------------------------


def test_aliases_of_lists_and_mappings_are_refused_so_parsing_stays_linear() -> None:
    # An alias inside its own anchor never ended (RecursionError); a list as a key too.
    for text in ("a: &x [*x]\n", "a: &x [1]\n? *x\n: 2\n"):
        assert load_located(text).problems, text
    # Nine lines, each aliasing the one before nine times: 9**9 values when expanded.
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    laughs = check_text("\n".join(lines) + "\n", "laughs.yaml")
    refused = [p for p in laughs.problems if "an alias of the list or mapping" in p.message]
    assert refused
    assert (refused[0].line, refused[0].path) == (2, ("a1", 0))
    deep = "a:\n" + "".join(" " * depth + "b:\n" for depth in range(1, 200)) + " " * 200 + "c\n"
    assert any("nested deeper than" in p[2] for p in load_located(deep).problems)
    # Aliases of scalars are what the shipped files use them for.
    assert load_located("x: &p text\ny: *p\n").data == {"x": "text", "y": "text"}


def test_yaml_keeps_dates_as_text_and_lines_per_path() -> None:
    located = load_located("a:\n  - b: 2020-11-10\n  - c: 1\n")
    assert located.data == {"a": [{"b": "2020-11-10"}, {"c": 1}]}
    assert located.lines[("a", 1, "c")] == 3
    assert located.line_of(("a", 0, "b", "deeper")) == 2


def test_content_hash_ignores_formatting_but_not_content() -> None:
    text = shipped_text(MEMO_ID)
    reformatted = "# a new comment\n" + text.replace(
        "roles: [signatory, monitor]", "roles:\n      - signatory\n      - monitor"
    )
    a = check_text(text, "a").data
    assert content_hash(a) == content_hash(check_text(reformatted, "b").data)
    changed = edited(text, "in equal numbers", "in equal numbers (parity)")
    assert content_hash(a) != content_hash(check_text(changed, "c").data)


def test_version_diff_names_changed_added_and_retired_provisions() -> None:
    old = check_text(shipped_text(MEMO_ID), "a").data
    new = json.loads(json.dumps(old))
    new["provisions"][1]["text"] = "Changed."
    del new["provisions"][3]
    new["provisions"].append({**old["provisions"][0], "id": "m5-new", "number": "5"})
    diff = diff_documents(old, new)
    assert diff["provisions"]["changed"] == {"m2-parity-staffing": ["text"]}
    assert diff["provisions"]["removed"] == ["m4-complaints"]
    assert diff["provisions"]["added"] == ["m5-new"]
    assert diff_documents(None, old)["first_version"] is True


def test_the_schema_is_shipped_and_self_consistent() -> None:
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    schema = agreement_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["format"]["const"] == "ceasefire-agreement/1"


# -- the format document is checked against the code ---------------------------------------------

FORMAT_DOC = Path(__file__).resolve().parents[2] / "docs" / "agreement-format.md"


def test_the_documented_example_is_a_valid_agreement() -> None:
    text = FORMAT_DOC.read_text(encoding="utf-8")
    example = text.split("A minimal file:\n\n```yaml\n", 1)[1].split("```", 1)[0]
    checked = check_text(example, "example.yaml")
    assert [p.message for p in checked.problems] == []


def test_every_schema_field_is_documented() -> None:
    text = FORMAT_DOC.read_text(encoding="utf-8")
    schema = agreement_schema()
    defs = schema["$defs"]
    objects = [
        schema,
        schema["properties"]["parties"]["items"],
        schema["properties"]["term"],
        schema["properties"]["sources"]["items"],
        schema["properties"]["source_disagreements"]["items"],
        defs["zone"],
        defs["deadline"],
        defs["deadline"]["properties"]["amendments"]["items"],
        defs["status_change"],
        defs["provision"],
        defs["evidence"],
        defs["rule"],
    ]
    fenced = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    prose = re.sub(r"```[a-z]*\n.*?```", "", text, flags=re.S)
    spans = re.findall(r"`([^`]+)`", prose) + fenced
    documented = {word for span in spans for word in re.findall(r"[a-z_]+", span)}
    missing = sorted({name for obj in objects for name in obj["properties"]} - documented)
    assert missing == []

"""A report names the observation post and the sensor it came from (``post_id``,
``sensor_id``): references to records of the members area, checked as an adversarial
member would probe them.

At filing, on every intake path (API, group commit, web form, CSV import), a post or sensor
that does not exist and one the filer may not read get the same answer (404 naming the
field, "unknown post"), a sensor named with a post must be that post's, and a detection
comes from a sensor of the filer's own member. On reading, a reader of the report who may
not read its post (a party liaison, a shared post) gets the report without the post, the
sensor and the content hash, on every surface and in the ledger.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError, NotFound
from ceasefire.incidents import service as incidents
from ceasefire.members import posts
from ceasefire.members.model import Sensor, SensorKind
from ceasefire.members.scope import ReadScope
from ceasefire.reports import imports
from ceasefire.reports import service as reports
from ceasefire.web import csrf
from ceasefire.web.session import SESSION_COOKIE
from tests.factories.members import OPERATOR, Cast, add_posts, demo_cast
from tests.factories.reports import COMPLAINT as COMPLAINT_FIELDS
from tests.factories.reports import (
    CSV_HEADER,
    csv_row,
    shelling_body,
    web_report_form,
    write_csv,
)

COMPLAINT: dict[str, Any] = {**COMPLAINT_FIELDS, "means": []}
UNKNOWN_POST = [{"loc": "post_id", "message": "unknown post"}]
UNKNOWN_SENSOR = [{"loc": "sensor_id", "message": "unknown sensor"}]


@pytest.fixture(scope="module")
def cast(module_ctx: ServiceContext) -> Cast:
    """The demo members, Turkey's shared and internal posts, a camera on each, once per
    backend (the tests only add reports)."""
    found = demo_cast(module_ctx)
    add_posts(module_ctx, "tur-op-1", owners=("tur",))
    add_posts(module_ctx, "tur-op-2", owners=("tur",))
    add_posts(module_ctx, "tur-int-1", owners=("tur",), classification=Classification.INTERNAL)
    for camera, post in (("tur-cam-1", "tur-op-1"), ("tur-cam-int", "tur-int-1")):
        posts.add_sensor(
            module_ctx, OPERATOR, Sensor(camera, SensorKind.CAMERA, camera, post_id=post)
        )
    return found


@pytest.fixture(scope="module")
def client(module_ctx: ServiceContext, cast: Cast) -> TestClient:
    return TestClient(create_app(ctx=module_ctx))


def _file(client: TestClient, cast: Cast, who: str, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/reports", json=body, headers=cast.bearer(who))


def _page_as(client: TestClient, cast: Cast, who: str, path: str) -> Any:
    """A web page as ``who``'s signed-in browser gets it (200 expected)."""
    client.cookies.set(SESSION_COOKIE, cast.tokens[who])
    try:
        page = client.get(path)
    finally:
        client.cookies.clear()
    assert page.status_code == 200, page.text
    return page


def _error(response: Any) -> tuple[int, Any]:
    return response.status_code, response.json()["error"]["details"]


def test_a_liaison_cannot_name_a_post_it_may_not_read(client: TestClient, cast: Cast) -> None:
    """Armenia's liaison may not read Turkey's shared or internal post (``GET
    /api/v1/posts/{id}`` answers 404): naming it in a complaint is answered exactly as naming
    a post that does not exist, and nothing is filed."""
    for hidden in ("tur-op-1", "tur-int-1"):
        assert client.get(f"/api/v1/posts/{hidden}", headers=cast.bearer("arm")).is_error
    answers = {
        post: _error(_file(client, cast, "arm", shelling_body(**COMPLAINT, post_id=post)))
        for post in ("tur-op-1", "tur-int-1", "no-such-post")
    }
    assert set(map(repr, answers.values())) == {repr((404, UNKNOWN_POST))}, answers
    # A post it may read (the public Joint Monitoring Centre) is fine.
    filed = _file(client, cast, "arm", shelling_body(**COMPLAINT, post_id="jmc-giyamaddinli"))
    assert filed.status_code == 201, filed.text


def test_a_liaison_cannot_name_a_sensor_it_may_not_read(client: TestClient, cast: Cast) -> None:
    # Turkey's UAV is shared (monitors and observers read it); a camera on an internal post.
    answers = {
        sensor: _error(_file(client, cast, "aze", shelling_body(**COMPLAINT, sensor_id=sensor)))
        for sensor in ("tur-uav-1", "tur-cam-int", "no-such-sensor")
    }
    assert set(map(repr, answers.values())) == {repr((404, UNKNOWN_SENSOR))}, answers


def test_a_detection_comes_from_a_sensor_of_the_filers_member(
    client: TestClient, cast: Cast
) -> None:
    """Russia reads Turkey's UAV but may not file its detections; a sensor named with a post
    must be that post's; Turkey files its own UAV's detection."""
    detection = {"channel": "sensor_detection", "means": ["uav"], "classification": "internal"}
    refused = _file(client, cast, "rus", shelling_body(**detection, sensor_id="tur-uav-1"))
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["details"][0]["loc"] == "sensor_id"
    # A monitor reads a camera on Turkey's internal post: only its owners file from it.
    assert (
        _file(client, cast, "rus", shelling_body(**detection, sensor_id="tur-cam-int")).status_code
        == 403
    )
    elsewhere = _file(
        client, cast, "tur", shelling_body(**detection, sensor_id="tur-cam-1", post_id="tur-op-2")
    )
    assert elsewhere.status_code == 422, elsewhere.text
    assert elsewhere.json()["error"]["details"][0]["loc"] == "sensor_id"
    member_uav_on_a_post = _file(
        client, cast, "tur", shelling_body(**detection, sensor_id="tur-uav-1", post_id="tur-op-1")
    )
    assert member_uav_on_a_post.status_code == 422
    for body in (
        shelling_body(**detection, sensor_id="tur-uav-1"),
        shelling_body(**detection, sensor_id="tur-cam-1", post_id="tur-op-1"),
    ):
        filed = _file(client, cast, "tur", body)
        assert filed.status_code == 201, filed.text


def test_a_monitor_files_from_a_post_it_may_read(client: TestClient, cast: Cast) -> None:
    """Reading is the bar for a post: Russia files from Turkey's shared post (a joint
    centre's monitors share posts), not from one that does not exist."""
    assert _error(_file(client, cast, "rus", shelling_body(post_id="tur-op-9"))) == (
        404,
        UNKNOWN_POST,
    )
    filed = _file(client, cast, "rus", shelling_body(post_id="tur-op-1"))
    assert filed.status_code == 201, filed.text
    assert filed.json()["post_id"] == "tur-op-1"


def test_in_a_batch_only_the_report_naming_a_hidden_post_fails(
    module_ctx: ServiceContext, cast: Cast
) -> None:
    arm = cast.viewer(module_ctx, "arm")
    bodies = [
        shelling_body(**COMPLAINT, narrative="first"),
        shelling_body(**COMPLAINT, narrative="second", post_id="tur-op-1"),
        shelling_body(**COMPLAINT, narrative="third", post_id="jmc-giyamaddinli"),
    ]
    outcomes = reports.file_reports(module_ctx, [reports.Submission(b, viewer=arm) for b in bodies])
    assert [isinstance(o, CeasefireError) for o in outcomes] == [False, True, False]
    assert isinstance(outcomes[1], NotFound)
    assert outcomes[1].details == UNKNOWN_POST


def test_the_web_form_refuses_a_hidden_post(client: TestClient, cast: Cast) -> None:
    client.cookies.set(SESSION_COOKIE, cast.tokens["arm"])
    try:
        page = client.post(
            "/reports/new",
            data=web_report_form(
                csrf_token=csrf.token_for(cast.tokens["arm"]),
                idempotency_key="web-hidden-post",
                channel="party_complaint",
                alleged_perpetrator="aze",
                post_id="tur-op-1",
            ),
            follow_redirects=False,
        )
    finally:
        client.cookies.clear()
    assert page.status_code == 404, page.text
    assert "unknown post" in page.text  # the form again, the field's problem beside it


def test_a_csv_import_rejects_only_the_rows_naming_what_the_importer_may_not(
    module_ctx: ServiceContext, cast: Cast, tmp_path: Path
) -> None:
    """Russia imports three rows: one from a post that does not exist, one from Turkey's UAV
    (Russia's may not file its detections): each is an error of its own row and column; with
    ``skip_invalid`` the good row is imported and the other two rejected with their reasons."""
    header = [*CSV_HEADER, "post_id", "sensor_id", "channel"]
    rows = [
        csv_row(1, post_id="tur-op-1", sensor_id="", channel=""),
        csv_row(2, post_id="no-such-post", sensor_id="", channel=""),
        csv_row(3, post_id="", sensor_id="tur-uav-1", channel="sensor_detection", means="uav"),
    ]
    rus = cast.viewer(module_ctx, "rus")
    path = write_csv(tmp_path / "rows.csv", rows, header)
    with pytest.raises(CeasefireError) as refused:
        imports.import_csv(module_ctx, rus, path)
    problems = {(d["row"], d["column"]) for d in refused.value.details}
    assert problems == {(2, "post_id"), (3, "sensor_id")}, refused.value.details
    result = imports.import_csv(module_ctx, rus, path, skip_invalid=True)
    assert (result.imported, result.rejected) == (1, 2)
    assert result.rejects_path is not None
    rejected = list(csv.DictReader(io.StringIO(Path(result.rejects_path).read_text())))
    assert [(r["row"], "unknown post" in r["reasons"]) for r in rejected] == [
        ("2", True),
        ("3", False),
    ]


def test_a_liaison_reads_a_shared_report_without_the_post_it_may_not_read(
    client: TestClient, module_ctx: ServiceContext, cast: Cast
) -> None:
    """Turkey files a shared report (concerning both parties) from its shared post: Armenia's
    liaison reads the report, but not the post, the sensor nor the hash that would confirm a
    guessed post id, through the API, the exports' records and the ledger; an observer, who
    reads the post, sees them all."""
    filed = _file(
        client,
        cast,
        "tur",
        shelling_body(sensor_id="tur-cam-1", post_id="tur-op-1", narrative="From op 1."),
    )
    assert filed.status_code == 201, filed.text
    report_id = filed.json()["id"]
    arm, fra = cast.bearer("arm"), cast.bearer("fra")

    one = client.get(f"/api/v1/reports/{report_id}", headers=arm).json()
    assert (one["post_id"], one["sensor_id"], one["content_sha256"]) == (None, None, None)
    assert one["narrative"] == "From op 1."  # the rest of the report is read as before
    (listed,) = [
        r
        for r in client.get("/api/v1/reports", headers=arm).json()["items"]
        if r["id"] == report_id
    ]
    assert listed["post_id"] is None
    assert listed["content_sha256"] is None
    seen = client.get(f"/api/v1/reports/{report_id}", headers=fra).json()
    assert (seen["post_id"], seen["sensor_id"]) == ("tur-op-1", "tur-cam-1")
    assert seen["content_sha256"]

    with module_ctx.reader() as session:
        scope = ReadScope.load(session, cast.viewer(module_ctx, "arm"))
        (record,) = reports.report_records(session, scope, ids=[report_id])
    assert (record["post_id"], record["sensor_id"], record["content_sha256"]) == (None,) * 3

    page = _page_as(client, cast, "arm", f"/reports/{report_id}")
    assert seen["content_sha256"] not in page.text
    assert "tur-op-1" not in page.text

    def received(headers: dict[str, str]) -> dict[str, Any]:
        (entry,) = client.get(
            "/api/v1/ledger",
            params={"subject": f"report/{report_id}", "limit": 100},
            headers=headers,
        ).json()["entries"]
        return entry  # type: ignore[no-any-return]

    assert received(arm)["payload_withheld"] is True
    assert received(fra)["payload"]["content_sha256"] == seen["content_sha256"]


def test_a_post_filed_before_it_was_registered_is_no_longer_possible(
    module_ctx: ServiceContext, cast: Cast
) -> None:
    """Once the post exists and the filer reads it, the same report is accepted: the answer
    depended on the post, not on the body."""
    tur = cast.viewer(module_ctx, "tur")
    body = shelling_body(post_id="tur-op-late", client_report_id="late-1")
    with pytest.raises(NotFound):
        reports.submit_report(module_ctx, tur, body)
    add_posts(module_ctx, "tur-op-late", owners=("tur",))
    assert reports.submit_report(module_ctx, tur, body).created


def test_an_incidents_reports_and_sources_do_not_name_a_post_the_reader_may_not_read(
    client: TestClient, module_ctx: ServiceContext, cast: Cast
) -> None:
    """A shared incident shows its reports, and its corroboration lists its independent
    sources by key: for a monitor's report, its post. Armenia's liaison reads the incident
    and the report, and counts the source, but not the post's id (API and web page); an
    observer reads it."""
    turkey = cast.viewer(module_ctx, "tur")
    report = reports.submit_report(
        module_ctx, turkey, shelling_body(post_id="tur-op-2", narrative="From op 2.")
    ).report
    incident = incidents.create_incident(
        module_ctx,
        turkey,
        report_ids=[report.id],
        title="Shelling seen from op 2",
        classification=Classification.SHARED,
    )
    (grouped,) = client.get(f"/api/v1/incidents/{incident.id}", headers=cast.bearer("arm")).json()[
        "reports"
    ]
    assert (grouped["id"], grouped["post_id"], grouped["content_sha256"]) == (report.id, None, None)
    url = f"/api/v1/incidents/{incident.id}/fusion"
    shown = client.get(url, headers=cast.bearer("arm")).json()
    assert shown["independent_sources"] == 1
    assert [s["key"] for s in shown["sources"]] == [None]
    assert "tur-op-2" not in json.dumps(shown)
    seen = client.get(url, headers=cast.bearer("fra")).json()
    assert [s["key"] for s in seen["sources"]] == ["tur-op-2"]
    page = _page_as(client, cast, "arm", f"/incidents/{incident.id}")
    assert "tur-op-2" not in page.text

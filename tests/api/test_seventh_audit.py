"""The seventh adversarial audit: the sixth one's leftovers (a task id in clear in the
automatic status change, an import's filename in clear, an earlier text's digest read by a
monitor of one agreement only). Each test is one finding, failing before its fix."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.agreements import service as agreements
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.incidents.events import IncidentTag
from ceasefire.ledger import service as ledger
from ceasefire.ledger.entry import text_sha256
from ceasefire.reports import imports
from tests.api.test_cross_agreement import AGREEMENT_B, make_monitor_of_b
from tests.api.test_fifth_audit import (
    MASK,
    _entries,
    _hidden_records,
    _page,
    _shared_incident_edited,
)
from tests.api.test_fourth_audit import append_as_before, read_only_by_monitors
from tests.api.test_sixth_audit import _of_incident
from tests.factories.members import Cast
from tests.factories.reports import csv_row, incident_of, shelling_body, write_csv

STATUS = (IncidentTag.STATUS_CHANGED.value,)
TITLED = (IncidentTag.CREATED.value, IncidentTag.EDITED.value)


def test_the_automatic_status_change_names_no_task(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Assigning the first task moves a reported incident under investigation; that entry
    held ``reason: "task tsk-… assigned"`` in clear, read by every reader of the incident,
    though a task is internal (its own entry is the monitors'). The reason now names no
    task; entries of the earlier format are read only by the incident's monitors, and
    ``ledger verify`` (chain and state) still passes over both."""
    turkey = cast.viewer(ctx, "tur")
    _, shared = incident_of(ctx, turkey, classification=Classification.SHARED)
    task = incidents.assign_task(ctx, turkey, shared, team=["Maj. Ivan Petrov"]).id
    for member in ("arm", "fra", "tur"):
        [entry] = _of_incident(client, cast, member, shared, STATUS)
        assert not entry["payload_withheld"], (member, entry)
        assert entry["payload"]["to"] == "under_investigation"
        assert task not in str(entry), (member, entry)
    old = {
        "incident_id": shared,
        "from": "reported",
        "to": "under_investigation",
        "attribution": {"from": "pending", "to": "pending"},
        "reason": f"task {task} assigned",
    }
    seq = append_as_before(ctx, IncidentTag.STATUS_CHANGED, shared, old)
    read_only_by_monitors(client, cast, f"subject=incident/{shared}", seq, old)
    assert ledger.verify(ctx).ok


def test_an_import_batchs_filename_names_only_records_the_reader_may_read(
    client: TestClient, ctx: ServiceContext, cast: Cast, tmp_path: Path
) -> None:
    """An import batch's entry holds the CSV's filename in clear, read by whoever reads
    every report of the batch: Turkey's monitor imports shared reports concerning Armenia
    from "inc-… follow-up.csv" (an internal incident). Armenia's liaison read the id. The
    entry is now judged on its filename as an attachment's is: withheld from that reader,
    read by it when the filename names nothing hidden from it."""
    _, hidden_incident = _hidden_records(ctx, cast)
    turkey = cast.viewer(ctx, "tur")
    shared = {"classification": "shared", "concerns": "ARM;AZE"}
    named = write_csv(tmp_path / f"{hidden_incident} follow-up.csv", [csv_row(1, **shared)])
    plain = write_csv(tmp_path / "follow-up.csv", [csv_row(2, **shared)])
    batches = [imports.import_csv(ctx, turkey, path).file_sha256 for path in (named, plain)]
    for member, readable in (("arm", [False, True]), ("tur", [True, True])):
        read = [_entries(client, cast, member, f"subject=import/{sha}") for sha in batches]
        assert [len(entries) for entries in read] == [1, 1]
        assert [not entries[0]["payload_withheld"] for entries in read] == readable, member
        if member == "arm":
            assert hidden_incident not in str(read)
    [[mine], _] = [_entries(client, cast, "tur", f"subject=import/{sha}") for sha in batches]
    assert mine["payload"]["filename"] == named.name


def test_an_earlier_texts_digest_is_read_only_by_a_monitor_of_every_agreement(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The sixth audit withholds a ``created``/``edited`` entry digesting an earlier title
    from readers who are not the incident's monitors. Turkey, which also monitors agreement
    B, titles a shared incident of A "as in inc-…" (an internal incident of B), then edits
    it: Russia's monitor (of A only) read the earlier title's digest and confirmed the id
    of B's incident from the ids the headers show. An earlier text could name a record of
    any agreement, so its digest (and an unsalted reason's, of the earlier format) is now
    read only by a monitor of every agreement."""
    agreements.load_shipped(ctx)
    make_monitor_of_b(ctx, "tur")
    _, hidden = incident_of(ctx, cast.viewer(ctx, "tur"), shelling_body(agreement_id=AGREEMENT_B))
    named = f"Shelling, as in {hidden}"
    shared = _shared_incident_edited(client, ctx, cast, title=named)
    edited = client.patch(
        f"/api/v1/incidents/{shared}", json={"title": "Shelling"}, headers=cast.bearer("tur")
    )
    assert edited.status_code == 200, edited.text
    old = {
        "incident_id": shared,
        "from": "shared",
        "to": "shared",
        "reason_sha256": text_sha256(f"as agreed in {hidden}"),
    }
    seq = append_as_before(ctx, IncidentTag.CLASSIFIED, shared, old)
    for member, withheld in (("rus", [True, True, False]), ("tur", [False, False, False])):
        entries = _of_incident(client, cast, member, shared, TITLED)
        assert [e["payload_withheld"] for e in entries] == withheld, member
        [reasoned] = [
            e
            for e in _entries(client, cast, member, f"subject=incident/{shared}")
            if e["seq"] == seq
        ]
        assert reasoned["payload_withheld"] is (member == "rus"), member
    assert text_sha256(named) not in str(_of_incident(client, cast, "rus", shared, TITLED))


def test_a_tasks_instructions_and_findings_name_only_records_the_reader_may_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """A field team's instructions and findings are shown to the incident's monitors, in
    clear: Turkey, which also monitors agreement B, sends a team to an incident of A "as in
    inc-…" (an internal incident of B) and records its findings "same craters as inc-…".
    Russia's monitor (of A only) read B's id on the incident (API, page), and the task's
    completion entry (``findings_sha256``) would confirm it. They are masked as the
    incident's other free text is, and that entry withheld from that reader."""
    agreements.load_shipped(ctx)
    make_monitor_of_b(ctx, "tur")
    turkey = cast.viewer(ctx, "tur")
    _, hidden = incident_of(ctx, turkey, shelling_body(agreement_id=AGREEMENT_B))
    _, incident = incident_of(ctx, turkey)
    task = incidents.assign_task(
        ctx, turkey, incident, team=["Maj. Ivan Petrov"], instructions=f"as in {hidden}"
    ).id
    incidents.complete_task(ctx, turkey, task, findings=f"same craters as {hidden}")
    done = (IncidentTag.TASK_COMPLETED.value,)
    for member, masked in (("rus", True), ("tur", False)):
        shown = client.get(f"/api/v1/incidents/{incident}", headers=cast.bearer(member))
        assert shown.status_code == 200, shown.text
        [seen] = shown.json()["tasks"]
        name = MASK if masked else hidden
        assert (seen["instructions"], seen["findings"]) == (
            f"as in {name}",
            f"same craters as {name}",
        ), member
        assert (hidden in _page(client, cast, member, f"/incidents/{incident}")) is not masked
        [entry] = _of_incident(client, cast, member, incident, done)
        assert entry["payload_withheld"] is masked, member

"""The fourth adversarial audit: the third one's leftovers (the decision's ledger entry, old
digests, ids typed into free text), then what a party liaison, an observer or another
organisation's monitor could still learn. Each test is one finding, failing before its
fix."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from ceasefire.access import Classification, Viewer
from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.alerts import service as alerts
from ceasefire.compliance import service as compliance
from ceasefire.db.context import ServiceContext
from ceasefire.fusion import service as fusion
from ceasefire.incidents import service as incidents
from ceasefire.incidents.events import IncidentTag
from ceasefire.incidents.model import Attribution, OccurrenceStatus, Stance
from ceasefire.ledger.canonical import canonical_json
from ceasefire.ledger.entry import sha256_hex
from ceasefire.ledger.service import append
from ceasefire.reports.model import canonical_sha256
from ceasefire.web.session import SESSION_COOKIE
from tests.factories.agreements import MEMO_ID, shipped_text
from tests.factories.members import Cast, grant_monitor
from tests.factories.reports import COMPLAINT, incident_of, shelling_body

AGREEMENT = "nk-2020-trilateral"


def _decided(client: TestClient, cast: Cast, who: str, incident_id: str) -> list[Any]:
    response = client.get(
        f"/api/v1/ledger?subject=incident/{incident_id}&tag={IncidentTag.DECIDED.value}",
        headers=cast.bearer(who),
    )
    assert response.status_code == 200, response.text
    return list(response.json()["entries"])


def _settled_against_a_dissent(ctx: ServiceContext, cast: Cast) -> str:
    """A shared incident Turkey (presiding) settles against Russia's dissent, both views
    internal: its readers see the finding, not that the monitors disagreed."""
    turkey, russia = cast.viewer(ctx, "tur"), cast.viewer(ctx, "rus")
    incidents.set_decision_rule(
        ctx, Viewer.cli_operator(), AGREEMENT, {"kind": "presiding_member", "presiding": "tur"}
    )
    _, incident_id = incident_of(ctx, turkey, classification=Classification.SHARED)
    incidents.change_status(
        ctx, turkey, incident_id, OccurrenceStatus.UNDER_INVESTIGATION, reason="a team goes"
    )
    incidents.assess(ctx, russia, incident_id, stance=Stance.DISSENT, rationale="No footage")
    incidents.assess(
        ctx,
        turkey,
        incident_id,
        stance=Stance.CONCUR,
        rationale="UAV",
        status=OccurrenceStatus.VERIFIED,
        attribution=Attribution.parse("attributed(ARM)"),
    )
    return incident_id


def test_the_decisions_ledger_entry_names_no_settler_nor_counts_views_a_reader_may_not_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The incident's page shows Armenia's liaison and France's observer a decision with no
    views, no reason and no ``settled_by`` (the second audit). Its ``intake:incident:decided``
    entry, whose payload they read (they read the incident), must not tell them either:
    ``settled_by: "tur"`` says the monitors disagreed and Turkey's view prevailed, and
    ``views: 2`` that two monitors assessed it."""
    incident_id = _settled_against_a_dissent(ctx, cast)
    shown = client.get(f"/api/v1/incidents/{incident_id}", headers=cast.bearer("arm")).json()
    assert (shown["decision"]["state"], shown["decision"]["settled_by"]) == ("decided", None)
    for member in ("arm", "fra"):
        entries = _decided(client, cast, member, incident_id)
        assert entries, "the liaison reads the incident's decision"
        for entry in entries:
            decision = entry["payload"]["decision"]
            assert "settled_by" not in decision, decision
            assert "views" not in decision, decision
            assert decision["state"] in ("pending", "disputed", "decided")


def test_the_decisions_digests_confirm_no_guess_of_the_views(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The entry keeps the views and the reason behind digests. A digest over the views
    alone (assessment id, member, stance, finding: a small space once the ids are guessed,
    and their random part is 39 bits within a millisecond the entry's header dates) lets a
    reader confirm a guess of who held which view. Here the reader is given the exact views
    (as Turkey's monitor reads them): neither digest may confirm them."""
    incident_id = _settled_against_a_dissent(ctx, cast)
    decision = client.get(f"/api/v1/incidents/{incident_id}", headers=cast.bearer("tur")).json()[
        "decision"
    ]
    assert decision["settled_by"] == "tur"
    assert len(decision["views"]) == 2
    assert "digest_salt" not in decision
    [last, *_] = reversed(_decided(client, cast, "arm", incident_id))
    digests = last["payload"]["decision"]
    assert digests["views_sha256"] != canonical_sha256(decision["views"])
    assert digests["reason_sha256"] != canonical_sha256(
        {"reason": decision["reason"], "views": decision["views"]}
    )


def append_as_before(
    ctx: ServiceContext, tag: IncidentTag, incident_id: str, payload: dict[str, Any]
) -> int:
    """An entry of ``incident_id`` in a format an earlier release wrote (its seq)."""
    with ctx.unit_of_work() as session:
        return append(
            session,
            ctx.settings,
            tag=tag.value,
            subject=f"incident/{incident_id}",
            payload=payload,
            actor=Actor.centre(),
        )


def read_only_by_monitors(
    client: TestClient, cast: Cast, query: str, seq: int, payload: dict[str, Any]
) -> None:
    """Entry ``seq`` (of the ledger's ``query``) is read as ``payload`` by Turkey's and
    Russia's monitors, withheld from Armenia's liaison and France's observer."""
    for member in ("tur", "rus", "arm", "fra"):
        response = client.get(f"/api/v1/ledger?{query}", headers=cast.bearer(member))
        assert response.status_code == 200, response.text
        [shown] = [e["payload"] for e in response.json()["entries"] if e["seq"] == seq]
        # (written by today's writer, which adds the nonce every incident's type declares)
        if shown is not None:
            shown = {k: v for k, v in shown.items() if k != "nonce"}
        assert shown == (payload if member in ("tur", "rus") else None), member


def test_a_decided_entry_of_the_earlier_format_is_read_only_by_readers_of_every_view(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Entries written before this audit (and before the second one) are in the ledger for
    good: ``settled_by`` and the number of views in clear, and digests a guess confirms
    (``reason_sha256`` of the reason alone, before the second audit). The entry cannot be
    rewritten (the chain is signed); its payload is withheld from a reader who may not read
    every assessment of the incident, as an internal assessment's own entry is."""
    incident_id = _settled_against_a_dissent(ctx, cast)
    old = {
        "incident_id": incident_id,
        "decision": {
            "state": "decided",
            "rule": "presiding_member",
            "finding": None,
            "settled_by": "tur",
            "views": 2,
            "views_sha256": "0" * 64,
            "reason_sha256": "1" * 64,
        },
        "status": {"from": "verified", "to": "verified"},
        "attribution": {"from": "attributed(ARM)", "to": "attributed(ARM)"},
    }
    seq = append_as_before(ctx, IncidentTag.DECIDED, incident_id, old)
    read_only_by_monitors(client, cast, f"subject=incident/{incident_id}", seq, old)


def test_free_text_names_to_a_reader_only_the_records_it_may_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Turkey's monitor writes, on a shared incident, a shared note, a shared assessment and
    (in the incident's summary) "see rep-… and inc-…", naming an internal report and an
    internal incident. Armenia's liaison and France's observer read the texts; the ids would
    tell them that the hidden records exist (``GET`` answers them 404). Free text stays free
    (a write is not refused: a monitor may cite what the monitors read), but a reader is
    shown the id of a record only if it may read it, ``[…]`` otherwise; the web page links
    the ids that remain."""
    turkey = cast.viewer(ctx, "tur")
    hidden_report, hidden_incident = incident_of(
        ctx, turkey, shelling_body(classification="internal")
    )
    shared_report, shared_incident = incident_of(
        ctx, turkey, shelling_body(), classification=Classification.SHARED
    )
    cite = f"see {hidden_report}, {hidden_incident} and {shared_report}"
    incidents.change_status(
        ctx, turkey, shared_incident, OccurrenceStatus.UNDER_INVESTIGATION, reason="a team goes"
    )
    incidents.add_note(
        ctx, turkey, shared_incident, text=cite, classification=Classification.SHARED
    )
    incidents.assess(
        ctx,
        turkey,
        shared_incident,
        stance=Stance.ABSTAIN,
        rationale=cite,
        evidence_refs=[f"report:{hidden_report}", shared_report],
        classification=Classification.SHARED,
    )
    edited = client.patch(
        f"/api/v1/incidents/{shared_incident}", json={"summary": cite}, headers=cast.bearer("tur")
    )
    assert edited.status_code == 200, edited.text
    for member in ("arm", "fra"):
        shown = client.get(f"/api/v1/incidents/{shared_incident}", headers=cast.bearer(member))
        assert shown.status_code == 200, shown.text
        assert hidden_report not in shown.text
        assert hidden_incident not in shown.text
        body = shown.json()
        [note] = body["notes"]
        [view] = body["assessments"]
        assert note["text"] == view["rationale"] == body["summary"]
        assert note["text"] == f"see […], […] and {shared_report}"
        assert view["evidence_refs"] == ["report:[…]", shared_report]
        listed = client.get("/api/v1/incidents", headers=cast.bearer(member))
        assert listed.status_code == 200, listed.text
        assert hidden_report not in listed.text
        assert hidden_incident not in listed.text
    mine = client.get(f"/api/v1/incidents/{shared_incident}", headers=cast.bearer("tur")).json()
    assert mine["notes"][0]["text"] == mine["summary"] == cite

    # The web page: the liaison sees no hidden id; the monitor sees every id, linked.
    for member, shown_ids, hidden_ids in (
        ("arm", (shared_report,), (hidden_report, hidden_incident)),
        ("tur", (shared_report, hidden_report, hidden_incident), ()),
    ):
        client.cookies.set(SESSION_COOKIE, cast.tokens[member])
        page = client.get(f"/incidents/{shared_incident}", headers={"Accept": "text/html"})
        client.cookies.clear()
        assert page.status_code == 200, page.text
        for record_id in hidden_ids:
            assert record_id not in page.text
        for record_id in shown_ids:
            kind = "reports" if record_id.startswith("rep-") else "incidents"
            assert f'<a href="/{kind}/{record_id}">{record_id}</a>' in page.text


def test_evidence_refs_of_a_reply_or_an_assessment_cite_only_records_their_author_reads(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """A reply's and an assessment's ``evidence_refs`` are references to records, checked
    where every reference is (as a provision status's evidence since the third audit):
    Armenia's liaison replying on a shared incident and citing Turkey's internal report is
    answered exactly as for an id that does not exist (404 naming the field), nothing
    written; a monitor citing a record of another kind (a finding) is refused (422)."""
    turkey = cast.viewer(ctx, "tur")
    hidden_report, _ = incident_of(ctx, turkey, shelling_body(classification="internal"))
    _, shared_incident = incident_of(
        ctx, turkey, shelling_body(), classification=Classification.SHARED
    )
    replies = f"/api/v1/incidents/{shared_incident}/replies"
    made_up = hidden_report[:4] + "0" * (len(hidden_report) - 4)
    refused, absent = (
        client.post(
            replies,
            json={"text": "Not us.", "evidence_refs": ["MoD statement", f"report:{ref}"]},
            headers=cast.bearer("arm"),
        )
        for ref in (hidden_report, made_up)
    )
    assert refused.status_code == absent.status_code == 404, refused.text
    assert refused.json()["error"]["details"][0]["loc"] == "evidence_refs.1"
    assert refused.text.replace(hidden_report, "ID") == absent.text.replace(made_up, "ID")
    assert client.get(replies, headers=cast.bearer("tur")).json() == []
    incidents.change_status(
        ctx, turkey, shared_incident, OccurrenceStatus.UNDER_INVESTIGATION, reason="a team goes"
    )
    assessed = client.post(
        f"/api/v1/incidents/{shared_incident}/assessments",
        json={"stance": "abstain", "rationale": "see", "evidence_refs": ["fnd-" + made_up[4:]]},
        headers=cast.bearer("tur"),
    )
    assert assessed.status_code == 422, assessed.text
    assert assessed.json()["error"]["details"][0]["loc"] == "evidence_refs.0"
    accepted = client.post(
        replies,
        json={"text": "Not us.", "evidence_refs": ["MoD statement"]},
        headers=cast.bearer("arm"),
    )
    assert accepted.status_code == 201, accepted.text


UAV_MONITORING = f"/api/v1/agreements/{MEMO_ID}/provisions/m3-uav-monitoring"


def test_a_status_note_names_only_records_its_recorder_may_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The third audit checked a status's ``evidence[].ref`` and left its notes free: France,
    which monitors the memorandum (public statuses) but only observes the statement, could
    still publish the id of the statement's internal incident in the status ``note`` or an
    evidence ``note`` ("as in inc-…"), and learn from the 201 (against a 404 for a made-up
    id) that it exists. Every text of a status is now checked as its refs are."""
    agreements.load_text(
        ctx, shipped_text(MEMO_ID), source_name=f"{MEMO_ID}.yaml", actor=Actor.centre()
    )
    grant_monitor(ctx, "fra", MEMO_ID)
    _, hidden = incident_of(ctx, cast.viewer(ctx, "tur"), shelling_body(classification="internal"))
    made_up = hidden[:4] + "0" * (len(hidden) - 4)

    def record(day: int, *, note: str | None = None, evidence_note: str | None = None) -> Any:
        evidence: dict[str, str] = {"ref": "JMC log"}
        if evidence_note is not None:
            evidence["note"] = evidence_note
        return client.post(
            f"{UAV_MONITORING}/status",
            headers=cast.bearer("fra"),
            json={
                "status": "in_progress",
                "local": f"2021-02-{day:02d}",
                "time_zone": "Asia/Baku",
                "evidence": [evidence],
                **({"note": note} if note is not None else {}),
            },
        )

    for field, keyword in (("note", "note"), ("evidence[0].note", "evidence_note")):
        refused, absent = (record(1, **{keyword: f"as in {ref}"}) for ref in (hidden, made_up))
        assert refused.status_code == absent.status_code == 404, refused.text
        assert refused.json()["error"]["details"][0]["loc"] == field
        assert refused.text.replace(hidden, "ID") == absent.text.replace(made_up, "ID")
    history = client.get(f"{UAV_MONITORING}/history", headers=cast.bearer("fra")).json()
    assert hidden not in str(history)
    kept = record(2, note="UAV flights resumed", evidence_note="log 2/2")
    assert kept.status_code == 201, kept.text


def test_an_analysts_merge_reason_names_only_records_the_reader_may_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Turkey's monitor merges two shared incidents, giving as its reason "same barrage as
    inc-…", an internal incident. The decision is shown to Armenia's liaison (it reads the
    incidents and the reports moved), in ``GET /api/v1/incidents/{id}/fusion`` and ``GET
    /api/v1/fusion/decisions/{id}``: the reason is free text, shown with the ids of records
    the reader may read only."""
    turkey = cast.viewer(ctx, "tur")
    _, hidden = incident_of(ctx, turkey, shelling_body(classification="internal"))
    _, target = incident_of(ctx, turkey, classification=Classification.SHARED)
    _, source = incident_of(ctx, turkey, classification=Classification.SHARED)
    why = f"same barrage as {hidden}"
    decision = fusion.merge(ctx, turkey, target, source, reason=why).id
    for member, expected in (("arm", "same barrage as [\u2026]"), ("tur", why)):
        summary = client.get(f"/api/v1/incidents/{target}/fusion", headers=cast.bearer(member))
        one = client.get(f"/api/v1/fusion/decisions/{decision}", headers=cast.bearer(member))
        assert summary.status_code == one.status_code == 200, summary.text + one.text
        [merged] = [d for d in summary.json()["decisions"] if d["id"] == decision]
        assert merged["evidence"]["reason"] == one.json()["evidence"]["reason"] == expected


def test_a_withheld_incident_entry_cannot_be_confirmed_from_its_header(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Every member reads every entry's header, and the header holds ``payload_hash``, the
    SHA-256 of the payload withheld from it. Armenia's liaison files a complaint; Turkey's
    monitors group it into an internal incident, then add a second complaint of Armenia's.
    The ``intake:incident:reports-added`` payload is ``{"incident_id", "report_ids"}``: the
    incident id is the header's subject and the report ids are Armenia's own, so hashing a
    guess per complaint would tell Armenia which hidden incident holds its complaint (what
    ``incident_id: null`` on its reports withholds since the second audit). An incident's
    payloads carry a random nonce, so that no guess of the rest, however good, is confirmed:
    here the guess is the payload exactly as Turkey reads it, less the nonce."""
    turkey = cast.viewer(ctx, "tur")
    complaint, hidden = incident_of(
        ctx, turkey, shelling_body(**COMPLAINT), filer=cast.viewer(ctx, "arm")
    )
    second = client.post(
        "/api/v1/reports", json=shelling_body(**COMPLAINT), headers=cast.bearer("arm")
    ).json()["id"]
    incidents.add_reports(ctx, turkey, hidden, [second])

    def entries(member: str) -> list[Any]:
        response = client.get(
            f"/api/v1/ledger?subject=incident/{hidden}", headers=cast.bearer(member)
        )
        assert response.status_code == 200, response.text
        return list(response.json()["entries"])

    seen = entries("arm")
    assert {e["tag"] for e in seen} >= {IncidentTag.CREATED.value, IncidentTag.REPORTS_ADDED.value}
    assert all(e["payload_withheld"] for e in seen)
    guesses = {sha256_hex(canonical_json({"incident_id": hidden, "report_ids": [second]}))}
    for full in entries("tur"):
        known = {k: v for k, v in full["payload"].items() if k != "nonce"}
        guesses.add(sha256_hex(canonical_json(known)))
    assert complaint in str(entries("tur"))
    assert not guesses & {e["payload_hash"] for e in seen}


def _confirmable(client: TestClient, cast: Cast, reader: str, query: str) -> list[str]:
    """The tags of the entries of ``query`` withheld from ``reader`` whose header's payload
    hash a guess confirms: the payload as Turkey's monitor reads it, less any nonce."""

    def entries(member: str) -> list[Any]:
        response = client.get(f"/api/v1/ledger?{query}", headers=cast.bearer(member))
        assert response.status_code == 200, response.text
        return list(response.json()["entries"])

    full = {e["seq"]: e["payload"] for e in entries("tur")}
    withheld = [e for e in entries(reader) if e["payload_withheld"]]
    assert withheld, "the reader reads no payload of these entries"
    return [
        e["tag"]
        for e in withheld
        if sha256_hex(canonical_json({k: v for k, v in full[e["seq"]].items() if k != "nonce"}))
        == e["payload_hash"]
    ]


def test_a_withheld_merge_or_finding_cannot_be_confirmed_from_its_header(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The same guess against other areas' entries about hidden incidents. An analyst's
    merge of two internal incidents, one holding Armenia's complaint, with no reason: its
    ``fusion:`` payload is the decision id (the subject), the kind, Armenia's own report
    ids, two incident ids read in headers, the digest of ``{"decision": "merged", "by":
    "analyst", "reason": null}``. A compliance finding's withdrawal (``compliance:``) is the
    finding id (the subject), one incident id and one of four causes; its recording, the
    agreement's public rules, provisions and zones. Both carry a nonce too."""
    agreements.load_shipped(ctx)
    turkey = cast.viewer(ctx, "tur")
    _, target = incident_of(ctx, turkey, shelling_body(**COMPLAINT), filer=cast.viewer(ctx, "arm"))
    _, source = incident_of(ctx, turkey, shelling_body(**COMPLAINT), filer=cast.viewer(ctx, "arm"))
    decision = fusion.merge(ctx, turkey, target, source).id
    assert _confirmable(client, cast, "arm", f"subject=fusion/{decision}") == []

    # Exact shelling in Aghdam after its handover: a breach of the statement's point 1,
    # found and then withdrawn when the place is made vague.
    body = shelling_body(
        observed={"start": "2020-11-26T10:30:00Z", "end": "2020-11-26T10:50:00Z"},
        event_position={"place_name": "Aghdam", "precision": 1, "lat": 39.991, "lon": 46.927},
        classification="internal",
    )
    _, hidden = incident_of(ctx, turkey, body)
    found = client.get(f"/api/v1/incidents/{hidden}/findings", headers=cast.bearer("tur"))
    assert found.status_code == 200, found.text
    assert found.json(), "the rule found a breach"
    incidents.classify(ctx, turkey, hidden, Classification.SHARED, reason="to the parties")
    incidents.classify(ctx, turkey, hidden, Classification.INTERNAL, reason="back")
    compliance.evaluate(ctx, turkey, AGREEMENT)
    assert _confirmable(client, cast, "arm", "tag=compliance:") == []


def test_a_withheld_alert_or_subscription_cannot_be_confirmed_from_its_header(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The alerts' payloads are withheld from whoever may not read the alert (a casualty
    alert about an internal incident) or the subscription (another member's: its address is
    kept as a digest "which a guess would confirm"). The header's payload hash confirmed the
    same guess of the whole payload: the subscription's ids, user and member are in headers,
    its kinds, areas, severity and channel a few values, its address a guess; an alert's
    incident is a subject read in headers, its summary a sentence of figures."""
    subscribed = client.post(
        "/api/v1/alerts/subscriptions",
        json={"channel": "email", "target": "duty@tur.example.org"},
        headers=cast.bearer("tur"),
    )
    assert subscribed.status_code == 201, subscribed.text
    turkey = cast.viewer(ctx, "tur")
    incident_of(ctx, turkey, shelling_body(casualties={"injured_military": 3}))
    alerts.scan(ctx)
    assert _confirmable(client, cast, "arm", "tag=alerts:") == []

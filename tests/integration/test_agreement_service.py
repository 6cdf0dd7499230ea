"""Loading agreement files into the register: versions, idempotence, history, the ledger."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ceasefire.access import Viewer
from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.agreements.events import AgreementTag
from ceasefire.agreements.model import Evidence, ProvisionStatus
from ceasefire.agreements.tables import (
    AgreementRow,
    AgreementVersionRow,
    DeadlineAmendmentRow,
    ProvisionRow,
    ProvisionStatusChangeRow,
    ZoneRow,
)
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput, NotFound
from ceasefire.ledger.tables import LedgerEntryRow
from tests.factories.agreements import (
    MEMO_ID,
    NK_ID,
    edited,
    malformed_memorandum,
    provision,
    shipped_path,
    shipped_text,
    utc,
)

ACTOR = Actor.centre()
OPERATOR = Viewer.cli_operator()
TABLES = (
    AgreementRow,
    AgreementVersionRow,
    ProvisionRow,
    ProvisionStatusChangeRow,
    DeadlineAmendmentRow,
    ZoneRow,
    LedgerEntryRow,
)


def counts(ctx: ServiceContext) -> dict[str, int]:
    with ctx.reader() as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
            for t in TABLES
        }


def ledger_entries(ctx: ServiceContext, tag: str) -> list[tuple[int, dict[str, Any]]]:
    with ctx.reader() as session:
        rows = session.execute(
            select(LedgerEntryRow.seq, LedgerEntryRow.payload)
            .where(LedgerEntryRow.tag == tag)
            .order_by(LedgerEntryRow.seq)
        ).all()
    return [(seq, json.loads(payload)) for seq, payload in rows]


def load_text(ctx: ServiceContext, text: str, name: str = "nk.yaml") -> agreements.LoadResult:
    return agreements.load_text(ctx, text, source_name=name, actor=ACTOR)


def test_loading_is_idempotent(ctx: ServiceContext) -> None:
    first = agreements.load_file(ctx, shipped_path(NK_ID), actor=ACTOR)
    assert (first.version, first.new_version) == (1, True)
    assert first.amendments_recorded == 1
    assert first.status_changes_recorded == 3
    before = counts(ctx)
    again = agreements.load_file(ctx, shipped_path(NK_ID), actor=ACTOR)
    assert (again.version, again.new_version) == (1, False)
    assert counts(ctx) == before
    reformatted = "# only a comment added\n" + shipped_text(NK_ID)
    assert load_text(ctx, reformatted).new_version is False
    assert counts(ctx) == before


def test_the_stored_agreement_meets_the_acceptance_facts(ctx: ServiceContext) -> None:
    agreements.load_shipped(ctx)
    stored = agreements.get_agreement(ctx, NK_ID)
    nk = stored.agreement
    assert len(nk.provisions) == 9
    kalbajar = nk.provision("p6-kalbajar")
    assert kalbajar is not None
    assert kalbajar.deadline is not None
    assert kalbajar.deadline.due == date(2020, 11, 25)
    assert [a.previous for a in kalbajar.deadline.amendments] == [date(2020, 11, 15)]
    at = utc(2020, 11, 21)
    assert {
        pid: provision(nk, pid).status_as_of(at)
        for pid in ("p2-aghdam", "p6-kalbajar", "p6-lachin")
    } == {
        "p2-aghdam": ProvisionStatus.FULFILLED,
        "p6-kalbajar": ProvisionStatus.PENDING,
        "p6-lachin": ProvisionStatus.PENDING,
    }
    assert kalbajar.status_as_of(utc(2020, 11, 26)) is ProvisionStatus.FULFILLED
    assert nk.term is not None
    assert nk.term.initial.notice_deadline == date(2025, 5, 10)
    listed = {a.id: a for a in agreements.list_agreements(ctx)}
    assert set(listed) == {NK_ID, MEMO_ID}
    assert listed[NK_ID].provisions == 9


def test_each_state_change_has_a_matching_ledger_entry(ctx: ServiceContext) -> None:
    agreements.load_shipped(ctx)
    with ctx.reader() as session:
        rows = session.scalars(
            select(ProvisionStatusChangeRow).order_by(ProvisionStatusChangeRow.id)
        ).all()
        amendments = session.scalars(select(DeadlineAmendmentRow)).all()
        versions = session.scalars(select(AgreementVersionRow)).all()
        session.expunge_all()  # keep the loaded values readable after the session ends
    status_entries = dict(ledger_entries(ctx, AgreementTag.PROVISION_STATUS_CHANGED))
    assert len(rows) == len(status_entries) == 4
    for row in rows:
        payload = status_entries[row.ledger_seq]
        assert payload["agreement_id"] == row.agreement_id
        assert payload["provision_id"] == row.provision_id
        assert payload["status"] == row.status
        assert datetime.fromisoformat(payload["at"]) == row.at
        assert payload["evidence"] == row.evidence
        assert payload["evidence"], "every status change rests on evidence"
    amendment_entries = dict(ledger_entries(ctx, AgreementTag.DEADLINE_AMENDED))
    (amendment,) = amendments
    assert amendment_entries[amendment.ledger_seq]["previous"] == "2020-11-15"
    assert amendment_entries[amendment.ledger_seq]["due"] == "2020-11-25"
    assert amendment_entries[amendment.ledger_seq]["requested_by"] == "ARM"
    version_entries = dict(ledger_entries(ctx, AgreementTag.VERSION_LOADED))
    for version in versions:
        assert version.ledger_seq is not None
        assert version_entries[version.ledger_seq]["content_sha256"] == version.content_sha256


def test_a_changed_file_is_a_new_version_and_the_old_one_stays_readable(
    ctx: ServiceContext,
) -> None:
    original = shipped_text(NK_ID)
    load_text(ctx, original)
    reworded = edited(
        original,
        "are exchanged.\n",
        "are exchanged on an all-for-all basis.\n",
    )
    without_new_route = reworded.split("      - id: p6-new-route")[0] + (
        "\n  - id: p7-return" + reworded.split("\n  - id: p7-return")[1]
    )
    result = load_text(ctx, without_new_route)
    assert (result.version, result.new_version) == (2, True)
    assert result.retired == ["p6-new-route"]
    assert result.changes["provisions"]["changed"]["p8-exchange"] == ["text"]
    assert result.status_changes_recorded == 0
    assert result.amendments_recorded == 0

    current = agreements.get_agreement(ctx, NK_ID)
    old = agreements.get_agreement(ctx, NK_ID, version=1)
    assert (current.version, old.version, old.current_version) == (2, 1, 2)
    assert "all-for-all" in provision(current.agreement, "p8-exchange").text
    assert "all-for-all" not in provision(old.agreement, "p8-exchange").text
    assert old.agreement.provision("p6-new-route") is not None
    assert current.agreement.provision("p6-new-route") is None
    # Status history is a fact about the world, not the text: both versions show it.
    assert provision(old.agreement, "p2-aghdam").status_history
    with ctx.reader() as session:
        retired = session.get(ProvisionRow, (NK_ID, "p6-new-route"))
        assert retired is not None
        assert retired.retired_in_version == 2
    assert [v.version for v in agreements.list_versions(ctx, NK_ID).versions] == [1, 2]
    (retired_entry,) = ledger_entries(ctx, AgreementTag.PROVISION_RETIRED)
    assert retired_entry[1]["provision_id"] == "p6-new-route"

    # A retired id is never reused, even for the same text.
    before = counts(ctx)
    with pytest.raises(InvalidInput) as raised:
        load_text(ctx, original)
    assert "never reused" in raised.value.details[0]["message"]
    assert counts(ctx) == before
    with pytest.raises(NotFound):
        agreements.get_agreement(ctx, NK_ID, version=3)


def test_new_amendments_and_outcomes_are_appended_but_history_is_not_rewritten(
    ctx: ServiceContext,
) -> None:
    original = shipped_text(NK_ID)
    load_text(ctx, original)
    with_outcome = edited(
        original,
        "    obligated: [AZE, ARM]\n    beneficiaries: [AZE, ARM]\n",
        "    obligated: [AZE, ARM]\n    beneficiaries: [AZE, ARM]\n"
        "    status_changes:\n"
        "      - status: in_progress\n"
        '        at: "2020-12-14"\n'
        "        evidence:\n"
        "          - ref: report:test-exchange\n",
    )
    result = load_text(ctx, with_outcome)
    assert (result.version, result.status_changes_recorded) == (2, 1)
    rewritten = edited(
        with_outcome,
        '            - previous: "2020-11-15"\n              due: "2020-11-25"',
        '            - previous: "2020-11-15"\n              due: "2020-11-26"',
    ).replace(
        '          due: "2020-11-25"\n          amendments:',
        '          due: "2020-11-26"\n          amendments:',
    )
    before = counts(ctx)
    with pytest.raises(InvalidInput) as raised:
        load_text(ctx, rewritten)
    assert "append-only" in raised.value.details[0]["message"]
    assert counts(ctx) == before


def test_a_malformed_file_is_rejected_with_every_problem_and_nothing_written(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(malformed_memorandum(), encoding="utf-8")
    before = counts(ctx)
    with pytest.raises(InvalidInput) as raised:
        agreements.load_file(ctx, path, actor=ACTOR)
    messages = [d["message"] for d in raised.value.details]
    assert len(messages) == 4
    assert all(d["file"] == str(path) and d["line"] for d in raised.value.details)
    assert counts(ctx) == before


def test_record_provision_status_is_idempotent_and_checked(ctx: ServiceContext) -> None:
    agreements.load_shipped(ctx)
    evidence = [Evidence(ref="incident:2020-12-20-001", note="assessed")]
    first = agreements.record_provision_status(
        ctx,
        OPERATOR,
        NK_ID,
        "p8-exchange",
        status="in_progress",
        at=utc(2020, 12, 14),
        evidence=evidence,
    )
    again = agreements.record_provision_status(
        ctx,
        OPERATOR,
        NK_ID,
        "p8-exchange",
        status="in_progress",
        at=utc(2020, 12, 14),
        evidence=evidence,
    )
    assert (first.recorded, again.recorded) == (True, False)
    nk = agreements.get_agreement(ctx, NK_ID).agreement
    exchange = nk.provision("p8-exchange")
    assert exchange is not None
    assert exchange.status_as_of(utc(2020, 12, 15)) is ProvisionStatus.IN_PROGRESS
    assert exchange.status_as_of(utc(2020, 12, 13)) is ProvisionStatus.PENDING
    for provision_id, status, given, refusal in (
        ("p99", "fulfilled", evidence, NotFound),
        ("p6-districts-and-corridor", "fulfilled", evidence, InvalidInput),
        ("p8-exchange", "done", evidence, InvalidInput),
        ("p8-exchange", "fulfilled", [], InvalidInput),
    ):
        with pytest.raises(refusal):
            agreements.record_provision_status(
                ctx,
                OPERATOR,
                NK_ID,
                provision_id,
                status=status,
                at=utc(2021, 1, 1),
                evidence=given,
            )


def test_current_agreement_is_read_once_per_unit_of_work_until_it_changes_there(
    ctx: ServiceContext,
) -> None:
    # Fusion asks for the current agreement once per incident it touches: one unit of work
    # reads it once, but a status recorded in that unit of work is seen by the next read.
    agreements.load_shipped(ctx)
    change = agreements.status_change_input(
        status="fulfilled", at=utc(2020, 12, 20), evidence=[Evidence(ref="incident:x")]
    )
    with ctx.unit_of_work() as session:
        first = agreements.current_agreement(session, NK_ID)
        assert first is not None
        assert agreements.current_agreement(session, NK_ID) is first
        agreements._store_change(session, ctx.settings, NK_ID, "p8-exchange", change, ACTOR, None)
        after = agreements.current_agreement(session, NK_ID)
        assert after is not None
        assert after is not first
        exchange = after.agreement.provision("p8-exchange")
        assert exchange is not None
        assert exchange.status_as_of(utc(2020, 12, 21)) is ProvisionStatus.FULFILLED
    with ctx.unit_of_work() as session:
        again = agreements.current_agreement(session, NK_ID)
        assert again is not None
        assert again is not after
        assert again.agreement == after.agreement


def test_zones_are_a_feature_collection(ctx: ServiceContext) -> None:
    agreements.load_shipped(ctx)
    collection = agreements.list_zones(ctx)
    assert collection.type == "FeatureCollection"
    ids = {f.id for f in collection.features}
    assert f"{NK_ID}/lachin-corridor" in ids
    corridor = next(f for f in collection.features if f.id == f"{NK_ID}/lachin-corridor")
    assert corridor.geometry["type"] == "Polygon"
    assert corridor.properties.precision.startswith("Approximate")
    assert corridor.properties.valid_from == "2020-11-09T21:00:00Z"
    assert agreements.list_zones(ctx, as_of=utc(2020, 11, 1)).features == []
    with pytest.raises(NotFound):
        agreements.list_zones(ctx, agreement_id="nope")


def test_unknown_agreement_is_not_found(ctx: ServiceContext) -> None:
    with pytest.raises(NotFound):
        agreements.get_agreement(ctx, "nope")
    with pytest.raises(NotFound):
        agreements.list_versions(ctx, "nope")


def test_concurrent_loads_of_the_same_file_store_one_version(ctx: ServiceContext) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(
            pool.map(
                lambda _: agreements.load_file(ctx, shipped_path(MEMO_ID), actor=ACTOR), range(3)
            )
        )
    assert sorted(r.new_version for r in results) == [False, False, True]
    assert {r.version for r in results} == {1}
    assert counts(ctx)["agreement_versions"] == 1
    assert len(ledger_entries(ctx, AgreementTag.VERSION_LOADED)) == 1

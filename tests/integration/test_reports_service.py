"""Report intake services on both backends: submit, idempotency, visibility, attachments."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ceasefire.access import Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.reports import service as reports
from ceasefire.reports.attachments import AttachmentStore
from ceasefire.reports.schemas import ReportPublic, ReportRedacted
from ceasefire.reports.tables import AttachmentRow, ReportRow
from tests.factories.members import Cast
from tests.factories.reports import shelling_body


def counts(ctx: ServiceContext) -> tuple[int, int, int]:
    with ctx.reader() as session:
        return (
            session.scalar(select(func.count()).select_from(ReportRow)) or 0,
            session.scalar(select(func.count()).select_from(AttachmentRow)) or 0,
            session.scalar(select(func.count()).select_from(LedgerEntryRow)) or 0,
        )


def test_a_monitor_files_a_report_once_per_key(ctx: ServiceContext, cast: Cast) -> None:
    turkey = cast.viewer(ctx, "tur")
    first = reports.submit_report(ctx, turkey, shelling_body(), idempotency_key="k-1")
    assert first.created
    assert first.report.owner_member == "tur"
    assert first.report.concerns == ["ARM", "AZE"]
    again = reports.submit_report(ctx, turkey, shelling_body(), idempotency_key="k-1")
    assert not again.created
    assert again.report.id == first.report.id
    before = counts(ctx)
    with pytest.raises(Conflict):
        reports.submit_report(ctx, turkey, shelling_body(count=3), idempotency_key="k-1")
    assert counts(ctx) == before
    # the key is per member: Russia may use the same key for its own report
    russia = reports.submit_report(
        ctx, cast.viewer(ctx, "rus"), shelling_body(), idempotency_key="k-1"
    )
    assert russia.created


def test_client_report_id_acts_as_the_key(ctx: ServiceContext, cast: Cast) -> None:
    turkey = cast.viewer(ctx, "tur")
    body = shelling_body(client_report_id="patrol-7")
    first = reports.submit_report(ctx, turkey, body)
    assert reports.submit_report(ctx, turkey, body).report.id == first.report.id
    with pytest.raises(InvalidInput):
        reports.submit_report(ctx, turkey, body, idempotency_key="other")


def test_every_receipt_is_a_ledger_entry(ctx: ServiceContext, cast: Cast) -> None:
    turkey = cast.viewer(ctx, "tur")
    report = reports.submit_report(ctx, turkey, shelling_body()).report
    with ctx.reader() as session:
        entry = session.scalars(
            select(LedgerEntryRow).where(LedgerEntryRow.subject == f"report/{report.id}")
        ).one()
        assert entry.tag == "intake:report:received"
        assert report.content_sha256 is not None  # its filer reads everything it names
        assert report.content_sha256 in entry.payload
        assert entry.member_id == "tur"


def test_who_may_file_what(ctx: ServiceContext, cast: Cast) -> None:
    complaint = shelling_body(
        channel="party_complaint", alleged_perpetrator="ARM", concerns=["ARM"], means=None
    )
    aze = cast.viewer(ctx, "aze")
    filed = reports.submit_report(ctx, aze, complaint).report
    assert filed.concerns == ["ARM", "AZE"]  # a complaint concerns the complaining party
    with pytest.raises(Forbidden):
        reports.submit_report(ctx, aze, shelling_body())  # a monitor observation
    with pytest.raises(Forbidden):
        reports.submit_report(ctx, cast.viewer(ctx, "fra"), shelling_body())
    with pytest.raises(Forbidden):
        reports.submit_report(ctx, cast.viewer(ctx, "tur"), complaint)


def test_reads_follow_the_classification(ctx: ServiceContext, cast: Cast) -> None:
    turkey = cast.viewer(ctx, "tur")
    internal = reports.submit_report(ctx, turkey, shelling_body(classification="internal")).report
    shared_arm = reports.submit_report(
        ctx,
        turkey,
        shelling_body(classification="shared", concerns=["ARM"], alleged_perpetrator=None),
    ).report
    public = reports.submit_report(ctx, turkey, shelling_body(classification="public")).report

    def visible(viewer: Viewer) -> set[str]:
        return {r.id for r in reports.list_reports(ctx, viewer).items}

    every = {internal.id, shared_arm.id, public.id}
    assert visible(cast.viewer(ctx, "rus")) == every
    assert visible(cast.viewer(ctx, "fra")) == {shared_arm.id, public.id}
    assert visible(cast.viewer(ctx, "arm")) == {shared_arm.id, public.id}
    assert visible(cast.viewer(ctx, "aze")) == {public.id}
    assert visible(Viewer.public()) == {public.id}
    with pytest.raises(NotFound):
        reports.get_report(ctx, cast.viewer(ctx, "aze"), internal.id)
    seen = reports.get_report(ctx, Viewer.public(), public.id)
    assert isinstance(seen, ReportRedacted)
    assert "observer_position" not in seen.model_dump()
    assert "reporter" not in seen.model_dump()


def test_paging_walks_every_readable_report_once(ctx: ServiceContext, cast: Cast) -> None:
    turkey = cast.viewer(ctx, "tur")
    made = set()
    for index in range(7):
        klass = "internal" if index % 2 else "shared"
        made.add(
            (
                reports.submit_report(ctx, turkey, shelling_body(classification=klass)).report.id,
                klass,
            )
        )
    france = cast.viewer(ctx, "fra")
    seen: list[str] = []
    cursor = None
    while True:
        page = reports.list_reports(ctx, france, limit=2, cursor=cursor)
        seen += [r.id for r in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(rid for rid, klass in made if klass == "shared")
    assert len(seen) == len(set(seen))


def test_attachments_are_hashed_and_kept_read_only(ctx: ServiceContext, cast: Cast) -> None:
    turkey = cast.viewer(ctx, "tur")
    report = reports.submit_report(ctx, turkey, shelling_body()).report
    data = b"\x89PNG\r\n\x1a\n fake crater photo" * 100
    info = reports.add_attachment(
        ctx,
        turkey,
        report.id,
        [data[:500], data[500:]],
        media_type="image/png",
        filename="../x.png",
    )

    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.filename == "x.png"
    store = AttachmentStore(ctx.settings.data_dir)
    original = store.original_path(info.sha256)
    assert not original.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert store.verify(info.sha256)
    again = reports.add_attachment(ctx, turkey, report.id, [data])
    assert again.id == info.id
    fetched, raw = reports.read_attachment(ctx, cast.viewer(ctx, "rus"), report.id, info.id)
    assert raw == data
    assert fetched.sha256 == info.sha256
    mine = reports.get_report(ctx, turkey, report.id)
    assert isinstance(mine, ReportPublic)  # its author reads it in full
    assert mine.attachments[0].id == info.id


def test_an_oversized_attachment_leaves_nothing(
    ctx: ServiceContext, cast: Cast, tmp_path: Path
) -> None:
    small = ServiceContext.from_settings(
        ctx.settings.model_copy(update={"max_attachment_bytes": 1000})
    )
    turkey = cast.viewer(small, "tur")
    report = reports.submit_report(small, turkey, shelling_body()).report
    before = counts(small)
    with pytest.raises(PayloadTooLarge):
        reports.add_attachment(small, turkey, report.id, [b"x" * 600, b"y" * 600])
    assert counts(small) == before
    incoming = Path(small.settings.data_dir) / "attachments" / "incoming"
    assert not any(incoming.iterdir())
    small.dispose()

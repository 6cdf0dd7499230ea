"""Open-data exports: incidents, reports, zones and posts as ACLED or UCDP CSV, GeoJSON or
JSON Lines, whole or incremental, each as the viewer may read it.

An export reads one snapshot and streams: nothing is held in memory but one chunk of
records. ``since`` makes it incremental: the records that any ledger entry recorded after
``since`` touched, plus (JSON Lines) a ``delete`` for each that the viewer could read once
and no longer can (reclassified, or merged away). ``as_of`` — the time of the last ledger
entry before the export began — is what the next incremental export starts from, so a
mirror that applies each feed in turn holds exactly what a full export would give.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ceasefire.access import Classification, Viewer
from ceasefire.agreements import service as agreements
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.incidents import service as incidents
from ceasefire.ledger import service as ledger
from ceasefire.members import posts as member_posts
from ceasefire.members.scope import ReadScope, concerns_list
from ceasefire.publish import split
from ceasefire.publish.admin import admin_lookup
from ceasefire.publish.model import (
    ACLED_COLUMNS,
    ACLED_HXL,
    CSV_FORMATS,
    FORMATS_OF,
    MEDIA_TYPES,
    UCDP_COLUMNS,
    UCDP_HXL,
    Dataset,
    ExportFormat,
    Op,
    Subject,
    acled_values,
    incident_feature,
    incident_notes,
    post_feature,
    ucdp_row,
)
from ceasefire.reports import service as reports
from ceasefire.spreadsheet import spreadsheet_cells

DEFAULT_TIME_ZONE = "UTC"
MAX_DEFAULT_WORKERS = 4
"""The processes a full export uses by default, at most: each holds a database connection
and writes its part to a temporary file, and the caller streams the parts one by one."""

# Ledger tags after which an incremental export restarts its mirror: who may read what
# changed (roles), or the names the public edition redacts changed (users).
_RESET_PREFIXES = ("member:role:", "auth:user:added")
_INCIDENT_PREFIX = "intake:incident:"
_REPORT_RECEIVED = "intake:report:received"
# Payload keys naming incidents and reports (fusion's merges name theirs the same way).
_INCIDENT_KEYS = ("incident_id", "merged_into", "merged_from")
_INCIDENT_LIST_KEYS = ("incident_ids", "merged_incident_ids")


@dataclass(frozen=True)
class Places:
    """Per agreement: its local time zone and its parties' names (for dates and actors)."""

    zones: Mapping[str, ZoneInfo]
    names: Mapping[str, str]

    def zone(self, agreement_id: str | None) -> ZoneInfo:
        return self.zones.get(agreement_id or "", ZoneInfo(DEFAULT_TIME_ZONE))


def places(ctx: ServiceContext) -> Places:
    zones: dict[str, ZoneInfo] = {}
    names: dict[str, str] = {}
    for listed in agreements.list_agreements(ctx):
        agreement = agreements.get_agreement(ctx, listed.id).agreement
        zones[agreement.id] = ZoneInfo(agreement.effective.time_zone)
        for party in agreement.parties:
            names.setdefault(party.code, party.name)
    return Places(zones, names)


@dataclass(frozen=True)
class Changes:
    """What an incremental export covers."""

    incidents: frozenset[str]
    reports: frozenset[str]
    reset: bool


def changes_since(session: Session, since: datetime) -> Changes:
    """The incidents and reports that ledger entries after ``since`` touched."""
    incident_ids: set[str] = set()
    report_ids: set[str] = set()
    reset = False
    for change in ledger.changes(session, since=since):
        payload = change.payload
        if change.tag.startswith(_RESET_PREFIXES):
            reset = True
        if change.tag == _REPORT_RECEIVED:
            report_ids.add(change.subject.removeprefix("report/"))
        for key in _INCIDENT_KEYS:
            if isinstance(payload.get(key), str):
                incident_ids.add(payload[key])
        for key in _INCIDENT_LIST_KEYS:
            incident_ids.update(i for i in payload.get(key) or () if isinstance(i, str))
        if change.tag.startswith(_INCIDENT_PREFIX):
            if isinstance(payload.get("report_id"), str):
                report_ids.add(payload["report_id"])
            report_ids.update(r for r in payload.get("report_ids") or () if isinstance(r, str))
    return Changes(frozenset(incident_ids), frozenset(report_ids), reset)


def once_readable(session: Session, scope: ReadScope, incident_ids: Iterable[str]) -> set[str]:
    """Those of ``incident_ids`` the viewer could read under some classification the
    ledger shows them having had (created as, or classified from or to): a ``delete`` is
    sent for those only, so a feed never names a record its reader never saw."""
    seen: set[str] = set()
    subjects = [f"incident/{i}" for i in incident_ids]
    about: dict[str, dict[str, Any]] = {}
    for change in ledger.changes(session, subjects=subjects):
        incident_id = change.subject.removeprefix("incident/")
        facts = about.setdefault(incident_id, {"classes": set(), "concerns": [], "agreement": None})
        payload = change.payload
        if change.tag == "intake:incident:created":
            facts["classes"].add(payload.get("classification"))
            facts["concerns"] = payload.get("concerns") or []
            facts["agreement"] = payload.get("agreement_id")
        elif change.tag == "intake:incident:classified":
            facts["classes"].update({payload.get("from"), payload.get("to")})
    for incident_id, facts in about.items():
        for classification in facts["classes"]:
            if classification not in {c.value for c in Classification}:
                continue
            if scope.can_read(
                classification, concerns=facts["concerns"], agreement_id=facts["agreement"]
            ):
                seen.add(incident_id)
                break
    return seen


@dataclass
class Export:
    """A prepared export: its facts up front (for headers), its text streamed."""

    dataset: Dataset
    format: ExportFormat
    since: datetime | None
    as_of: datetime | None
    hxl: bool
    chunks: Iterator[str]

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def filename(self) -> str:
        suffix = {"acled": "csv", "ucdp": "csv", "geojson": "geojson", "jsonl": "jsonl"}
        return f"{self.dataset.value}-{self.format.value}.{suffix[self.format.value]}"


def check_request(dataset: Dataset, fmt: ExportFormat, *, hxl: bool) -> None:
    if fmt not in FORMATS_OF[dataset]:
        allowed = ", ".join(sorted(f.value for f in FORMATS_OF[dataset]))
        raise InvalidInput.worded(
            N_("%(dataset)s export as %(format)s: not available (formats: %(allowed)s)"),
            details=[problem("format", N_("one of %(allowed)s"), allowed=allowed)],
            dataset=dataset.value,
            format=fmt.value,
            allowed=allowed,
        )
    if hxl and fmt not in {ExportFormat.ACLED, ExportFormat.UCDP}:
        raise InvalidInput.worded(
            N_("HXL hashtags go on CSV exports only (acled, ucdp)"),
            details=[problem("hxl", N_("only with format acled or ucdp"))],
        )


def default_workers() -> int:
    """The cores this process may use, at most ``MAX_DEFAULT_WORKERS``."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MAX_DEFAULT_WORKERS))


def open_export(
    ctx: ServiceContext,
    viewer: Viewer,
    dataset: Dataset,
    fmt: ExportFormat,
    *,
    since: datetime | None = None,
    hxl: bool = False,
    workers: int = 1,
) -> Export:
    """Check the request and prepare the stream; every problem is raised here, before a
    byte is sent. ``workers`` > 1 splits a full export of incidents by id range over that
    many processes (``ceasefire.publish.split``: forked, for a single-threaded caller such
    as the CLI); the text is the same."""
    check_request(dataset, fmt, hxl=hxl)
    # Read before the export's own snapshot: a later as_of could skip a change.
    with ctx.reader() as session:
        _, as_of, _ = ledger.head_at(session)
    known = places(ctx) if fmt in CSV_FORMATS else None
    whole_incidents = dataset is Dataset.INCIDENTS and since is None
    parts = workers if whole_incidents and workers > 1 and split.can_split(ctx) else 1
    chunks = _stream(
        ctx, viewer, dataset, fmt, since=since, as_of=as_of, hxl=hxl, known=known, parts=parts
    )
    return Export(dataset, fmt, since, as_of, hxl, chunks)


def _stream(
    ctx: ServiceContext,
    viewer: Viewer,
    dataset: Dataset,
    fmt: ExportFormat,
    *,
    since: datetime | None,
    as_of: datetime | None,
    hxl: bool,
    known: Places | None,
    parts: int,
) -> Iterator[str]:
    if parts > 1:
        yield from _split(ctx, viewer, fmt, as_of=as_of, hxl=hxl, known=known, parts=parts)
        return
    with ctx.reader() as session:
        split.repeatable(session)
        scope = ReadScope.load(session, viewer)
        if fmt in CSV_FORMATS:
            assert known is not None
            yield _csv_header(fmt, hxl=hxl)
            yield from _csv(fmt, _subjects(session, scope, dataset, since), known=known)
            return
        records, deletes, whole = _records(ctx, session, scope, dataset, since)
        yield _opening(fmt, dataset, viewer, since=since, as_of=as_of, whole=whole)
        yield from _encoded(fmt, dataset, records)
        if fmt is ExportFormat.JSONL:
            kind = dataset.value.removesuffix("s")
            for record_id in sorted(deletes):
                yield _json({"op": Op.DELETE, "type": kind, "id": record_id}) + "\n"
        yield _closing(fmt)


def _split(
    ctx: ServiceContext,
    viewer: Viewer,
    fmt: ExportFormat,
    *,
    as_of: datetime | None,
    hxl: bool,
    known: Places | None,
    parts: int,
) -> Iterator[str]:
    """A full export of incidents in ``parts`` id ranges, the first written here and the
    others by forked helpers, all in one snapshot: the text of the serial export."""
    with ctx.reader() as session:
        ranges = split.id_ranges(incidents.incident_id_cuts(session, parts))
    if fmt is ExportFormat.ACLED:
        admin_lookup()  # loaded once, here: the helpers inherit it

    def body(session: Session, part: split.IdRange) -> Iterator[str]:
        scope = ReadScope.load(session, viewer)
        if fmt in CSV_FORMATS:
            assert known is not None
            yield from _csv(fmt, _incident_subjects(session, scope, part=part), known=known)
        else:
            records = incidents.incident_records(
                session, scope, id_from=part.first, id_before=part.before
            )
            yield from _encoded(fmt, Dataset.INCIDENTS, records)

    helpers = split.Helpers(ctx, body, ranges) if len(ranges) > 1 else None
    with helpers or contextlib.nullcontext(), ctx.reader() as session:
        if helpers is not None:
            helpers.begin(session)
        else:
            split.repeatable(session)
        if fmt in CSV_FORMATS:
            yield _csv_header(fmt, hxl=hxl)
        else:
            yield _opening(fmt, Dataset.INCIDENTS, viewer, since=None, as_of=as_of, whole=True)
        pieces = [body(session, ranges[0])]
        if helpers is not None:
            pieces += [helpers.output(index) for index in range(1, len(ranges))]
        # GeoJSON's features are separated by commas, also where one part ends and the next
        # begins (an empty part adds none).
        separator = "," if fmt is ExportFormat.GEOJSON else ""
        started = False
        for piece in pieces:
            first = True
            for chunk in piece:
                if not chunk:
                    continue
                yield separator + chunk if first and started else chunk
                first, started = False, True
        yield _closing(fmt)


def _opening(
    fmt: ExportFormat,
    dataset: Dataset,
    viewer: Viewer,
    *,
    since: datetime | None,
    as_of: datetime | None,
    whole: bool,
) -> str:
    """What comes before the records: JSON Lines' header line, GeoJSON's collection."""
    if fmt is ExportFormat.GEOJSON:
        return '{"type":"FeatureCollection","features":['
    header = {
        "type": "header",
        "dataset": dataset.value,
        "since": since.isoformat() if since else None,
        "as_of": as_of.isoformat() if as_of else None,
        "reset": whole,
        "audience": "public" if viewer.is_public else "member",
    }
    return _json(header) + "\n"


def _closing(fmt: ExportFormat) -> str:
    """What comes after the records (GeoJSON's end of the collection)."""
    return "]}\n" if fmt is ExportFormat.GEOJSON else ""


_FEATURES: dict[Dataset, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    Dataset.INCIDENTS: incident_feature,
    Dataset.POSTS: post_feature,
    Dataset.ZONES: dict,
}


def _encoded(
    fmt: ExportFormat, dataset: Dataset, records: Iterable[dict[str, Any]]
) -> Iterator[str]:
    """The records as JSON Lines upserts, or as GeoJSON features separated by commas."""
    if fmt is ExportFormat.JSONL:
        kind = dataset.value.removesuffix("s")
        for record in records:
            yield _json({"op": Op.UPSERT, "type": kind, "id": record["id"], "record": record})
            yield "\n"
        return
    feature = _FEATURES[dataset]
    first = True
    for record in records:
        yield ("" if first else ",") + _json(feature(record))
        first = False


def _records(
    ctx: ServiceContext,
    session: Session,
    scope: ReadScope,
    dataset: Dataset,
    since: datetime | None,
) -> tuple[Iterator[dict[str, Any]], set[str], bool]:
    """The records to send, the ids to delete, and whether they are the whole set (the
    mirror starts again from them)."""
    if dataset in {Dataset.ZONES, Dataset.POSTS}:
        # Small and rarely changed: always whole.
        return _small(ctx, scope.viewer, dataset), set(), True
    changes = changes_since(session, since) if since is not None else None
    if changes is None or changes.reset:
        if dataset is Dataset.INCIDENTS:
            return incidents.incident_records(session, scope), set(), True
        return reports.report_records(session, scope), set(), True
    if dataset is Dataset.INCIDENTS:
        present = list(incidents.incident_records(session, scope, ids=changes.incidents))
        gone = set(changes.incidents) - {r["id"] for r in present}
        return iter(present), once_readable(session, scope, gone), False
    # Reports are never deleted and never reclassified: no deletes to send.
    return (
        reports.report_records(session, scope, ids=_changed_reports(session, changes)),
        set(),
        False,
    )


def _changed_reports(session: Session, changes: Changes) -> set[str]:
    """The reports an incremental export sends: those entries touched, and those of every
    incident touched (the incident a report names is shown only to its readers, so a report
    changes for a reader when its incident is reclassified)."""
    return set(changes.reports) | reports.reports_of_incidents(session, changes.incidents)


def _small(ctx: ServiceContext, viewer: Viewer, dataset: Dataset) -> Iterator[dict[str, Any]]:
    if dataset is Dataset.ZONES:
        # Agreement zones are public: the agreement text is.
        yield from (f.model_dump(mode="json") for f in agreements.list_zones(ctx).features)
        return
    for post in member_posts.list_posts(ctx, viewer):
        record = post.model_dump(mode="json")
        record.pop("active", None)  # depends on the clock, not on the record
        yield record


def _subjects(
    session: Session, scope: ReadScope, dataset: Dataset, since: datetime | None
) -> Iterator[Subject]:
    """What a CSV export's rows are made of: incidents straight from their facts (no JSON
    record built and parsed again), reports from their records."""
    changes = changes_since(session, since) if since is not None else None
    whole = changes is None or changes.reset
    if dataset is Dataset.REPORTS:
        changed = None if whole or changes is None else _changed_reports(session, changes)
        return (Subject.of_report(r) for r in reports.report_records(session, scope, ids=changed))
    ids = None if whole or changes is None else changes.incidents
    return _incident_subjects(session, scope, ids=ids)


def _incident_subjects(
    session: Session,
    scope: ReadScope,
    *,
    ids: Iterable[str] | None = None,
    part: split.IdRange = split.EVERYTHING,
) -> Iterator[Subject]:
    """The CSV subjects of the incidents (those of ``ids``, or of the id range ``part``)."""
    # The stored concerns (",ARM,AZE,") as a tuple, once per distinct text (a few).
    parties: dict[str, tuple[str, ...]] = {}

    def concerned(text: str) -> tuple[str, ...]:
        found = parties.get(text)
        if found is None:
            found = parties[text] = tuple(concerns_list(text))
        return found

    facts = incidents.incident_facts(
        session, scope, ids=ids, id_from=part.first, id_before=part.before
    )
    return (
        Subject(
            f.id,
            f.category,
            f.observed_start,
            f.observed_end,
            f.lat,
            f.lon,
            f.place,
            f.precision,
            f.attributed_party,
            concerned(f.concerns),
            tuple(f.channels),
            f.sources,
            incident_notes(f.title, f.summary),
            f.casualties,
            f.updated_at,
            f.agreement_id,
        )
        for f in facts
    )


def _csv_header(fmt: ExportFormat, *, hxl: bool) -> str:
    """The CSV's header row, and HXL's hashtag row on request."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns, hashtags = (
        (ACLED_COLUMNS, ACLED_HXL) if fmt is ExportFormat.ACLED else (UCDP_COLUMNS, UCDP_HXL)
    )
    writer.writerow(columns)
    if hxl:
        writer.writerow([hashtags[c] for c in columns])
    return buffer.getvalue()


def _csv(fmt: ExportFormat, subjects: Iterable[Subject], *, known: Places) -> Iterator[str]:
    """The CSV's rows (after ``_csv_header``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    zone, names = known.zone, known.names
    admin = admin_lookup().admin if fmt is ExportFormat.ACLED else None
    actors: dict[tuple[Any, ...], tuple[str, ...]] = {}
    # The cells of a batch of rows, written with one ``writerows`` call per chunk.
    batch: list[Sequence[str]] = []
    for subject in subjects:
        if admin is not None:
            where = admin(subject.place, subject.lat, subject.lon, subject.where_prec)
            tz = zone(subject.agreement_id)
            batch.append(spreadsheet_cells(acled_values(subject, tz, names, where, actors=actors)))
        else:
            row = ucdp_row(subject, zone(subject.agreement_id), names)
            batch.append(spreadsheet_cells([row[c] for c in UCDP_COLUMNS]))
        if len(batch) == 1000:
            writer.writerows(batch)
            batch.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue()


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
"""One encoder for every line: ``json.dumps`` with options builds a new one per call."""


def _json(value: Any) -> str:
    return _ENCODER.encode(value)

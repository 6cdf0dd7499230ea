"""What the centre publishes, as pure rules: export rows in the formats researchers and
humanitarian tools already read (ACLED, UCDP GED, GeoJSON, HXL), and the periods and
figures of the daily report.

Everything here works on plain records (the dicts ``incidents.service.incident_records``
and ``reports.service.report_records`` yield); docs/exports.md documents every column, and
a test holds the columns and codes to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from ceasefire.i18n.markers import N_
from ceasefire.spreadsheet import spreadsheet_text


class Dataset(StrEnum):
    """What can be exported."""

    INCIDENTS = "incidents"
    REPORTS = "reports"
    ZONES = "zones"
    POSTS = "posts"


class ExportFormat(StrEnum):
    ACLED = "acled"
    UCDP = "ucdp"
    GEOJSON = "geojson"
    JSONL = "jsonl"


CSV_FORMATS = frozenset({ExportFormat.ACLED, ExportFormat.UCDP})
FORMATS_OF: dict[Dataset, frozenset[ExportFormat]] = {
    Dataset.INCIDENTS: frozenset(ExportFormat),
    Dataset.REPORTS: frozenset({ExportFormat.ACLED, ExportFormat.UCDP, ExportFormat.JSONL}),
    Dataset.ZONES: frozenset({ExportFormat.GEOJSON, ExportFormat.JSONL}),
    Dataset.POSTS: frozenset({ExportFormat.GEOJSON, ExportFormat.JSONL}),
}
"""The formats each dataset has (a report has no geometry of its own worth a GeoJSON)."""

MEDIA_TYPES: dict[ExportFormat, str] = {
    ExportFormat.ACLED: "text/csv; charset=utf-8",
    ExportFormat.UCDP: "text/csv; charset=utf-8",
    ExportFormat.GEOJSON: "application/geo+json",
    ExportFormat.JSONL: "application/jsonl; charset=utf-8",
}

# --------------------------------------------------------------------------- ACLED

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "interaction",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "timestamp",
)

ACLED_HXL: dict[str, str] = {
    "event_id_cnty": "#event+id",
    "event_date": "#date+occurred",
    "time_precision": "#date+precision",
    "event_type": "#event+type",
    "sub_event_type": "#event+type+sub",
    "actor1": "#group+name+first",
    "assoc_actor_1": "#group+name+first+assoc",
    "inter1": "#group+code+first",
    "actor2": "#group+name+second",
    "interaction": "#group+code+interaction",
    "admin1": "#adm1+name",
    "admin2": "#adm2+name",
    "admin3": "#adm3+name",
    "location": "#loc+name",
    "latitude": "#geo+lat",
    "longitude": "#geo+lon",
    "geo_precision": "#geo+precision",
    "source": "#meta+source",
    "source_scale": "#meta+source+scale",
    "notes": "#description",
    "fatalities": "#affected+killed",
    "timestamp": "#date+updated",
}

BATTLES = "Battles"
REMOTE = "Explosions/Remote violence"
AGAINST_CIVILIANS = "Violence against civilians"
STRATEGIC = "Strategic developments"

ACLED_EVENT_TYPES: dict[str, tuple[str, str]] = {
    "explosion_undetermined": (REMOTE, "Shelling/artillery/missile attack"),
    "explosion_impact": (REMOTE, "Shelling/artillery/missile attack"),
    "explosion_outgoing": (REMOTE, "Shelling/artillery/missile attack"),
    "explosion_airburst": (REMOTE, "Shelling/artillery/missile attack"),
    "projectile": (REMOTE, "Shelling/artillery/missile attack"),
    "shelling": (REMOTE, "Shelling/artillery/missile attack"),
    "drone_strike": (REMOTE, "Air/drone strike"),
    "mine_uxo": (REMOTE, "Remote explosive/landmine/IED"),
    "armed_clash": (BATTLES, "Armed clash"),
    "small_arms_fire": (BATTLES, "Armed clash"),
    "heavy_machine_gun_fire": (BATTLES, "Armed clash"),
    "muzzle_flash": (BATTLES, "Armed clash"),
    "civilian_casualty": (AGAINST_CIVILIANS, "Attack"),
    "damage_to_civilian_object": (STRATEGIC, "Looting/property destruction"),
    "heavy_weapon_in_violation": (STRATEGIC, "Change to group/activity"),
    "troop_or_vehicle_movement": (STRATEGIC, "Change to group/activity"),
    "detention_exchange": (STRATEGIC, "Agreement"),
    "illumination_flare": (STRATEGIC, "Other"),
    "freedom_of_movement_restriction": (STRATEGIC, "Other"),
    "uav_jamming": (STRATEGIC, "Other"),
    "gps_interference": (STRATEGIC, "Other"),
    "other": (STRATEGIC, "Other"),
}
"""Our categories (``reports.model.Category``) as ACLED event and sub-event types."""

INTER_STATE_FORCES = 1
INTER_CIVILIANS = 7
CIVILIAN_CATEGORIES = frozenset({"civilian_casualty", "damage_to_civilian_object"})

SOURCE_LABELS: dict[str, str] = {
    "monitor_observation": "Joint monitors",
    "sensor_detection": "Monitors' sensors",
    "party_complaint": "Party complaint",
    "public_hotline": "Public hotline",
    "news": "News media",
    "csv_import": "Imported records",
}


@lru_cache(maxsize=256)
def source_labels(channels: tuple[str, ...]) -> str:
    """The channels' names, sorted, as one ``source`` cell (a few combinations recur)."""
    return "; ".join(SOURCE_LABELS.get(c, c) for c in sorted(channels))


@lru_cache(maxsize=256)
def _source_scale(channels: tuple[str, ...]) -> str:
    """``source_scale`` of a set of channels as a row carries them (a few recur)."""
    return source_scale(channels)


def source_scale(channels: Iterable[str]) -> str:
    """ACLED's source_scale of the widest source: the joint monitors are international."""
    have = set(channels)
    if have & {"monitor_observation", "sensor_detection"}:
        return "International"
    if "party_complaint" in have:
        return "National"
    if "public_hotline" in have:
        return "Local"
    if "news" in have:
        return "New media"
    return "Other"


def acled_time_precision(
    start: datetime, end: datetime, tz: ZoneInfo, *, local_start: datetime | None = None
) -> int:
    """1 when the window lies within one local day, 2 within a week, 3 otherwise."""
    if (local_start or start.astimezone(tz)).date() == end.astimezone(tz).date():
        return 1
    return 2 if end - start <= timedelta(days=7) else 3


def acled_geo_precision(where_prec: int | None) -> int:
    """UCDP's where_prec (1 exact … 7 water/airspace) as ACLED's geo_precision."""
    if where_prec is None or where_prec <= 1:
        return 1
    return 2 if where_prec == 2 else 3


def ucdp_date_precision(start: datetime, end: datetime, tz: ZoneInfo) -> int:
    """UCDP GED date_prec: 1 exact day, 2 two to six days, 3 a week, 4 a month, 5 longer."""
    if start.astimezone(tz).date() == end.astimezone(tz).date():
        return 1
    span = end - start
    if span <= timedelta(days=6):
        return 2
    if span <= timedelta(days=8):
        return 3
    return 4 if span <= timedelta(days=32) else 5


def party_actor(code: str | None, names: Mapping[str, str]) -> str:
    """A party code as an ACLED state-forces actor: ``Military Forces of Armenia``."""
    if not code:
        return ""
    return f"Military Forces of {names.get(code, code)}"


def killed(casualties: Mapping[str, Mapping[str, int]], which: str = "best") -> int:
    return sum(int(v[which]) for k, v in casualties.items() if k.startswith("killed_"))


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.5f}".rstrip("0").rstrip(".")


class Subject(NamedTuple):
    """The fields the ACLED and UCDP rows need, from an incident or a report record (a
    tuple: an export makes a million)."""

    id: str
    category: str
    start: datetime
    end: datetime
    lat: float | None
    lon: float | None
    place: str | None
    where_prec: int | None
    perpetrator: str | None
    concerns: tuple[str, ...]
    channels: tuple[str, ...]
    sources: int
    notes: str
    casualties: Mapping[str, Mapping[str, int]]
    updated: datetime
    agreement_id: str | None = None

    @classmethod
    def of_report(cls, record: Mapping[str, Any]) -> Subject:
        position = record["event_position"]
        observed = record["observed"]
        return cls(
            id=record["id"],
            category=record["category"],
            start=datetime.fromisoformat(observed["start"]),
            end=datetime.fromisoformat(observed["end"]),
            lat=position.get("lat"),
            lon=position.get("lon"),
            place=position.get("place_name"),
            where_prec=position.get("precision"),
            # A report's perpetrator is what its source alleges, not a finding.
            perpetrator=None,
            concerns=tuple(record.get("concerns") or ()),
            channels=(record["channel"],),
            sources=1,
            notes=record.get("narrative") or "",
            casualties=record.get("casualties") or {},
            updated=datetime.fromisoformat(record["received_at"]),
            agreement_id=record.get("agreement_id"),
        )


def incident_notes(title: str | None, summary: str | None) -> str:
    """ACLED's ``notes`` of an incident: title — summary."""
    return " — ".join(t for t in (title, summary) if t)


AdminNames = tuple[str, str, str]
"""ACLED's admin1, admin2, admin3 of an event ("" where unknown)."""
NO_ADMIN: AdminNames = ("", "", "")


def _acled_actors(
    category: str,
    perpetrator: str | None,
    concerns: tuple[str, ...],
    party_names: Mapping[str, str],
) -> tuple[str, str, str, str, str, str, str]:
    """event_type, sub_event_type, actor1, assoc_actor_1, inter1, actor2 and interaction:
    they depend on these fields only, which a million rows share a few dozen ways of."""
    event_type, sub_event_type = ACLED_EVENT_TYPES.get(category, (STRATEGIC, "Other"))
    actor1 = party_actor(perpetrator, party_names)
    if category in CIVILIAN_CATEGORIES:
        place = party_names.get(next(iter(concerns), ""), "")
        actor2, inter2 = (f"Civilians ({place})" if place else "Civilians"), INTER_CIVILIANS
    else:
        others = [p for p in concerns if p != perpetrator]
        if perpetrator and len(others) == 1:
            actor2, inter2 = party_actor(others[0], party_names), INTER_STATE_FORCES
        else:
            actor2, inter2 = "", None
    if actor1:
        inter1 = str(INTER_STATE_FORCES)
        interaction = str(INTER_STATE_FORCES * 10 + (inter2 or 0))
    else:
        inter1 = interaction = ""
    return event_type, sub_event_type, actor1, "", inter1, actor2, interaction


def acled_values(
    subject: Subject,
    tz: ZoneInfo,
    party_names: Mapping[str, str],
    admin: AdminNames = NO_ADMIN,
    *,
    actors: dict[tuple[Any, ...], tuple[str, ...]] | None = None,
) -> tuple[str, ...]:
    """One ACLED-compatible row, its cells in ``ACLED_COLUMNS`` order (see docs/exports.md
    for every column); ``admin`` as the export resolved the event's place. ``actors``
    keeps the actor cells of each combination of their fields (an export passes one dict
    for all its rows, with the same ``party_names``)."""
    key = (subject.category, subject.perpetrator, subject.concerns)
    cells = actors.get(key) if actors is not None else None
    if cells is None:
        cells = _acled_actors(*key, party_names)
        if actors is not None:
            actors[key] = cells
    local_start = subject.start.astimezone(tz)
    precision = acled_time_precision(subject.start, subject.end, tz, local_start=local_start)
    channels = subject.channels
    casualties = subject.casualties
    return (
        subject.id,
        local_start.date().isoformat(),
        str(precision),
        *cells,
        *admin,
        spreadsheet_text(subject.place or ""),
        _number(subject.lat),
        _number(subject.lon),
        str(acled_geo_precision(subject.where_prec)),
        source_labels(channels),
        _source_scale(channels),
        spreadsheet_text(subject.notes),
        str(killed(casualties)) if casualties else "0",
        str(int(subject.updated.timestamp())),
    )


# --------------------------------------------------------------------------- UCDP GED

UCDP_COLUMNS: tuple[str, ...] = (
    "id",
    "year",
    "type_of_violence",
    "side_a",
    "side_b",
    "where_prec",
    "where_coordinates",
    "latitude",
    "longitude",
    "date_start",
    "date_end",
    "date_prec",
    "deaths_military",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "number_of_sources",
    "source_article",
)

UCDP_HXL: dict[str, str] = {
    "id": "#event+id",
    "year": "#date+year",
    "type_of_violence": "#event+type+code",
    "side_a": "#group+name+first",
    "side_b": "#group+name+second",
    "where_prec": "#geo+precision",
    "where_coordinates": "#loc+name",
    "latitude": "#geo+lat",
    "longitude": "#geo+lon",
    "date_start": "#date+start",
    "date_end": "#date+end",
    "date_prec": "#date+precision",
    "deaths_military": "#affected+killed+military",
    "deaths_civilians": "#affected+killed+civilians",
    "deaths_unknown": "#affected+killed+unknown",
    "best": "#affected+killed+best",
    "high": "#affected+killed+high",
    "low": "#affected+killed+low",
    "number_of_sources": "#meta+sources+num",
    "source_article": "#meta+source",
}

# UCDP's type_of_violence: 1 state-based, 2 non-state, 3 one-sided (against civilians).
UCDP_STATE_BASED = 1
UCDP_ONE_SIDED = 3


def ucdp_row(subject: Subject, tz: ZoneInfo, party_names: Mapping[str, str]) -> dict[str, str]:
    """One UCDP GED-style row (see docs/exports.md)."""
    side_a = party_names.get(subject.perpetrator or "", subject.perpetrator or "")
    others = [p for p in subject.concerns if p != subject.perpetrator]
    side_b = party_names.get(others[0], others[0]) if len(others) == 1 else ""
    casualties = subject.casualties

    def deaths(group: str) -> str:
        estimate = casualties.get(f"killed_{group}")
        return str(estimate["best"]) if estimate else "0"

    return {
        "id": subject.id,
        "year": str(subject.start.astimezone(tz).year),
        "type_of_violence": str(
            UCDP_ONE_SIDED if subject.category in CIVILIAN_CATEGORIES else UCDP_STATE_BASED
        ),
        "side_a": side_a,
        "side_b": side_b,
        "where_prec": str(subject.where_prec or 1),
        "where_coordinates": spreadsheet_text(subject.place or ""),
        "latitude": _number(subject.lat),
        "longitude": _number(subject.lon),
        "date_start": subject.start.astimezone(tz).date().isoformat(),
        "date_end": subject.end.astimezone(tz).date().isoformat(),
        "date_prec": str(ucdp_date_precision(subject.start, subject.end, tz)),
        "deaths_military": deaths("military"),
        "deaths_civilians": deaths("civilian"),
        "deaths_unknown": deaths("unknown"),
        "best": str(killed(casualties, "best")),
        "high": str(killed(casualties, "high")),
        "low": str(killed(casualties, "low")),
        "number_of_sources": str(subject.sources),
        "source_article": source_labels(subject.channels),
    }


# --------------------------------------------------------------------------- GeoJSON


def point_feature(
    feature_id: str, lon: float | None, lat: float | None, properties: Mapping[str, Any]
) -> dict[str, Any]:
    """An RFC 7946 Feature: a Point in WGS 84 [lon, lat], or a null geometry when the
    position is a named place only."""
    geometry = (
        {"type": "Point", "coordinates": [lon, lat]}
        if lon is not None and lat is not None
        else None
    )
    return {"type": "Feature", "id": feature_id, "geometry": geometry, "properties": properties}


def incident_feature(record: Mapping[str, Any]) -> dict[str, Any]:
    position = record["event_position"]
    properties = {k: v for k, v in record.items() if k != "event_position"}
    properties["place_name"] = position.get("place_name")
    properties["where_prec"] = position.get("precision")
    return point_feature(record["id"], position.get("lon"), position.get("lat"), properties)


def post_feature(record: Mapping[str, Any]) -> dict[str, Any]:
    properties = {k: v for k, v in record.items() if k not in {"lat", "lon"}}
    return point_feature(record["id"], record.get("lon"), record.get("lat"), properties)


# --------------------------------------------------------------------------- mirror feed


class Op(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


def apply_feed(mirror: dict[str, dict[str, Any]], lines: Iterable[Mapping[str, Any]]) -> None:
    """Apply a JSON Lines feed to a mirror (id → record): what a mirror does with an
    incremental export. A header that says ``reset`` empties the mirror first."""
    for line in lines:
        if line.get("type") == "header":
            if line.get("reset"):
                mirror.clear()
            continue
        if line["op"] == Op.UPSERT:
            mirror[line["id"]] = line["record"]
        else:
            mirror.pop(line["id"], None)


# --------------------------------------------------------------------------- daily report

DEFAULT_CUTOFF = time(19, 30)


class Kind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    SPOT = "spot"


class Edition(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class OutputFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


@dataclass(frozen=True)
class Period:
    """A reporting period ``(start, end]`` in UTC, named by its local end date."""

    kind: Kind
    start: datetime
    end: datetime
    label: date
    time_zone: str

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.label.isoformat()}"

    def previous(self) -> Period:
        span = self.end - self.start
        return Period(self.kind, self.start - span, self.start, self.label, self.time_zone)


def cutoff_instant(day: date, time_zone: str, cutoff: time = DEFAULT_CUTOFF) -> datetime:
    """``cutoff`` local time on ``day`` in ``time_zone``, as UTC."""
    return datetime.combine(day, cutoff, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def _days_to(kind: Kind, days: int, day: date, time_zone: str, cutoff: time) -> Period:
    """The ``days`` local days up to the cut-off of ``day``, cut-off to cut-off."""
    end = cutoff_instant(day, time_zone, cutoff)
    start = cutoff_instant(day - timedelta(days=days), time_zone, cutoff)
    return Period(kind, start, end, day, time_zone)


def daily_period(day: date, time_zone: str, cutoff: time = DEFAULT_CUTOFF) -> Period:
    """The 24 hours up to the cut-off of ``day`` (OSCE: "as of 19:30")."""
    return _days_to(Kind.DAILY, 1, day, time_zone, cutoff)


def weekly_period(day: date, time_zone: str, cutoff: time = DEFAULT_CUTOFF) -> Period:
    """The seven days up to the cut-off of ``day``."""
    return _days_to(Kind.WEEKLY, 7, day, time_zone, cutoff)


def monthly_period(day: date, time_zone: str, cutoff: time = DEFAULT_CUTOFF) -> Period:
    """From the cut-off of the last day of the previous month to that of ``day``'s month's
    last day; labelled by that last day."""
    following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    last = following - timedelta(days=1)
    return _days_to(Kind.MONTHLY, last.day, last, time_zone, cutoff)


def last_cutoff_day(now: datetime, time_zone: str, cutoff: time = DEFAULT_CUTOFF) -> date:
    """The local day of the last cut-off at or before ``now``."""
    local = now.astimezone(ZoneInfo(time_zone))
    return local.date() if local.time() >= cutoff else local.date() - timedelta(days=1)


VIOLATION_CATEGORIES = frozenset(
    {
        "explosion_undetermined",
        "explosion_impact",
        "explosion_outgoing",
        "explosion_airburst",
        "projectile",
        "muzzle_flash",
        "small_arms_fire",
        "heavy_machine_gun_fire",
        "armed_clash",
        "drone_strike",
        "shelling",
        "heavy_weapon_in_violation",
    }
)
"""Categories that are ceasefire violations when they happen (OSCE's "ceasefire
violations": explosions, projectiles, muzzle flashes, bursts and shots, plus weapons in
violation of withdrawal lines)."""

MOVEMENT_CATEGORIES = frozenset(
    {"freedom_of_movement_restriction", "uav_jamming", "gps_interference"}
)
HUMANITARIAN_CATEGORIES = frozenset({"detention_exchange"})
HUMANITARIAN_PROVISION_KINDS = frozenset({"exchange", "return"})

UNLOCATED = N_("not located in a zone")


@dataclass
class Tally:
    """Counts per (area, category) for one period."""

    by_area_category: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, area: str, category: str) -> None:
        self.by_area_category[(area, category)] += 1

    @property
    def total(self) -> int:
        return sum(self.by_area_category.values())

    def by_category(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for (_, category), n in self.by_area_category.items():
            counts[category] += n
        return counts

    def by_area(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for (area, _), n in self.by_area_category.items():
            counts[area] += n
        return counts


@dataclass(frozen=True)
class Comparison:
    """One line of a table compared with the previous period."""

    name: str
    current: int
    previous: int

    @property
    def change(self) -> int:
        return self.current - self.previous


def compare(current: Mapping[str, int], previous: Mapping[str, int]) -> list[Comparison]:
    """Every name of either period, by current count then name (a name that fell to zero
    stays visible)."""
    names = set(current) | set(previous)
    rows = [Comparison(n, current.get(n, 0), previous.get(n, 0)) for n in names]
    return sorted(rows, key=lambda r: (-r.current, -r.previous, r.name))


def is_notable(record: Mapping[str, Any], breached_zone: bool) -> bool:
    """Casualties, a breach of an agreement zone, or members who disagree."""
    casualties = record.get("casualties") or {}
    hurt = any(int(v.get("best", 0)) > 0 for v in casualties.values())
    return hurt or breached_zone or record.get("decision_state") == "disputed"


def casualty_totals(records: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Best estimates summed over incidents (each incident counted once: its own figure is
    the highest of its reports)."""
    totals: Counter[str] = Counter()
    for record in records:
        for key, estimate in (record.get("casualties") or {}).items():
            totals[key] += int(estimate.get("best", 0))
    return dict(totals)

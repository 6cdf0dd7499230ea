"""Reports: raw observations as they reach the centre, and the rules that validate them.

A report is what one source said it saw or heard: a monitor on patrol, a post's camera, a
party's complaint, a call to the hotline, a news article, a row of an imported file. Its
fields follow the practice of the OSCE Special Monitoring Mission (observer position, time
window, distance and bearing, means, count, weapon class) and the conventions of UCDP GED
(location precision 1-7, casualties as low/best/high).

``validate_report`` turns an untrusted mapping (a JSON body, a CSV row) into a
``ReportContent`` or raises ``InvalidInput`` listing *every* problem, each naming its field
by a dotted path (``observed.end``, ``event_position.lat``, ``casualties.killed_civilian.best``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any, TypeGuard, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ceasefire.access import Classification, concerns_key
from ceasefire.errors import CodedWords, InvalidInput, coded_words, problem
from ceasefire.i18n.labels import LABELS
from ceasefire.i18n.markers import N_


class Channel(StrEnum):
    """How a report reached the centre."""

    MONITOR_OBSERVATION = "monitor_observation"
    SENSOR_DETECTION = "sensor_detection"
    PARTY_COMPLAINT = "party_complaint"
    PUBLIC_HOTLINE = "public_hotline"
    NEWS = "news"
    CSV_IMPORT = "csv_import"


class TimePrecision(StrEnum):
    """How precisely the time window is known (cf. ACLED time_precision, UCDP date_prec)."""

    EXACT = "exact"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


# The longest window each precision admits: a window "exact to the day" cannot span a month.
PRECISION_MAX_SPAN: dict[TimePrecision, timedelta] = {
    TimePrecision.EXACT: timedelta(days=1),
    TimePrecision.DAY: timedelta(days=2),
    TimePrecision.WEEK: timedelta(days=8),
    TimePrecision.MONTH: timedelta(days=32),
}


class Category(StrEnum):
    """What was observed. Explosion kinds and fire types follow the OSCE SMM's categories."""

    EXPLOSION_UNDETERMINED = "explosion_undetermined"
    EXPLOSION_IMPACT = "explosion_impact"
    EXPLOSION_OUTGOING = "explosion_outgoing"
    EXPLOSION_AIRBURST = "explosion_airburst"
    PROJECTILE = "projectile"
    MUZZLE_FLASH = "muzzle_flash"
    ILLUMINATION_FLARE = "illumination_flare"
    SMALL_ARMS_FIRE = "small_arms_fire"
    HEAVY_MACHINE_GUN_FIRE = "heavy_machine_gun_fire"
    ARMED_CLASH = "armed_clash"
    DRONE_STRIKE = "drone_strike"
    SHELLING = "shelling"
    HEAVY_WEAPON_IN_VIOLATION = "heavy_weapon_in_violation"
    TROOP_OR_VEHICLE_MOVEMENT = "troop_or_vehicle_movement"
    FREEDOM_OF_MOVEMENT_RESTRICTION = "freedom_of_movement_restriction"
    UAV_JAMMING = "uav_jamming"
    GPS_INTERFERENCE = "gps_interference"
    CIVILIAN_CASUALTY = "civilian_casualty"
    DAMAGE_TO_CIVILIAN_OBJECT = "damage_to_civilian_object"
    MINE_UXO = "mine_uxo"
    DETENTION_EXCHANGE = "detention_exchange"
    OTHER = "other"


CATEGORY_LABELS: dict[Category, str] = {
    Category.EXPLOSION_UNDETERMINED: "explosion (undetermined)",
    Category.EXPLOSION_IMPACT: "explosion (impact)",
    Category.EXPLOSION_OUTGOING: "explosion (outgoing)",
    Category.EXPLOSION_AIRBURST: "explosion (airburst)",
    Category.PROJECTILE: "projectile in flight",
    Category.MUZZLE_FLASH: "muzzle flash",
    Category.ILLUMINATION_FLARE: "illumination flare",
    Category.SMALL_ARMS_FIRE: "bursts/shots of small-arms fire",
    Category.HEAVY_MACHINE_GUN_FIRE: "bursts/shots of heavy-machine-gun fire",
    Category.ARMED_CLASH: "armed clash",
    Category.DRONE_STRIKE: "drone strike",
    Category.SHELLING: "shelling",
    Category.HEAVY_WEAPON_IN_VIOLATION: "heavy weapon in violation of withdrawal line",
    Category.TROOP_OR_VEHICLE_MOVEMENT: "troop or vehicle movement",
    Category.FREEDOM_OF_MOVEMENT_RESTRICTION: "freedom-of-movement restriction",
    Category.UAV_JAMMING: "freedom-of-movement restriction: UAV jamming",
    Category.GPS_INTERFERENCE: "freedom-of-movement restriction: GPS interference",
    Category.CIVILIAN_CASUALTY: "civilian casualty",
    Category.DAMAGE_TO_CIVILIAN_OBJECT: "damage to civilian object",
    Category.MINE_UXO: "mine / UXO",
    Category.DETENTION_EXCHANGE: "detention / exchange",
    Category.OTHER: "other",
}


# The categories' names as pages and published reports show them: the label table's
# (``i18n.labels``), translated where shown.
CATEGORY_NAMES = LABELS["category"]


class Means(StrEnum):
    """How the observer perceived the event."""

    HEARD = "heard"
    SEEN = "seen"
    CAMERA = "camera"
    UAV = "uav"


class WeaponClass(StrEnum):
    """Weapon classes as monitoring missions report them; ``unknown`` when not identified."""

    SMALL_ARMS = "small_arms"
    HEAVY_MACHINE_GUN = "heavy_machine_gun"
    GRENADE_LAUNCHER = "grenade_launcher"
    RECOILLESS_GUN = "recoilless_gun"
    MORTAR = "mortar"
    ARTILLERY = "artillery"
    MLRS = "mlrs"
    TANK = "tank"
    ANTI_TANK = "anti_tank"
    ANTI_AIRCRAFT = "anti_aircraft"
    MISSILE = "missile"
    UAV = "uav"
    MINE = "mine"
    OTHER = "other"
    UNKNOWN = "unknown"


class Confidence(StrEnum):
    """The reporter's own confidence in the observation."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class WherePrecision(IntEnum):
    """Location precision codes of UCDP GED ``where_prec``."""

    EXACT = 1
    NEAR = 2  # within about 25 km of the named place
    ADMIN2 = 3  # second-order administrative division (district)
    ADMIN1 = 4  # first-order administrative division (region)
    LINEAR_OR_AREA = 5  # a linear feature or larger area
    COUNTRY = 6
    WATER_OR_AIRSPACE = 7


CASUALTY_OUTCOMES = ("killed", "injured")
CASUALTY_GROUPS = ("civilian", "military", "unknown")
CASUALTY_KEYS = tuple(f"{o}_{g}" for o in CASUALTY_OUTCOMES for g in CASUALTY_GROUPS)

PARTY_CODE = re.compile(r"^[A-Z][A-Z0-9_-]{1,15}$")
"""Party codes are ISO 3166 alpha-3 (``ARM``, ``AZE``) or a short upper-case code."""

MAX_TEXT = 20_000
MAX_COUNT = 2**53 - 1
"""The largest count or casualty figure: the largest integer an IEEE double holds exactly,
so the stored JSON stays RFC 8785 canonical (I-JSON numbers are doubles) and every reader
of it gets the same number."""
MAX_SHORT_TEXT = 500
MAX_ID = 64
"""The longest agreement, post or sensor id a report may name."""
DEFAULT_FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_IDEMPOTENCY_KEY = 200
"""The longest ``Idempotency-Key`` (or ``client_report_id``) a client may give."""


@dataclass(frozen=True, slots=True)
class Point:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Position:
    """A point, or a named place with a UCDP precision code (or both)."""

    point: Point | None = None
    place_name: str | None = None
    precision: WherePrecision = WherePrecision.EXACT

    def to_dict(self) -> dict[str, Any]:
        return {
            "lat": self.point.lat if self.point else None,
            "lon": self.point.lon if self.point else None,
            "place_name": self.place_name,
            "precision": int(self.precision),
        }


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """When the event happened, in UTC, with the source's own local wording kept beside it."""

    start: datetime
    end: datetime
    precision: TimePrecision = TimePrecision.EXACT
    local_start: str | None = None
    local_end: str | None = None
    timezone: str | None = None

    def overlaps(self, start: datetime | None, end: datetime | None) -> bool:
        """Whether this window meets the closed interval [start, end] (open ends allowed)."""
        return (start is None or self.end >= start) and (end is None or self.start <= end)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "precision": self.precision.value,
            "local_start": self.local_start,
            "local_end": self.local_end,
            "timezone": self.timezone,
        }


@dataclass(frozen=True, slots=True)
class Estimate:
    """A count known as a range: low <= best <= high (UCDP's convention for deaths)."""

    low: int
    best: int
    high: int

    def to_dict(self) -> dict[str, int]:
        return {"low": self.low, "best": self.best, "high": self.high}


@dataclass(frozen=True, slots=True)
class ReportContent:
    """The validated content of one report: everything the source said, nothing we added."""

    channel: Channel
    observed: TimeWindow
    category: Category
    event_position: Position
    observer_position: Position | None = None
    distance_min_m: float | None = None
    distance_max_m: float | None = None
    bearing_deg: float | None = None
    count: int | None = None
    weapon_class: WeaponClass | None = None
    means: tuple[Means, ...] = ()
    alleged_perpetrator: str | None = None
    casualties: Mapping[str, Estimate] = field(default_factory=dict)
    narrative: str | None = None
    source_reference: str | None = None
    reporter: str | None = None
    confidence: Confidence | None = None
    classification: Classification = Classification.INTERNAL
    concerns: tuple[str, ...] = ()
    agreement_id: str | None = None
    post_id: str | None = None
    sensor_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON-able form: what is hashed, stored and returned."""
        return {
            "channel": self.channel.value,
            "observed": self.observed.to_dict(),
            "category": self.category.value,
            "event_position": self.event_position.to_dict(),
            "observer_position": (
                self.observer_position.to_dict() if self.observer_position else None
            ),
            "distance_m": (
                None
                if self.distance_min_m is None
                else {"min": self.distance_min_m, "max": self.distance_max_m}
            ),
            "bearing_deg": self.bearing_deg,
            "count": self.count,
            "weapon_class": self.weapon_class.value if self.weapon_class else None,
            "means": [m.value for m in self.means],
            "alleged_perpetrator": self.alleged_perpetrator,
            "casualties": {k: self.casualties[k].to_dict() for k in sorted(self.casualties)},
            "narrative": self.narrative,
            "source_reference": self.source_reference,
            "reporter": self.reporter,
            "confidence": self.confidence.value if self.confidence else None,
            "classification": self.classification.value,
            "concerns": list(self.concerns),
            "agreement_id": self.agreement_id,
            "post_id": self.post_id,
            "sensor_id": self.sensor_id,
        }

    def query_fields(self) -> dict[str, Any]:
        """The fields stored beside the content so that lists can filter on them."""
        return dict(zip(QUERY_FIELDS, self.query_values(), strict=True))

    def query_values(self) -> tuple[Any, ...]:
        """``query_fields`` as a tuple in the order of ``QUERY_FIELDS`` (for bulk writes)."""
        point = self.event_position.point
        observed = self.observed
        # ``_value_`` rather than ``value``: the same string without the enum's property.
        return (
            self.channel._value_,
            self.category._value_,
            self.classification._value_,
            concerns_key(self.concerns),
            observed.start,
            observed.end,
            observed.precision._value_,
            point.lat if point else None,
            point.lon if point else None,
            self.event_position.place_name,
            int(self.event_position.precision),
            self.alleged_perpetrator,
            self.agreement_id,
        )

    def canonical(self) -> tuple[str, str]:
        """The canonical JSON text of the content and its SHA-256: stored and ledgered as
        they are, so the hash is computed once and checking it needs no re-serialisation.

        The text is ``canonical_json(self.to_dict())``, written here directly: a bulk
        import makes tens of thousands a second, and building the dicts and sorting their
        keys cost more than the JSON itself. Unit tests hold the two to the same output.
        """
        text = self._canonical_text()
        return text, hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _canonical_text(self) -> str:
        # Keys in sorted order at every level, as ``canonical_json`` sorts them.
        observed = self.observed
        distance = (
            "null"
            if self.distance_min_m is None
            else f'{{"max":{json_number(self.distance_max_m)},'
            f'"min":{json_number(self.distance_min_m)}}}'
        )
        casualties = ",".join(
            f'{json_text(key)}:{{"best":{json_number(e.best)},"high":{json_number(e.high)},'
            f'"low":{json_number(e.low)}}}'
            for key, e in sorted(self.casualties.items())
        )
        return (
            f'{{"agreement_id":{json_text(self.agreement_id)},'
            f'"alleged_perpetrator":{json_text(self.alleged_perpetrator)},'
            f'"bearing_deg":{json_number(self.bearing_deg)},'
            f'"casualties":{{{casualties}}},'
            f'"category":{ENUM_JSON[self.category]},'
            f'"channel":{ENUM_JSON[self.channel]},'
            f'"classification":{ENUM_JSON[self.classification]},'
            f'"concerns":[{",".join(json_text(p) for p in self.concerns)}],'
            f'"confidence":{ENUM_JSON[self.confidence] if self.confidence else "null"},'
            f'"count":{json_number(self.count)},'
            f'"distance_m":{distance},'
            f'"event_position":{_json_position(self.event_position)},'
            f'"means":[{",".join([ENUM_JSON[m] for m in self.means])}],'
            f'"narrative":{json_text(self.narrative)},'
            f'"observed":{{"end":{json_text(observed.end.isoformat())},'
            f'"local_end":{json_text(observed.local_end)},'
            f'"local_start":{json_text(observed.local_start)},'
            f'"precision":{ENUM_JSON[observed.precision]},'
            f'"start":{json_text(observed.start.isoformat())},'
            f'"timezone":{json_text(observed.timezone)}}},'
            f'"observer_position":{_json_position(self.observer_position)},'
            f'"post_id":{json_text(self.post_id)},'
            f'"reporter":{json_text(self.reporter)},'
            f'"sensor_id":{json_text(self.sensor_id)},'
            f'"source_reference":{json_text(self.source_reference)},'
            f'"weapon_class":{ENUM_JSON[self.weapon_class] if self.weapon_class else "null"}}}'
        )

    def content_sha256(self) -> str:
        """SHA-256 of the canonical form: two reports with the same content hash alike."""
        return self.canonical()[1]


QUERY_FIELDS = (
    "channel",
    "category",
    "classification",
    "concerns",
    "observed_start",
    "observed_end",
    "time_precision",
    "event_lat",
    "event_lon",
    "event_place",
    "event_precision",
    "alleged_perpetrator",
    "agreement_id",
)
"""The names of ``ReportContent.query_fields``, in order (bulk writers send them as tuples)."""


_encode_string = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses


ENUM_JSON: dict[StrEnum, str] = {
    member: _encode_string(member.value)
    for enum in (Channel, Category, Classification, TimePrecision, Means, WeaponClass, Confidence)
    for member in enum
}
"""Each enum member's value as a JSON string, written once."""


def json_text(value: str | None) -> str:
    """A string or null as ``canonical_json`` writes it."""
    return "null" if value is None else _encode_string(value)


def json_number(value: float | None) -> str:
    """A number or null as ``canonical_json`` writes it (the ``json`` module's own rules)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _json_position(position: Position | None) -> str:
    if position is None:
        return "null"
    point = position.point
    return (
        f'{{"lat":{json_number(point.lat if point else None)},'
        f'"lon":{json_number(point.lon if point else None)},'
        f'"place_name":{json_text(position.place_name)},'
        f'"precision":{int.__repr__(int(position.precision))}}}'
    )


def canonical_json(data: Any) -> str:
    """``data`` serialised with sorted keys and no insignificant whitespace."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_sha256(data: Any) -> str:
    """SHA-256 of the canonical JSON text of ``data``."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- validation

TOP_LEVEL_FIELDS = frozenset(
    {
        "channel",
        "observed",
        "category",
        "event_position",
        "observer_position",
        "distance_m",
        "bearing_deg",
        "count",
        "weapon_class",
        "means",
        "alleged_perpetrator",
        "casualties",
        "narrative",
        "source_reference",
        "reporter",
        "confidence",
        "classification",
        "concerns",
        "agreement_id",
        "post_id",
        "sensor_id",
    }
)


@dataclass(frozen=True, slots=True)
class ChannelNeeds:
    """What a channel's report must say beyond the fields every report needs: at least one
    of ``any_of`` (the first is the field a refusal names)."""

    any_of: tuple[str, ...]
    message: str


CHANNEL_NEEDS: dict[Channel, ChannelNeeds] = {
    Channel.SENSOR_DETECTION: ChannelNeeds(
        ("sensor_id", "post_id"), N_("a sensor detection names its sensor_id or post_id")
    ),
    Channel.MONITOR_OBSERVATION: ChannelNeeds(
        ("means",), N_("a monitor observation says how it was made: heard, seen, camera, uav")
    ),
}
"""The rules of each channel that the validator applies and the API's document states
(``schemas.report_body_schemas``): one table for both."""

REQUIRED_FIELDS = ("channel", "category", "observed", "event_position")
"""The fields every report needs (``validate_report`` refuses a report without one)."""

CHANNEL_DEFAULT_CLASSIFICATION: dict[Channel, Classification] = {
    Channel.PARTY_COMPLAINT: Classification.SHARED
}
"""The classification of a report that names none, where it is not ``internal``: a complaint
is addressed to the centre and concerns the other side."""

OBSERVED_FIELDS = frozenset({"start", "end", "precision", "timezone"})
POSITION_FIELDS = frozenset({"lat", "lon", "place_name", "precision"})
DISTANCE_FIELDS = frozenset({"min", "max"})
ESTIMATE_FIELDS = frozenset({"low", "best", "high"})


# A report has some forty fields: more problems than this are a body of made-up keys, whose
# every name (with the fields expected) would otherwise come back, the answer several times
# the size of the request.
MAX_PROBLEMS = 100


class _Problems:
    """Collects every problem instead of stopping at the first (up to ``MAX_PROBLEMS``, then
    counts the rest)."""

    __slots__ = ("items", "more")

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.more = 0

    def add(self, loc: str, message: str, **params: Any) -> None:
        """``message``: a marked msgid, ``params`` its values (a page shows it translated)."""
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(problem(loc, message, **params))
        else:
            self.more += 1

    def listed(self) -> list[dict[str, Any]]:
        """The problems, the last saying how many more were not listed."""
        if not self.more:
            return self.items
        return [
            *self.items,
            problem("body", N_("and %(more)s more problems not listed"), more=self.more),
        ]


_E = TypeVar("_E", bound=StrEnum)


_LABEL_KIND = {
    "TimePrecision": "time_precision",
    "Means": "means",
    "Channel": "channel",
    "Category": "category",
    "WeaponClass": "weapon",
    "Confidence": "confidence",
    "Classification": "classification",
}
"""The label table (``i18n.labels``) of each value a report names from a list."""


def _choices(enum: type[StrEnum]) -> CodedWords:
    """``enum``'s values as a problem names them: codes in the API's English, words where
    shown in the reader's language."""
    return coded_words(_LABEL_KIND[enum.__name__], enum)


def _enum(
    value: Any, enum: type[_E], loc: str, probs: _Problems, *, required: bool = False
) -> _E | None:
    if type(value) is str:  # the common case first: a known value
        member = enum._value2member_map_.get(value)
        if member is not None:
            return member  # type: ignore[return-value]
    elif type(value) is enum:  # a default given as a member
        return value
    if value is None:
        if required:
            probs.add(loc, N_("required"))
        return None
    if not isinstance(value, str):
        probs.add(loc, N_("must be a string, one of: %(choices)s"), choices=_choices(enum))
        return None
    # A dictionary look-up: calling the enum costs several times more, and imports validate
    # tens of thousands of rows a second.
    member = enum._value2member_map_.get(value)
    if member is None:
        probs.add(
            loc,
            N_("unknown value %(value)s; expected one of: %(choices)s"),
            value=repr(value),
            choices=_choices(enum),
        )
        return None
    return member  # type: ignore[return-value]


def _number(value: Any, loc: str, probs: _Problems) -> float | None:
    kind = type(value)
    if kind is float:
        if value - value == 0.0:  # finite (inf - inf and nan - nan are nan)
            return value  # type: ignore[no-any-return]
    elif kind is int:
        return float(value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        probs.add(loc, N_("must be a number, got %(type)s"), type=type(value).__name__)
        return None
    if value != value or value in (float("inf"), float("-inf")):
        probs.add(loc, N_("must be a finite number"))
        return None
    return float(value)


def _integer(value: Any, loc: str, probs: _Problems, *, minimum: int = 0) -> int | None:
    if type(value) is int and minimum <= value <= MAX_COUNT:
        return value
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        probs.add(loc, N_("must be a whole number, got %(type)s"), type=type(value).__name__)
        return None
    if value < minimum:
        probs.add(loc, N_("must be at least %(minimum)s"), minimum=minimum)
        return None
    if value > MAX_COUNT:
        probs.add(loc, N_("must be at most %(maximum)s (2^53 - 1)"), maximum=MAX_COUNT)
        return None
    return value


# What neither the UTF-8 canonical form nor PostgreSQL can hold: NUL, and surrogate code
# points (a lone ``\ud800`` escape decodes to one).
UNSTORABLE_TEXT = re.compile("[\u0000\ud800-\udfff]")


def _text(value: Any, loc: str, probs: _Problems, *, limit: int = MAX_SHORT_TEXT) -> str | None:
    if type(value) is not str:  # one check for the common case: a plain str goes on
        if value is None:
            return None
        if not isinstance(value, str):
            probs.add(loc, N_("must be a string, got %(type)s"), type=type(value).__name__)
            return None
    value = value.strip()
    if len(value) > limit:
        probs.add(loc, N_("longer than %(limit)s characters"), limit=limit)
        return None
    if UNSTORABLE_TEXT.search(value) is not None:
        probs.add(loc, N_("contains a NUL character or a lone surrogate"))
        return None
    return value or None


def _is_mapping(value: Any) -> TypeGuard[Mapping[str, Any]]:
    # A dict is checked first: the abstract-class check costs several times more.
    return type(value) is dict or isinstance(value, Mapping)


def _mapping(value: Any, loc: str, probs: _Problems, allowed: frozenset[str]) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not _is_mapping(value):
        probs.add(loc, N_("must be an object, got %(type)s"), type=type(value).__name__)
        return {}
    if not allowed.issuperset(value):
        for key in value:
            if key not in allowed:
                probs.add(
                    f"{loc}.{key}",
                    N_("unknown field; expected one of: %(fields)s"),
                    fields=", ".join(sorted(allowed)),
                )
    return value


def _party(value: Any, loc: str, probs: _Problems) -> str | None:
    if type(value) is str:  # the common case first: a valid code
        code = valid_party_code(value)
        if code is not None:
            return code
    text = _text(value, loc, probs, limit=16)
    if text is None:
        return None
    if not PARTY_CODE.match(text):
        probs.add(loc, N_("not a party code (e.g. ARM, AZE): %(value)s"), value=repr(text))
        return None
    return text


def valid_party_code(value: str) -> str | None:
    """``value`` stripped if it is a valid party code, else None (``_party`` says why)."""
    text = value.strip()
    return text if len(text) <= 16 and PARTY_CODE.match(text) else None


def _zone(value: Any, loc: str, probs: _Problems) -> ZoneInfo | None:
    name = _text(value, loc, probs, limit=64)
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America" is a folder
        probs.add(loc, N_("unknown IANA time zone %(name)s"), name=repr(name))
        return None


def _instant(value: Any, loc: str, probs: _Problems, zone: ZoneInfo | None) -> datetime | None:
    """An ISO 8601 instant; without an offset it is read in ``zone`` (or UTC if none)."""
    if value is None:
        return None
    if not isinstance(value, str):
        probs.add(loc, N_("must be an ISO 8601 string, got %(type)s"), type=type(value).__name__)
        return None
    try:
        return utc_instant(value.strip(), zone)
    except ValueError:
        probs.add(loc, N_("not an ISO 8601 date or time: %(value)s"), value=repr(value))
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00 is before the first UTC date
        probs.add(
            loc,
            N_("outside the dates that can be recorded (years 1-9999 UTC): %(value)s"),
            value=repr(value),
        )
    return None


def utc_instant(text: str, zone: ZoneInfo | None = None) -> datetime:
    """An ISO 8601 instant (``Z`` accepted) in UTC; without an offset it is read in ``zone``
    (or UTC). ``ValueError`` if it is not ISO 8601, ``OverflowError`` if it falls off the
    calendar once in UTC."""
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone or UTC)
    return parsed.astimezone(UTC)


def default_window_end(start: datetime, precision: TimePrecision) -> datetime:
    """The end of a window given only by its start, from the precision of the start."""
    if precision is TimePrecision.EXACT:
        return start
    if precision is TimePrecision.DAY:
        return start + timedelta(days=1)
    if precision is TimePrecision.WEEK:
        return start + timedelta(days=7)
    if start.day != 1:
        return start + timedelta(days=30)
    # "November 2020" given as 2020-11-01: the window is the whole calendar month.
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start.replace(year=year, month=month)


def _observed(
    value: Any,
    probs: _Problems,
    *,
    now: datetime,
    future_tolerance: timedelta,
) -> TimeWindow | None:
    if value is None:
        probs.add("observed", N_("required: at least %(field)s"), field="observed.start")
        return None
    data = _mapping(value, "observed", probs, OBSERVED_FIELDS)
    if not _is_mapping(value):
        return None
    get = data.get
    raw_start, raw_end, raw_zone = get("start"), get("end"), get("timezone")
    precision = (
        _enum(get("precision"), TimePrecision, "observed.precision", probs) or TimePrecision.EXACT
    )
    zone = None if raw_zone is None else _zone(raw_zone, "observed.timezone", probs)
    start = _instant(raw_start, "observed.start", probs, zone)
    if raw_start is None:
        probs.add("observed.start", N_("required"))
    end = _instant(raw_end, "observed.end", probs, zone)
    if start is None:
        return None
    implied_end = end is None and raw_end is None
    if implied_end:
        try:
            end = default_window_end(start, precision)
        except OverflowError:
            probs.add("observed.start", N_("its window would end after the year 9999"))
            return None
    if end is None:
        return None
    bad = False
    if end < start:
        probs.add(
            "observed.end",
            N_("before %(field)s (%(end)s < %(start)s)"),
            field="observed.start",
            end=end.isoformat(),
            start=start.isoformat(),
        )
        bad = True
    latest = now + future_tolerance
    # The end a precision implies (the end of the day, week, month) may be in the future: a
    # report of today with day precision is valid. Only what the source said must not be.
    given = (
        (("observed.start", start),)
        if implied_end
        else (
            ("observed.start", start),
            ("observed.end", end),
        )
    )
    for loc, instant in given:
        if instant > latest:
            probs.add(
                loc,
                N_("in the future beyond the tolerance of %(seconds)s s (%(instant)s > %(now)s)"),
                seconds=int(future_tolerance.total_seconds()),
                instant=instant.isoformat(),
                now=now.isoformat(),
            )
            bad = True
    if not bad and end - start > PRECISION_MAX_SPAN[precision]:
        probs.add(
            "observed.precision",
            N_("a window of %(window)s contradicts precision %(precision)s"),
            window=end - start,
            precision=repr(precision.value),
        )
    local_start = data["start"].strip() if zone is not None else None
    local_end = raw_end.strip() if zone is not None and raw_end else None
    return TimeWindow(
        start=start,
        end=end,
        precision=precision,
        local_start=local_start,
        local_end=local_end,
        timezone=zone.key if zone is not None else None,
    )


_WHERE_PRECISIONS: dict[int, WherePrecision] = {int(p): p for p in WherePrecision}
_POSITION_LOCS: dict[str, tuple[str, str, str, str]] = {}


def _position_locs(loc: str) -> tuple[str, str, str, str]:
    """The locations of a position's fields (lat, lon, place_name, precision), made once."""
    locs = (f"{loc}.lat", f"{loc}.lon", f"{loc}.place_name", f"{loc}.precision")
    _POSITION_LOCS[loc] = locs
    return locs


def _position(value: Any, loc: str, probs: _Problems, *, required: bool) -> Position | None:
    if value is None:
        if required:
            probs.add(loc, N_("required: a point (lat, lon) or a place_name with precision"))
        return None
    data = _mapping(value, loc, probs, POSITION_FIELDS)
    if not _is_mapping(value):
        return None
    lat_loc, lon_loc, place_loc, precision_loc = _POSITION_LOCS.get(loc) or _position_locs(loc)
    get = data.get
    raw_lat, raw_lon, raw_precision = get("lat"), get("lon"), get("precision")
    lat = _number(raw_lat, lat_loc, probs)
    lon = _number(raw_lon, lon_loc, probs)
    ok = True
    if lat is not None and not -90.0 <= lat <= 90.0:
        probs.add(lat_loc, N_("latitude out of range [-90, 90]: %(lat)s"), lat=lat)
        ok = False
    if lon is not None and not -180.0 <= lon <= 180.0:
        probs.add(lon_loc, N_("longitude out of range [-180, 180]: %(lon)s"), lon=lon)
        ok = False
    has_lat, has_lon = raw_lat is not None, raw_lon is not None
    if has_lat != has_lon:
        probs.add(lon_loc if has_lat else lat_loc, N_("a point needs both lat and lon"))
        ok = False
    place = _text(get("place_name"), place_loc, probs)
    precision = WherePrecision.EXACT
    if raw_precision is not None:
        number = _integer(raw_precision, precision_loc, probs, minimum=1)
        if number is not None:
            if number > 7:
                probs.add(precision_loc, N_("UCDP where_prec is 1 (exact) to 7 (water/airspace)"))
            else:
                precision = _WHERE_PRECISIONS[number]
    point = Point(lat, lon) if ok and lat is not None and lon is not None else None
    if lat is None and lon is None and place is None and "place_name" not in data:
        probs.add(loc, N_("needs a point (lat, lon) or a place_name"))
        return None
    if point is None and place is not None and raw_precision is None:
        probs.add(precision_loc, N_("required with a place name alone (UCDP where_prec 1-7)"))
    if (
        point is None
        and place is not None
        and precision is WherePrecision.EXACT
        and raw_precision is not None
    ):
        probs.add(precision_loc, N_("precision 1 (exact) needs a point, not only a place name"))
    return Position(point=point, place_name=place, precision=precision)


def _distance(value: Any, probs: _Problems) -> tuple[float | None, float | None]:
    if value is None:
        return None, None
    data = _mapping(value, "distance_m", probs, DISTANCE_FIELDS)
    low = _number(data.get("min"), "distance_m.min", probs)
    high = _number(data.get("max"), "distance_m.max", probs)
    if low is not None and low < 0:
        probs.add("distance_m.min", N_("must not be negative"))
    if high is not None and high < 0:
        probs.add("distance_m.max", N_("must not be negative"))
    if low is None and high is None:
        if isinstance(value, Mapping):
            probs.add("distance_m", N_("needs min and/or max (metres)"))
        return None, None
    low = high if low is None else low
    high = low if high is None else high
    if low is not None and high is not None and low > high:
        probs.add(
            "distance_m.max",
            N_("smaller than %(field)s (%(high)s < %(low)s)"),
            field="distance_m.min",
            high=high,
            low=low,
        )
    return low, high


def _casualties(value: Any, probs: _Problems) -> dict[str, Estimate]:
    if value is None:
        return {}
    data = _mapping(value, "casualties", probs, frozenset(CASUALTY_KEYS))
    result: dict[str, Estimate] = {}
    for key in CASUALTY_KEYS:
        raw = data.get(key)
        if raw is None:
            continue
        loc = f"casualties.{key}"
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            best_only = _integer(raw, loc, probs)
            if best_only is not None:
                result[key] = Estimate(best_only, best_only, best_only)
            continue
        if not isinstance(raw, Mapping):
            probs.add(loc, N_("must be a number or an object {low, best, high}"))
            continue
        parts = _mapping(raw, loc, probs, ESTIMATE_FIELDS)
        best = _integer(parts.get("best"), f"{loc}.best", probs)
        low = _integer(parts.get("low"), f"{loc}.low", probs)
        high = _integer(parts.get("high"), f"{loc}.high", probs)
        if best is None:
            if parts.get("best") is None:
                probs.add(f"{loc}.best", N_("required"))
            continue
        low = best if low is None and parts.get("low") is None else low
        high = best if high is None and parts.get("high") is None else high
        if low is None or high is None:
            continue
        if low > best:
            probs.add(
                f"{loc}.low", N_("greater than best (%(low)s > %(best)s)"), low=low, best=best
            )
            continue
        if best > high:
            probs.add(
                f"{loc}.high", N_("smaller than best (%(high)s < %(best)s)"), high=high, best=best
            )
            continue
        result[key] = Estimate(low, best, high)
    return result


_MEANS_BY_VALUE: dict[str, Means] = {m.value: m for m in Means}


def _means(value: Any, probs: _Problems) -> tuple[Means, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        probs.add("means", N_("must be a list of: heard, seen, camera, uav"))
        return ()
    found: list[Means] = []
    known = _MEANS_BY_VALUE
    for index, item in enumerate(value):
        means = known.get(item) if type(item) is str else None
        if means is None:
            means = _enum(item, Means, f"means.{index}", probs)
        if means is not None and means not in found:
            found.append(means)
    return tuple(found)


def _concerns(value: Any, probs: _Problems) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        probs.add("concerns", N_("must be a list of party codes"))
        return []
    codes: list[str] = []
    for index, item in enumerate(value):
        code = valid_party_code(item) if type(item) is str else None
        if code is None:
            code = _party(item, f"concerns.{index}", probs)
        if code is not None and code not in codes:
            codes.append(code)
    return codes


def validate_report(
    data: Any,
    *,
    now: datetime,
    future_tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE,
    default_channel: Channel | None = None,
) -> ReportContent:
    """Validate an untrusted report body; raise ``InvalidInput`` listing every problem.

    ``now`` is passed in (never read here) so that validation is a pure function of its input.
    ``default_channel`` fills a missing ``channel`` (the CSV importer uses ``csv_import``).
    """
    probs = _Problems()
    if not _is_mapping(data):
        raise InvalidInput.worded(
            N_("a report must be a JSON object"),
            details=[
                problem("body", N_("must be an object, got %(type)s"), type=type(data).__name__)
            ],
        )
    if not TOP_LEVEL_FIELDS.issuperset(data):
        for key in data:
            if key not in TOP_LEVEL_FIELDS:
                probs.add(str(key), N_("unknown field"))

    get = data.get  # each field is looked up once
    raw_channel = get("channel")
    channel = _enum(
        raw_channel if raw_channel is not None else default_channel,
        Channel,
        "channel",
        probs,
        required=True,
    )
    category = _enum(get("category"), Category, "category", probs, required=True)
    observed = _observed(get("observed"), probs, now=now, future_tolerance=future_tolerance)
    event_position = _position(get("event_position"), "event_position", probs, required=True)
    raw_observer = get("observer_position")
    observer_position = (
        None
        if raw_observer is None
        else _position(raw_observer, "observer_position", probs, required=False)
    )
    raw_distance, raw_bearing = get("distance_m"), get("bearing_deg")
    distance_min, distance_max = (
        (None, None) if raw_distance is None else _distance(raw_distance, probs)
    )
    bearing = _number(raw_bearing, "bearing_deg", probs)
    if bearing is not None and not 0.0 <= bearing < 360.0:
        probs.add(
            "bearing_deg", N_("a compass bearing is in [0, 360): %(bearing)s"), bearing=bearing
        )
    count = _integer(get("count"), "count", probs, minimum=1)
    weapon_class = _enum(get("weapon_class"), WeaponClass, "weapon_class", probs)
    raw_means, raw_casualties = get("means"), get("casualties")
    means = _means(raw_means, probs)
    perpetrator = _party(get("alleged_perpetrator"), "alleged_perpetrator", probs)
    casualties = {} if raw_casualties is None else _casualties(raw_casualties, probs)
    narrative = _text(get("narrative"), "narrative", probs, limit=MAX_TEXT)
    source_reference = _text(get("source_reference"), "source_reference", probs)
    reporter = _text(get("reporter"), "reporter", probs)
    confidence = _enum(get("confidence"), Confidence, "confidence", probs)
    classification = _enum(get("classification"), Classification, "classification", probs)
    concerns = _concerns(get("concerns"), probs)
    agreement_id = _text(get("agreement_id"), "agreement_id", probs, limit=MAX_ID)
    post_id = _text(get("post_id"), "post_id", probs, limit=MAX_ID)
    sensor_id = _text(get("sensor_id"), "sensor_id", probs, limit=MAX_ID)

    # Contradictions between fields that are each valid on their own.
    if observer_position is None and raw_observer is None:
        if raw_distance is not None:
            probs.add("distance_m", N_("a distance needs observer_position to be measured from"))
        if raw_bearing is not None:
            probs.add("bearing_deg", N_("a bearing needs observer_position to be taken from"))
    if category is Category.CIVILIAN_CASUALTY:
        civilian = [
            casualties[k] for k in ("killed_civilian", "injured_civilian") if k in casualties
        ]
        if raw_casualties is None or not any(
            k in (raw_casualties or {}) for k in ("killed_civilian", "injured_civilian")
        ):
            probs.add(
                "casualties",
                N_("category civilian_casualty needs killed_civilian or injured_civilian"),
            )
        elif civilian and all(e.high == 0 for e in civilian):
            probs.add(
                "casualties",
                N_("category civilian_casualty contradicts zero civilian casualties"),
            )
    needs = CHANNEL_NEEDS.get(channel) if channel is not None else None
    if needs is not None:
        given = {"sensor_id": sensor_id, "post_id": post_id, "means": raw_means}
        if all(given[name] is None for name in needs.any_of):
            probs.add(needs.any_of[0], needs.message)
    if Means.HEARD in means and len(means) == 1 and category in SEEN_ONLY_CATEGORIES:
        probs.add(
            "means",
            N_("category %(category)s cannot be established by ear alone"),
            category=category,
        )

    if probs.items:
        names = ", ".join(dict.fromkeys(p["loc"] for p in probs.items))
        if probs.more:
            names += f" and {probs.more} more"
        raise InvalidInput.worded(
            N_("invalid report: %(fields)s"), details=probs.listed(), fields=names
        )

    assert channel is not None
    assert category is not None
    assert observed is not None
    assert event_position is not None
    if perpetrator is not None and perpetrator not in concerns:
        concerns.append(perpetrator)
    if classification is None:
        classification = CHANNEL_DEFAULT_CLASSIFICATION.get(channel, Classification.INTERNAL)
    # Positional: in the order of ReportContent's fields (a bulk import makes tens of
    # thousands a second, and keyword arguments cost more).
    return ReportContent(
        channel,
        observed,
        category,
        event_position,
        observer_position,
        distance_min,
        distance_max,
        bearing,
        count,
        weapon_class,
        means,
        perpetrator,
        casualties,
        narrative,
        source_reference,
        reporter,
        confidence,
        classification,
        tuple(sorted(concerns)),
        agreement_id,
        post_id,
        sensor_id,
    )


# Categories an observer cannot establish from sound alone.
SEEN_ONLY_CATEGORIES = frozenset(
    {
        Category.MUZZLE_FLASH,
        Category.ILLUMINATION_FLARE,
        Category.TROOP_OR_VEHICLE_MOVEMENT,
        Category.HEAVY_WEAPON_IN_VIOLATION,
        Category.DAMAGE_TO_CIVILIAN_OBJECT,
    }
)


def content_from_dict(data: Mapping[str, Any]) -> ReportContent:
    """Rebuild content from its canonical ``to_dict`` form (as stored); no validation."""
    observed = data["observed"]

    def position(raw: Mapping[str, Any] | None) -> Position | None:
        if raw is None:
            return None
        point = Point(raw["lat"], raw["lon"]) if raw.get("lat") is not None else None
        return Position(point, raw.get("place_name"), WherePrecision(raw["precision"]))

    event_position = position(data["event_position"])
    assert event_position is not None
    distance = data.get("distance_m") or {}
    return ReportContent(
        channel=Channel(data["channel"]),
        observed=TimeWindow(
            start=datetime.fromisoformat(observed["start"]),
            end=datetime.fromisoformat(observed["end"]),
            precision=TimePrecision(observed["precision"]),
            local_start=observed.get("local_start"),
            local_end=observed.get("local_end"),
            timezone=observed.get("timezone"),
        ),
        category=Category(data["category"]),
        event_position=event_position,
        observer_position=position(data.get("observer_position")),
        distance_min_m=distance.get("min"),
        distance_max_m=distance.get("max"),
        bearing_deg=data.get("bearing_deg"),
        count=data.get("count"),
        weapon_class=WeaponClass(data["weapon_class"]) if data.get("weapon_class") else None,
        means=tuple(Means(m) for m in data.get("means") or ()),
        alleged_perpetrator=data.get("alleged_perpetrator"),
        casualties={
            k: Estimate(v["low"], v["best"], v["high"])
            for k, v in (data.get("casualties") or {}).items()
        },
        narrative=data.get("narrative"),
        source_reference=data.get("source_reference"),
        reporter=data.get("reporter"),
        confidence=Confidence(data["confidence"]) if data.get("confidence") else None,
        classification=Classification(data["classification"]),
        concerns=tuple(data.get("concerns") or ()),
        agreement_id=data.get("agreement_id"),
        post_id=data.get("post_id"),
        sensor_id=data.get("sensor_id"),
    )


def redact_for_public(report: Mapping[str, Any]) -> dict[str, Any]:
    """The public form of a report dict: no observer position, no reporter, no references.

    Observer positions reveal where monitors stand; reporter names and source references
    name persons. What stays is what happened, where, and when.
    """
    kept = {
        key: value
        for key, value in report.items()
        if key
        not in {
            "observer_position",
            "distance_m",
            "bearing_deg",
            "reporter",
            "source_reference",
            "narrative",
            "submitted_by",
            "owner_member",
            "idempotency_key",
            "post_id",
            "sensor_id",
        }
    }
    observed = kept.get("observed")
    if isinstance(observed, Mapping):
        kept["observed"] = {
            k: v for k, v in observed.items() if k not in {"local_start", "local_end"}
        }
    return kept

"""Synthetic report streams with known ground truth (fixed seeds), for the fusion bench,
the tests and the demo data.

A *true incident* happens at a place and instant; 1-6 sources report it, each with the
noise real sources have: clocks and "around 14:00" (minutes), news that gives only the day,
positions from a few hundred metres off to "near Aghdam" (the town's coordinates) or "Aghdam
district", a category as the source perceived it ("explosion heard" for shelling), the
accused party in a complaint, and each source's own wording (news copies of one wire story
keep it nearly word for word). Around them: events with one report, and events of an
incompatible kind at the same place and time (a detention beside shelling).

Places are the towns of the 2020 statement's area (GeoNames coordinates, see
shared/docs/domain.md) with their district, economic region and villages: the tables of
``fusion.places``, which the service reads too (the generator depends on them, not the other
way round).
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape

from ceasefire.agreements.model import Zone
from ceasefire.fusion.model import (
    EARTH_RADIUS_M,
    FusionReport,
    normalise_text,
    said_time,
    stated_count,
)
from ceasefire.fusion.places import LOCALITIES, PLACES, Place, is_village, localities_named
from ceasefire.reports.model import CATEGORY_LABELS, Category, Channel, TimePrecision

PARTIES = ("ARM", "AZE")

POSTS_PER_DISTRICT = 3
UAVS = 6


def post_key(district: str, number: int) -> str:
    """The id of a generated monitor post: ``post-<district>-<number>`` (1 to
    ``POSTS_PER_DISTRICT``), e.g. ``post-aghdam-2``."""
    return f"post-{district.lower()}-{number}"


def uav_key(number: int) -> str:
    """The id of a generated UAV (1 to ``UAVS``), e.g. ``uav-3``."""
    return f"uav-{number}"


_CATEGORY_WEIGHTS: tuple[tuple[Category, float], ...] = (
    (Category.SHELLING, 0.24),
    (Category.EXPLOSION_IMPACT, 0.08),
    (Category.SMALL_ARMS_FIRE, 0.15),
    (Category.HEAVY_MACHINE_GUN_FIRE, 0.07),
    (Category.ARMED_CLASH, 0.07),
    (Category.DRONE_STRIKE, 0.05),
    (Category.TROOP_OR_VEHICLE_MOVEMENT, 0.08),
    (Category.HEAVY_WEAPON_IN_VIOLATION, 0.03),
    (Category.FREEDOM_OF_MOVEMENT_RESTRICTION, 0.04),
    (Category.UAV_JAMMING, 0.03),
    (Category.CIVILIAN_CASUALTY, 0.05),
    (Category.DAMAGE_TO_CIVILIAN_OBJECT, 0.04),
    (Category.MINE_UXO, 0.03),
    (Category.DETENTION_EXCHANGE, 0.04),
)

PERCEIVED_AS: dict[Category, tuple[Category, ...]] = {
    # What another source may call the same event.
    Category.SHELLING: (Category.EXPLOSION_IMPACT, Category.EXPLOSION_UNDETERMINED),
    Category.EXPLOSION_IMPACT: (Category.SHELLING, Category.EXPLOSION_UNDETERMINED),
    Category.SMALL_ARMS_FIRE: (Category.HEAVY_MACHINE_GUN_FIRE, Category.ARMED_CLASH),
    Category.HEAVY_MACHINE_GUN_FIRE: (Category.SMALL_ARMS_FIRE,),
    Category.ARMED_CLASH: (Category.SMALL_ARMS_FIRE, Category.SHELLING),
    Category.DRONE_STRIKE: (Category.EXPLOSION_IMPACT, Category.EXPLOSION_AIRBURST),
    Category.TROOP_OR_VEHICLE_MOVEMENT: (Category.HEAVY_WEAPON_IN_VIOLATION,),
    Category.HEAVY_WEAPON_IN_VIOLATION: (Category.TROOP_OR_VEHICLE_MOVEMENT,),
    Category.FREEDOM_OF_MOVEMENT_RESTRICTION: (Category.UAV_JAMMING,),
    Category.UAV_JAMMING: (Category.GPS_INTERFERENCE,),
    Category.CIVILIAN_CASUALTY: (Category.SHELLING, Category.DAMAGE_TO_CIVILIAN_OBJECT),
    Category.DAMAGE_TO_CIVILIAN_OBJECT: (Category.SHELLING, Category.CIVILIAN_CASUALTY),
    Category.MINE_UXO: (Category.EXPLOSION_UNDETERMINED,),
    Category.DETENTION_EXCHANGE: (),
}

UNRELATED: dict[Category, Category] = {
    # An event of an incompatible kind that happens beside another.
    Category.SHELLING: Category.DETENTION_EXCHANGE,
    Category.SMALL_ARMS_FIRE: Category.UAV_JAMMING,
    Category.TROOP_OR_VEHICLE_MOVEMENT: Category.SHELLING,
    Category.DETENTION_EXCHANGE: Category.SMALL_ARMS_FIRE,
}

_REPORTS_PER_INCIDENT = (1, 2, 3, 4, 5, 6)
_REPORTS_WEIGHTS = (0.30, 0.25, 0.18, 0.12, 0.09, 0.06)
_CHANNELS = (
    Channel.MONITOR_OBSERVATION,
    Channel.SENSOR_DETECTION,
    Channel.PARTY_COMPLAINT,
    Channel.NEWS,
    Channel.PUBLIC_HOTLINE,
)
_CHANNEL_WEIGHTS = (0.35, 0.15, 0.15, 0.25, 0.10)
_WIRES = ("Reuters", "AFP", "TASS", "APA", "Armenpress")
_OUTLETS = (
    "news.example.az",
    "daily.example.am",
    "world.example.com",
    "caucasus.example.ru",
    "wire.example.tr",
    "herald.example.org",
)
_DIRECTIONS = ("north", "north-east", "east", "south-east", "south", "south-west", "west")
_BAKU_OFFSET = timedelta(hours=4)  # Asia/Baku had no daylight saving time in 2020


@dataclass(frozen=True, slots=True)
class TrueIncident:
    """What really happened (the ground truth a stream is generated from)."""

    number: int
    category: Category
    at: float
    lat: float
    lon: float
    place: Place
    perpetrator: str | None
    count: int
    locality: str


@dataclass(frozen=True, slots=True)
class SyntheticReport:
    """A generated report, the true incident it describes, and when it reached the centre."""

    report: FusionReport
    truth: int
    arrival: float
    narrative: str
    place: Place
    place_name: str


class StreamGenerator:
    """Generates true incidents and their noisy reports, reproducibly from ``seed``.

    ``incidents_per_day`` sets the density (constant however long the stream: a longer
    stream covers more days, as a real one does).
    """

    def __init__(
        self,
        seed: int,
        *,
        start: datetime = datetime(2020, 11, 10, tzinfo=UTC),
        incidents_per_day: float = 20.0,
        unrelated_share: float = 0.05,
        places: Sequence[Place] = PLACES,
    ) -> None:
        # Reproducible noise, not secrets.
        self.rng = random.Random(seed)  # noqa: S311
        self.start = start.timestamp()
        self.incidents_per_day = incidents_per_day
        self.unrelated_share = unrelated_share
        self.places = tuple(places)
        self._categories = [c for c, _ in _CATEGORY_WEIGHTS]
        self._category_weights = [w for _, w in _CATEGORY_WEIGHTS]
        self._incidents = 0
        self._reports = 0

    def stream(self, count: int) -> Iterator[SyntheticReport]:
        """``count`` reports in order of arrival."""
        pending: list[tuple[float, int, SyntheticReport]] = []
        emitted = 0
        day = 0
        while emitted < count:
            day_start = self.start + day * 86_400.0
            for incident in self._day(day_start):
                for item in self.reports_of(incident):
                    heapq.heappush(pending, (item.arrival, self._reports, item))
            day += 1
            horizon = self.start + day * 86_400.0
            while pending and pending[0][0] < horizon and emitted < count:
                yield heapq.heappop(pending)[2]
                emitted += 1
        # Reports of the last days that arrive later are cut: the stream has ``count``.

    def _day(self, day_start: float) -> Iterator[TrueIncident]:
        rng = self.rng
        for _ in range(_poisson(rng, self.incidents_per_day)):
            incident = self.incident(day_start + rng.random() * 86_400.0)
            yield incident
            if rng.random() < self.unrelated_share and incident.category in UNRELATED:
                yield self._unrelated_beside(incident)

    def incident(self, at: float, place: Place | None = None) -> TrueIncident:
        """A true incident at ``at`` (POSIX seconds), near ``place`` or a random place."""
        rng = self.rng
        place = place or rng.choice(self.places)
        locality = rng.choice(LOCALITIES[place.name])
        lat, lon = offset(
            *village_point(place, locality), rng.uniform(0, 2_500), rng.uniform(0, 360)
        )
        category = rng.choices(self._categories, self._category_weights)[0]
        perpetrator = rng.choice(PARTIES) if rng.random() < 0.9 else None
        self._incidents += 1
        return TrueIncident(
            self._incidents,
            category,
            at,
            lat,
            lon,
            place,
            perpetrator,
            rng.randint(1, 40),
            locality,
        )

    def _unrelated_beside(self, incident: TrueIncident) -> TrueIncident:
        rng = self.rng
        self._incidents += 1
        lat, lon = offset(incident.lat, incident.lon, rng.uniform(0, 1_500), rng.uniform(0, 360))
        return TrueIncident(
            self._incidents,
            UNRELATED[incident.category],
            incident.at + rng.uniform(-1_800, 1_800),
            lat,
            lon,
            incident.place,
            rng.choice(PARTIES),
            1,
            incident.locality,
        )

    def reports_of(self, incident: TrueIncident) -> list[SyntheticReport]:
        """The noisy reports of one true incident (1-6)."""
        rng = self.rng
        k = rng.choices(_REPORTS_PER_INCIDENT, _REPORTS_WEIGHTS)[0]
        reports: list[SyntheticReport] = []
        wire_text: str | None = None
        for _ in range(k):
            channel = rng.choices(_CHANNELS, _CHANNEL_WEIGHTS)[0]
            item = self._report(incident, channel, wire_text)
            if channel is Channel.NEWS and wire_text is None:
                wire_text = item.narrative
            reports.append(item)
        return reports

    def _report(
        self, incident: TrueIncident, channel: Channel, wire_text: str | None
    ) -> SyntheticReport:
        rng = self.rng
        self._reports += 1
        report_id = f"r{self._reports}"
        # Category as perceived.
        category = incident.category
        roll = rng.random()
        if roll < 0.2 and PERCEIVED_AS[category]:
            category = rng.choice(PERCEIVED_AS[category])
        elif roll > 0.97:
            category = Category.OTHER
        # Time.
        precision = TimePrecision.EXACT
        if (channel is Channel.NEWS and rng.random() < 0.6) or (
            channel is Channel.PARTY_COMPLAINT and rng.random() < 0.3
        ):
            precision = TimePrecision.DAY
        if precision is TimePrecision.DAY:
            local = datetime.fromtimestamp(incident.at, UTC) + _BAKU_OFFSET
            day = datetime(local.year, local.month, local.day, tzinfo=UTC) - _BAKU_OFFSET
            start = day.timestamp()
            end = start + 86_400.0
        else:
            sigma = 180.0 if channel is Channel.SENSOR_DETECTION else 900.0
            start = incident.at + rng.gauss(0, sigma)
            end = start + rng.uniform(60, 2_400)
        # Place: sources name the village about half the time, the town otherwise.
        names_village = rng.random() < 0.5
        where, lat, lon, place_name = self._position(incident, channel, names_village)
        # Actor.
        perpetrator = self._perpetrator(incident, channel)
        delay = {
            Channel.MONITOR_OBSERVATION: (600, 7_200),
            Channel.SENSOR_DETECTION: (60, 900),
            Channel.PARTY_COMPLAINT: (1_800, 43_200),
            Channel.NEWS: (3_600, 86_400),
            Channel.PUBLIC_HOTLINE: (300, 3_600),
        }[channel]
        arrival = max(incident.at, end) + rng.uniform(*delay)
        narrative, source_key, reference = self._wording(
            incident, channel, category, wire_text, report_id, names_village
        )
        report = FusionReport(
            id=report_id,
            channel=channel,
            category=category,
            start=start,
            end=end,
            time_precision=precision,
            lat=lat,
            lon=lon,
            where_precision=where,
            district=incident.place.district,
            region=incident.place.region,
            perpetrator=perpetrator,
            text=normalise_text(narrative),
            source_key=source_key,
            source_reference=reference,
            place_name=normalise_text(place_name) or None,
            said_at=said_time(narrative, start, end, precision),
            count=stated_count(narrative),
            localities=localities_named(normalise_text(narrative)),
            place_is_village=is_village(place_name),
        )
        return SyntheticReport(
            report, incident.number, arrival, narrative, incident.place, place_name
        )

    def _position(
        self, incident: TrueIncident, channel: Channel, names_village: bool
    ) -> tuple[int, float | None, float | None, str]:
        rng = self.rng
        roll = rng.random()
        # (share of precision 1, share of precision 2, share of precision 3), rest region.
        shares = {
            Channel.MONITOR_OBSERVATION: (0.85, 1.0, 1.0),
            Channel.SENSOR_DETECTION: (1.0, 1.0, 1.0),
            Channel.PARTY_COMPLAINT: (0.3, 0.8, 1.0),
            Channel.NEWS: (0.0, 0.6, 0.95),
            Channel.PUBLIC_HOTLINE: (0.3, 1.0, 1.0),
        }[channel]
        if roll < shares[0]:
            sigma = {Channel.SENSOR_DETECTION: 200.0, Channel.PARTY_COMPLAINT: 1_200.0}.get(
                channel, 700.0
            )
            lat, lon = offset(
                incident.lat, incident.lon, abs(rng.gauss(0, sigma)), rng.uniform(0, 360)
            )
            return 1, lat, lon, incident.locality if names_village else incident.place.name
        if roll < shares[1]:
            # "Near <place>": the gazetteer's coordinates of the place named.
            if names_village:
                lat, lon = village_point(incident.place, incident.locality)
                return 2, lat, lon, incident.locality
            return 2, incident.place.lat, incident.place.lon, incident.place.name
        if roll < shares[2]:
            return 3, None, None, f"{incident.place.district} district"
        return 4, None, None, f"{incident.place.region} region"

    def _perpetrator(self, incident: TrueIncident, channel: Channel) -> str | None:
        rng = self.rng
        true = incident.perpetrator
        if channel is Channel.PARTY_COMPLAINT:
            if true is None or rng.random() < 0.15:
                # A complaint always accuses someone, sometimes wrongly.
                return rng.choice(PARTIES)
            return true
        if channel is Channel.MONITOR_OBSERVATION and rng.random() < 0.4:
            return true
        if channel is Channel.NEWS and rng.random() < 0.5:
            return true
        return None

    def _wording(
        self,
        incident: TrueIncident,
        channel: Channel,
        category: Category,
        wire_text: str | None,
        report_id: str,
        names_village: bool,
    ) -> tuple[str, str | None, str | None]:
        rng = self.rng
        label = CATEGORY_LABELS[category]
        place = incident.place.name
        where = f"{incident.locality} near {place}" if names_village else f"the {place} area"
        when = datetime.fromtimestamp(incident.at, UTC) + _BAKU_OFFSET
        hour = f"{when.hour:02d}:{5 * (when.minute // 5):02d}"
        direction = rng.choice(_DIRECTIONS)
        count = max(1, incident.count + rng.randint(-3, 3))
        if channel is Channel.MONITOR_OBSERVATION:
            post = post_key(incident.place.district, rng.randint(1, POSTS_PER_DISTRICT))
            text = rng.choice(
                (
                    f"Patrol recorded {count} {label} {direction} of {where} at about {hour}, "
                    f"assessed {rng.choice(('2-4', '4-6', '5-8'))} km from the post.",
                    f"At {hour} the post heard {label} ({count}) to the {direction}, "
                    f"towards {where}.",
                    f"{label.capitalize()}: {count} events observed from the post, "
                    f"{direction} direction, {where}.",
                )
            )
            return text, post, None
        if channel is Channel.SENSOR_DETECTION:
            sensor = uav_key(rng.randint(1, UAVS))
            text = rng.choice(
                (
                    f"UAV imagery shows {label} at {where}, {count} events, at {hour}.",
                    f"Flight over {where} at {hour}: {label} detected.",
                )
            )
            return text, sensor, None
        if channel is Channel.PARTY_COMPLAINT:
            text = rng.choice(
                (
                    f"Complaint: the other side conducted {label} on positions at {where} "
                    f"around {hour}; {count} rounds.",
                    f"We protest the {label} against our units at {where} today at {hour}.",
                    f"Violation at {where}: {label}, about {count}, starting {hour}.",
                )
            )
            return text, f"liaison-{rng.choice(PARTIES).lower()}", None
        if channel is Channel.NEWS:
            outlet = rng.choice(_OUTLETS)
            reference = f"https://{outlet}/2020/{report_id}"
            if wire_text is not None and rng.random() < 0.5:
                # A reprint of the wire story, lightly edited.
                text = wire_text.replace(" on ", " on the ", 1)
                return text, None, reference
            wire = rng.choice(_WIRES)
            text = rng.choice(
                (
                    f"{label.capitalize()} was reported at {where} on {when:%d %B}, "
                    f"officials said ({wire}). Residents described {count} blasts.",
                    f"{place}: residents report {label} {direction} of the town; "
                    f"no official comment yet.",
                    f"The defence ministry accused the other side of {label} at {where} "
                    f"on {when:%A}, {wire} reported.",
                )
            )
            return text, None, reference
        text = f"Caller reports {label} at {where}."
        return text, None, None


def village_point(place: Place, village: str) -> tuple[float, float]:
    """Where a village of ``place`` lies: 3-12 km from the town, fixed by its name (the
    synthetic gazetteer; the real coordinates do not matter to the bench)."""
    rng = random.Random(f"{place.name}/{village}")  # noqa: S311 - a fixed layout, not a secret
    return offset(place.lat, place.lon, rng.uniform(3_000, 12_000), rng.uniform(0, 360))


def offset(lat: float, lon: float, distance: float, bearing_deg: float) -> tuple[float, float]:
    """The point ``distance`` metres from (lat, lon) on ``bearing_deg`` (small distances)."""
    bearing = math.radians(bearing_deg)
    dlat = distance * math.cos(bearing) / (math.pi * EARTH_RADIUS_M / 180.0)
    dlon = (
        distance
        * math.sin(bearing)
        / (math.pi * EARTH_RADIUS_M / 180.0 * math.cos(math.radians(lat)))
    )
    return lat + dlat, lon + dlon


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (normal approximation above 50, Knuth's method below)."""
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# -- demo data ------------------------------------------------------------------------------

DEMO_START = datetime(2020, 11, 10, tzinfo=UTC)
DEMO_END = datetime(2020, 12, 10, tzinfo=UTC)


def point_in_zone(rng: random.Random, zone: Zone, *, tries: int = 200) -> tuple[float, float]:
    """A random (lat, lon) inside ``zone`` (rejection sampling in its bounding box)."""
    geometry = shape(zone.geometry)
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    for _ in range(tries):
        lat, lon = rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)
        if geometry.contains(ShapelyPoint(lon, lat)):
            return lat, lon
    raise ValueError(f"no point found inside zone {zone.id}")


def demo_month(
    seed: int,
    *,
    zones: Sequence[Zone] = (),
    incidents_per_day: float = 12.0,
    agreement_id: str = "nk-2020-trilateral",
) -> list[dict[str, Any]]:
    """A month (10 Nov - 10 Dec 2020) of monitor reports, party complaints and UAV
    detections, as report bodies in the JSON form of the API (``validate_report`` accepts
    them with ``now`` after 10 Dec 2020).

    About a third of the events lie inside ``zones`` (the agreement's handover districts and
    corridor), the rest near the area's towns. Party complaints are ``shared`` and concern
    both parties; the rest are ``internal``.
    """
    generator = StreamGenerator(seed, start=DEMO_START, incidents_per_day=incidents_per_day)
    rng = generator.rng
    bodies: list[dict[str, Any]] = []
    day = DEMO_START
    while day < DEMO_END:
        for _ in range(_poisson(rng, incidents_per_day)):
            at = day.timestamp() + rng.random() * 86_400.0
            incident = generator.incident(at)
            if zones and rng.random() < 0.35:
                zone = rng.choice(list(zones))
                lat, lon = point_in_zone(rng, zone)
                incident = TrueIncident(
                    incident.number,
                    incident.category,
                    incident.at,
                    lat,
                    lon,
                    _nearest_place(lat, lon),
                    incident.perpetrator,
                    incident.count,
                    incident.locality,
                )
            for item in generator.reports_of(incident):
                body = api_body(rng, item, agreement_id, until=DEMO_END)
                if body is not None:
                    bodies.append(body)
        day += timedelta(days=1)
    return bodies


def _nearest_place(lat: float, lon: float) -> Place:
    return min(PLACES, key=lambda p: (p.lat - lat) ** 2 + ((p.lon - lon) * 0.77) ** 2)


_DEMO_CHANNELS = {
    Channel.MONITOR_OBSERVATION,
    Channel.SENSOR_DETECTION,
    Channel.PARTY_COMPLAINT,
}
_SEEN_ONLY = {
    Category.MUZZLE_FLASH,
    Category.ILLUMINATION_FLARE,
    Category.TROOP_OR_VEHICLE_MOVEMENT,
    Category.HEAVY_WEAPON_IN_VIOLATION,
    Category.DAMAGE_TO_CIVILIAN_OBJECT,
}


def api_body(
    rng: random.Random,
    item: SyntheticReport,
    agreement_id: str,
    *,
    until: datetime | None = None,
) -> dict[str, Any] | None:
    """A synthetic report as a body of the API (``client_report_id`` ``demo-<id>``), for the
    channels members file (monitors, sensors, complaints; ``None`` for news and hotline, and
    for a report ending after ``until``)."""
    report = item.report
    if report.channel not in _DEMO_CHANNELS:
        return None
    if until is not None and report.end > until.timestamp():
        return None
    start = datetime.fromtimestamp(report.start, UTC)
    end = datetime.fromtimestamp(report.end, UTC)
    position: dict[str, Any] = {"place_name": item.place_name, "precision": report.where_precision}
    if report.lat is not None and report.lon is not None:
        position |= {"lat": round(report.lat, 5), "lon": round(report.lon, 5)}
    body: dict[str, Any] = {
        "channel": report.channel.value,
        "observed": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "precision": report.time_precision.value,
        },
        "category": report.category.value,
        "event_position": position,
        "narrative": item.narrative,
        "agreement_id": agreement_id,
        "client_report_id": f"demo-{report.id}",
        "concerns": list(PARTIES),
    }
    if report.perpetrator:
        body["alleged_perpetrator"] = report.perpetrator
    if report.channel is Channel.MONITOR_OBSERVATION:
        body["means"] = (
            ["seen"] if report.category in _SEEN_ONLY else [rng.choice(("heard", "seen"))]
        )
        body["post_id"] = report.source_key
    elif report.channel is Channel.SENSOR_DETECTION:
        body["sensor_id"] = report.source_key
        body["means"] = ["uav"]
    else:
        body["classification"] = "shared"
    if report.category is Category.CIVILIAN_CASUALTY:
        body["casualties"] = {"injured_civilian": rng.randint(1, 4)}
    return body

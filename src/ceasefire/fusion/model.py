"""Fusion of reports into incidents: what a report looks like to the matcher, and how two
reports are compared.

Pure rules and values (no storage, no web). The matcher (``ceasefire.fusion.matcher``)
compares a new report with the reports of the open incidents near it in time and space
(``ceasefire.fusion.index``) and keeps the evidence of every decision.

Five features are compared, each scored in [0, 1]:

- **time**: the gap between two windows, against a tolerance that widens with their time
  precision (an "exact" report allows an hour either way, a "day" report six hours more);
- **place**: the distance between two points, against a radius that widens with their
  location precision (UCDP ``where_prec``: 1 exact ≈ 3 km, 2 near a place ≈ 25 km). A report
  known only to the district (precision 3) or region (4) has no usable point: it is compared
  by administrative area only, and merges only with other strong evidence;
- **category**: same category, compatible ones ("explosion heard" and "shelling"), or
  incompatible ("detention" and "shelling": never one incident);
- **actor**: the alleged perpetrators agree, differ, or one is unknown (then not scored);
- **text**: rapidfuzz ``token_sort_ratio`` of the narratives (when both say enough).

The gates (time tolerance, place radius or area, category compatibility) decide whether a
pair can be one event at all; the sum of the features' evidence, in bits as in
Fellegi-Sunter record linkage, decides whether it is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from rapidfuzz import fuzz, utils

from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.reports.model import (
    Category,
    Channel,
    ReportContent,
    TimePrecision,
    WherePrecision,
)

MATCHER_NAME = "fusion.matcher.v1"
"""The versioned name of the matcher below. A change of behaviour becomes ``v2``: a stored
grouping always says which version produced it."""

MATCHER_V2_NAME = "fusion.matcher.v2"
"""The matcher that compares a report with every member of an incident (a member the gates
rule out counts against it), defers coarse and ambiguous reports, and decides a coarse
report against the competing incidents rather than an absolute bar (docs/fusion.md)."""

MATCHER_V3_NAME = "fusion.matcher.v3"
"""v2, plus the evidence a report carries beyond its fields (the hour its text says inside a
day-level window, the villages its text names) and the bridging merge: a report that
matches two open incidents which can be one event merges them (docs/fusion.md)."""

MATCHER_V4_NAME = "fusion.matcher.v4"
"""v3, plus a link by complete linkage: a report v3 would leave to open its own incident
joins the one neighbouring incident whose every member it fits (docs/fusion.md)."""

MATCHER_V5_NAME = "fusion.matcher.v5"
"""v4's decisions on sharper time evidence: the closeness of two windows is cubed, so a
near-identical time says more and a gap near the tolerance less (docs/fusion.md)."""

MATCHER_V6_NAME = "fusion.matcher.v6"
"""v5, and a coarse report's lead is taken over the *anchored* incidents only (an incident
of one coarse report, itself a report left alone, does not make a coarse report
ambiguous); the text counts only when near-identical (docs/fusion.md)."""

MATCHER_V7_NAME = "fusion.matcher.v7"
"""v6, and the villages, counts and actors a report gives are compared with its candidate
incident's members as a whole (not with its best member only); a point "near" a village is
read as near it (a village radius, not a town's); lower bars (docs/fusion.md)."""

EARTH_RADIUS_M = 6_371_008.8

LOCAL_UTC_OFFSET_S = 4 * 3_600.0
"""The area's clocks: Asia/Baku and Asia/Yerevan are UTC+4 all year (no daylight saving
since 2016 and 2012). An hour a source gives ("at 14:35") is read in this zone."""

SAID_TIME_WINDOW_S = 300.0
"""The window an hour said in a text stands for: sources round to five minutes."""

# -- tolerances -----------------------------------------------------------------------------

TIME_SLACK_S: Mapping[TimePrecision, float] = {
    # Sources of one event disagree by tens of minutes (clocks, "around 14:00", the start of
    # an observation vs the first impact): an hour each side.
    TimePrecision.EXACT: 3_600.0,
    # A "day" is read in the source's zone or in UTC: Baku's day starts four hours before
    # UTC's, and late filings say "yesterday". Six hours beyond the window.
    TimePrecision.DAY: 6 * 3_600.0,
    TimePrecision.WEEK: 24 * 3_600.0,
    TimePrecision.MONTH: 48 * 3_600.0,
}
"""How far beyond its own window a report's event may lie. Two reports may be one event
when the gap between their windows is at most the sum of their slacks."""

TIME_QUALITY: Mapping[TimePrecision, float] = {
    TimePrecision.EXACT: 1.0,
    TimePrecision.DAY: 0.5,
    TimePrecision.WEEK: 0.25,
    TimePrecision.MONTH: 0.1,
}
"""How much a small gap says: a "day" window overlaps every event of that day. The time
score of a pair is scaled by its less precise member."""

PLACE_RADIUS_M: Mapping[int, float] = {
    # An exact point is still an observation from a distance (OSCE distance ranges of a few
    # km; impact vs firing position): 3 km.
    1: 3_000.0,
    # UCDP where_prec 2: "within about 25 km of the named place".
    2: 25_000.0,
}
"""How far from its point a report's event may lie, for the precisions that have a usable
point. Two reports may be one event when their points are at most the sum apart."""

MAX_POINT_RADIUS_M = max(PLACE_RADIUS_M.values())

PLACE_QUALITY: Mapping[int, float] = {1: 1.0, 2: 0.6}
"""How much a close point says: two reports "near Aghdam" share the town's coordinates
without being close; the place similarity of a pair is scaled by its less precise member."""

COARSE_EVIDENCE_MIN: Mapping[int, float] = {3: 3.0, 4: 5.0}
"""Strong evidence a coarse pair needs besides the same district (3) or region (4): the
other features must add up to this many bits: the same category and time within about
half the tolerance, or the same day with a near-identical text."""

TEXT_MIN_TOKENS = 5
"""Narratives shorter than this are not compared: a few words match too easily."""


@dataclass(frozen=True, slots=True)
class MatcherConfig:
    """The weights (in bits of evidence, as in Fellegi-Sunter record linkage) and thresholds
    of the matcher; the defaults are ``fusion.matcher.v1`` (docs/fusion.md says why).

    A feature that cannot be compared (no perpetrator named, narratives too short) adds
    nothing; disagreement subtracts. A pair is one event when its total reaches
    ``threshold``.
    """

    name: str = MATCHER_NAME
    """The versioned name the evidence of this configuration carries."""
    threshold: float = 4.0
    ambiguity_margin: float = 1.0
    """A report whose best two incidents score within this many bits of each other is not
    linked to either: it starts its own incident, and an analyst can merge it."""
    same_category: float = 2.0
    compatible_category: float = 0.5
    other_category: float = -0.5
    time_floor: float = -1.5
    """Time at the edge of the tolerance; a full match adds ``time_span`` to it."""
    time_span: float = 4.0
    place_floor: float = -2.0
    place_span: float = 6.0
    same_place_name: float = 1.0
    """Both reports name the same place (a village, a town): a shared toponym says more than
    coordinates that are the named place's own."""
    same_district: float = 0.7
    same_region: float = 0.2
    same_actor: float = 1.0
    different_actor: float = -1.5
    text_from: float = 0.8
    """Text similarity above which the text adds evidence (paraphrase is normal between
    sources, so low similarity subtracts nothing)."""
    text_slope: float = 10.0
    coarse_district_min: float = COARSE_EVIDENCE_MIN[3]
    """Bits the other features must reach for a pair matched only by its district
    (``COARSE_EVIDENCE_MIN``); ``-inf``: the area alone passes the gate and the matcher
    decides (``fusion.matcher.v2`` compares the candidates with each other instead)."""
    coarse_region_min: float = COARSE_EVIDENCE_MIN[4]
    # -- used by fusion.matcher.v2 only --
    coarse_threshold: float = 4.0
    """v2: the bits a *coarse* report (district or region only, or a time coarser than
    exact) needs with its best incident; it has no distance to add, so its bar is lower, and
    ``coarse_margin`` over the next incident is what keeps it from a wrong one."""
    coarse_margin: float = 1.0
    blocked_member: float = 0.0
    """v2: bits taken from an incident's score for each of its members the gates rule out
    against the report (too far in time or place): the incident as a whole, not only its
    nearest member, must fit."""
    defer_s: float = 0.0
    """v2: how long (seconds of arrival time) a coarse or ambiguous report waits before it
    is decided, so that the precise reports of its event can arrive first."""
    # -- used by fusion.matcher.v3 only --
    said_time: bool = False
    """v3: a report with a day-level window whose text gives one hour inside that day
    ("today at 14:35") is compared as an exact report at that hour (``FusionReport.said_at``)."""
    same_count: float = 0.0
    """v3: both texts give a count, and they agree (:func:`counts_agree`)."""
    different_count: float = 0.0
    """v3: both give a count, and they are far apart (added, so negative)."""
    same_locality: float = 0.0
    """v3: both texts name the same village or town of the gazetteer (``localities``)."""
    different_locality: float = 0.0
    """v3: both texts name places, and none in common (added, so negative)."""
    bridge_threshold: float = math.inf
    """v3: a report that scores at least this with each of its best two incidents merges
    them, when they can be one event (``bridge_pair_min``); ``inf``: never."""
    bridge_pair_min: float = -math.inf
    """v3: every pair of members of the two incidents a report bridges must score at least
    this (``-inf``: none ruled out by the gates)."""
    # -- used by fusion.matcher.v4 only --
    linkage_near: float = math.inf
    """v4: a report v3 leaves alone is compared with every member of the incidents it
    scores at least this with; ``inf``: never (v3)."""
    linkage_pair_min: float = math.inf
    """v4: it joins one only when every member scores at least this with it ..."""
    linkage_mean: float = math.inf
    """v4: ... their mean at least this ..."""
    linkage_lead: float = 0.0
    """v4: ... and that mean leads the next neighbour's by this many bits."""
    link_mean_min: float = -math.inf
    """v4: a link v3 would make also needs the report's mean pair score with the incident's
    members to reach this (a report that fits one member of a wrong incident, while its own
    event has no incident yet, opens one instead)."""
    # -- used by fusion.matcher.v5 only --
    time_power: float = 1.0
    """v5: the closeness of two windows (1 - gap / tolerance, before the precision's quality
    factor) is raised to this power: the evidence falls off faster than linearly as the gap
    grows, as it does when sources' clocks disagree by minutes, not hours (v1-v4: 1)."""
    # -- used by fusion.matcher.v6 only --
    anchored_rivals: bool = False
    """v6: a coarse report whose best incident is *anchored* (it holds a precise report, or
    more than one report) is decided on its lead over the next anchored incident: an
    incident of one coarse report (itself a report left alone) does not count as a rival
    (v1-v5: every incident does)."""
    # -- used by fusion.matcher.v7 only --
    incident_evidence: bool = False
    """v7: the villages, count and actor a report gives are compared with *every* member of a
    candidate incident that gives them, and the incident's verdict (some agree and none
    disagree: the same-weight; some disagree and none agree: the different-weight; mixed:
    nothing) replaces its best member's pair evidence for that feature (v1-v6: the best
    member's pair alone)."""
    village_radius_m: float = 0.0
    """v7: the radius of a precision-2 point that is a village's (``FusionReport.
    place_is_village``: "near Papravend"), in place of ``PLACE_RADIUS_M[2]``, which is for
    "near" a town; ``0``: none (v1-v6)."""


DEFAULT_CONFIG = MatcherConfig()

V2_CONFIG = MatcherConfig(
    name=MATCHER_V2_NAME,
    coarse_district_min=-math.inf,
    coarse_region_min=-math.inf,
    coarse_threshold=2.5,
    coarse_margin=1.5,
    blocked_member=1.0,
    defer_s=86_400.0,
)
"""``fusion.matcher.v2``: the pair weights of v1; the area alone passes the coarse gate,
and the decision rules above (set on the synthetic stream of seed 1, bench/RESULTS.md)."""

V3_CONFIG = replace(
    V2_CONFIG,
    name=MATCHER_V3_NAME,
    threshold=4.5,
    ambiguity_margin=1.5,
    coarse_threshold=3.0,
    coarse_margin=2.0,
    said_time=True,
    same_count=1.0,
    different_count=-2.0,
    same_locality=0.5,
    different_locality=-3.0,
    bridge_threshold=3.5,
    bridge_pair_min=3.0,
)
"""``fusion.matcher.v3``: v2 with the said hour, the stated count, the named villages and
the bridging merge; stricter bars for a link (4.5 bits, lead 1.5; coarse 3, lead 2), since
a merge now recovers what a refused link loses (set on the synthetic stream of seed 1 only,
bench/RESULTS.md)."""

V4_CONFIG = replace(
    V3_CONFIG,
    name=MATCHER_V4_NAME,
    linkage_near=0.0,
    linkage_pair_min=2.0,
    linkage_mean=4.25,
    link_mean_min=2.5,
)
"""``fusion.matcher.v4``: v3, and a report v3 leaves alone joins the one neighbouring
incident it fits as a whole (complete and average linkage; set on the synthetic stream of
seed 1 only, bench/RESULTS.md)."""

V5_CONFIG = replace(
    V4_CONFIG,
    name=MATCHER_V5_NAME,
    time_power=3.0,
    time_span=5.5,
    time_floor=-2.0,
    coarse_margin=1.5,
    linkage_mean=4.75,
)
"""``fusion.matcher.v5``: v4 on sharper time evidence (the closeness cubed, from -2 to +3.5
bits: two exact reports at the same minute +3.5, half the tolerance apart -1.3; a day
report inside its day +0.75) and, on that evidence, a lower coarse lead (1.5 bits) and a
stricter mean for a link by linkage (4.75); set on the synthetic stream of seed 1 only
(bench/RESULTS.md)."""

V6_CONFIG = replace(
    V5_CONFIG,
    name=MATCHER_V6_NAME,
    anchored_rivals=True,
    text_from=0.92,
    text_slope=50.0,
)
"""``fusion.matcher.v6``: v5's bars; a coarse report's rivals are the anchored incidents, and
the text counts only when near-identical (from a ``token_sort_ratio`` of 0.92: +1 bit at
0.94, +2 at 0.96, +4 for the same text): sources of one kind write to a template, so two
reports of different events share most of their words, while a reprint shares them all
(set on the synthetic stream of seed 1 only, bench/RESULTS.md)."""

V7_CONFIG = replace(
    V6_CONFIG,
    name=MATCHER_V7_NAME,
    incident_evidence=True,
    village_radius_m=8_000.0,
    threshold=4.0,
    ambiguity_margin=1.25,
)
"""``fusion.matcher.v7``: v6 with the incident's members compared as a whole for villages,
counts and actors, an 8 km radius for a point "near" a village, and, on that evidence, a
precise report's bar at 4 bits and lead at 1.25 (set on the synthetic stream of seed 1 only,
bench/RESULTS.md)."""

# -- categories -----------------------------------------------------------------------------

_EXPLOSIVE = frozenset(
    {
        Category.EXPLOSION_UNDETERMINED,
        Category.EXPLOSION_IMPACT,
        Category.EXPLOSION_OUTGOING,
        Category.EXPLOSION_AIRBURST,
        Category.PROJECTILE,
        Category.SHELLING,
        Category.DRONE_STRIKE,
        Category.MUZZLE_FLASH,
        Category.ILLUMINATION_FLARE,
        Category.ARMED_CLASH,
    }
)
_DIRECT_FIRE = frozenset(
    {
        Category.SMALL_ARMS_FIRE,
        Category.HEAVY_MACHINE_GUN_FIRE,
        Category.ARMED_CLASH,
        Category.MUZZLE_FLASH,
        Category.ILLUMINATION_FLARE,
        Category.EXPLOSION_UNDETERMINED,  # a grenade or an RPG is heard as an explosion
    }
)
_MINES = frozenset({Category.MINE_UXO, Category.EXPLOSION_UNDETERMINED, Category.EXPLOSION_IMPACT})
_MOVEMENT = frozenset({Category.TROOP_OR_VEHICLE_MOVEMENT, Category.HEAVY_WEAPON_IN_VIOLATION})
_RESTRICTION = frozenset(
    {Category.FREEDOM_OF_MOVEMENT_RESTRICTION, Category.UAV_JAMMING, Category.GPS_INTERFERENCE}
)
_HARM = frozenset({Category.CIVILIAN_CASUALTY, Category.DAMAGE_TO_CIVILIAN_OBJECT})
_HARMFUL = frozenset(
    {
        Category.EXPLOSION_UNDETERMINED,
        Category.EXPLOSION_IMPACT,
        Category.EXPLOSION_AIRBURST,
        Category.SHELLING,
        Category.DRONE_STRIKE,
        Category.ARMED_CLASH,
        Category.SMALL_ARMS_FIRE,
        Category.HEAVY_MACHINE_GUN_FIRE,
        Category.MINE_UXO,
    }
)

CATEGORY_FAMILIES: Mapping[str, frozenset[Category]] = {
    "explosive": _EXPLOSIVE,
    "direct_fire": _DIRECT_FIRE,
    "mines": _MINES,
    "movement": _MOVEMENT,
    "restriction": _RESTRICTION,
    "harm": _HARM,
}
"""Categories of one family can all describe one event: an explosion heard by a post and
shelling complained of by a party."""

CATEGORY_CONSEQUENCES: Mapping[str, tuple[frozenset[Category], frozenset[Category]]] = {
    "harm": (_HARMFUL, _HARM),
}
"""A cause and its consequence can be one event (shelling and the civilian casualty it
caused), though two causes of the list need not be (small-arms fire is not shelling).
A detention is never the shelling reported beside it. ``other`` is compatible with anything
(it says nothing) but counts against a match."""


def _compatibility() -> dict[tuple[Category, Category], float]:
    table: dict[tuple[Category, Category], float] = {}
    for a in Category:
        for b in Category:
            if a is b:
                kind = 1.0
            elif Category.OTHER in (a, b):
                kind = 0.4
            elif any(a in f and b in f for f in CATEGORY_FAMILIES.values()) or any(
                (a in causes and b in effects) or (b in causes and a in effects)
                for causes, effects in CATEGORY_CONSEQUENCES.values()
            ):
                kind = 0.7
            else:
                continue
            table[a, b] = kind
    return table


CATEGORY_COMPATIBILITY: Mapping[tuple[Category, Category], float] = _compatibility()
"""Similarity of each compatible (ordered) pair of categories: 1 same, 0.7 compatible,
0.4 with ``other``; a missing pair is incompatible."""

_CATEGORY_BIT = {c: 1 << i for i, c in enumerate(Category)}
_INCOMPATIBLE_MASK = {
    a: sum(_CATEGORY_BIT[b] for b in Category if (a, b) not in CATEGORY_COMPATIBILITY)
    for a in Category
}


def categories_compatible(a: Category, b: Category) -> bool:
    """Whether reports of categories ``a`` and ``b`` can describe one event."""
    return (a, b) in CATEGORY_COMPATIBILITY


def category_bit(category: Category) -> int:
    """The bit of ``category`` in a set of categories held as an integer."""
    return _CATEGORY_BIT[category]


def incompatible_mask(category: Category) -> int:
    """The categories ``category`` can never share an incident with, as bits."""
    return _INCOMPATIBLE_MASK[category]


# -- the report as the matcher sees it ------------------------------------------------------


@dataclass(slots=True, eq=False)
class FusionReport:
    """What the matcher knows of one report, with its values ready to compare.

    ``start``/``end`` are POSIX seconds (UTC). ``lat``/``lon`` are used only when
    ``where_precision`` is 1 or 2; ``district``/``region`` are the administrative areas the
    report lies in (from the gazetteer), needed to compare coarse reports; ``place_name`` the
    place the source named (normalised like the text). ``source_key`` names who observed
    (post, sensor, reporter, filing member) for corroboration; ``text`` is the narrative as
    rapidfuzz's ``default_process`` leaves it.
    """

    id: str
    channel: Channel
    category: Category
    start: float
    end: float
    time_precision: TimePrecision = TimePrecision.EXACT
    lat: float | None = None
    lon: float | None = None
    where_precision: int = 1
    district: str | None = None
    region: str | None = None
    perpetrator: str | None = None
    text: str = ""
    source_key: str | None = None
    source_reference: str | None = None
    place_name: str | None = None
    said_at: float | None = None
    """The instant (POSIX seconds) of the one hour the narrative gives inside a day-level
    window (:func:`said_time`), or ``None``; used by ``fusion.matcher.v3``."""
    count: int | None = None
    """How many events, rounds or blasts the report gives (its ``count``, else the one
    number its narrative says: :func:`stated_count`), or ``None``; used by
    ``fusion.matcher.v3``."""
    localities: frozenset[str] = frozenset()
    """The villages the narrative names (``places.localities_named``: the caller, who has
    the gazetteer, fills it); used by ``fusion.matcher.v3``."""
    refined: bool = False
    """The view ``fusion.matcher.v3`` compares (``IncidentMatcherV3.prepare``)."""
    place_is_village: bool = False
    """``place_name`` is a village of the gazetteer (``places.is_village``; the caller, who
    has the gazetteer, says so), so a precision-2 point is that village's own; used by
    ``fusion.matcher.v7``."""
    text_tokens: int = field(init=False, default=0)
    slack: float = field(init=False, default=0.0)
    time_quality: float = field(init=False, default=1.0)
    radius: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.where_precision <= 7:
            problems.append(problem("where_precision", N_("UCDP where_prec is 1 to 7")))
        if self.end < self.start:
            problems.append(problem("end", N_("before start")))
        if self.has_point and (self.lat is None or self.lon is None):
            problems.append(
                problem(
                    "lat",
                    N_("precision %(where_precision)s needs a point"),
                    where_precision=self.where_precision,
                )
            )
        if problems:
            raise InvalidInput.worded(
                N_("report %(id)s: cannot be fused"), details=problems, id=self.id
            )
        self.text_tokens = self.text.count(" ") + 1 if self.text else 0
        self.slack = TIME_SLACK_S[self.time_precision]
        self.time_quality = TIME_QUALITY[self.time_precision]
        self.radius = PLACE_RADIUS_M.get(self.where_precision, 0.0)

    @property
    def has_point(self) -> bool:
        """Whether the point is precise enough to compare distances (precision 1 or 2)."""
        return self.where_precision <= 2

    @classmethod
    def from_content(
        cls,
        report_id: str,
        content: ReportContent,
        *,
        district: str | None = None,
        region: str | None = None,
        submitter: str | None = None,
        localities: frozenset[str] = frozenset(),
        place_is_village: bool = False,
    ) -> FusionReport:
        """The matcher's view of a validated report.

        ``district``/``region`` come from the gazetteer (the caller resolves them);
        ``submitter`` is the member that filed it (a party's complaints are one source);
        ``localities`` and ``place_is_village`` come from the gazetteer too
        (``places.localities_named``, ``places.is_village``).
        A report whose precision says it has a point but has only a place name is
        compared as a district-level report: without coordinates there is no distance.
        """
        position = content.event_position
        point = position.point
        precision = int(position.precision)
        if precision <= 2 and point is None:
            precision = int(WherePrecision.ADMIN2)
        source_key = source_of(content, submitter)
        return cls(
            id=report_id,
            channel=content.channel,
            category=content.category,
            start=content.observed.start.timestamp(),
            end=content.observed.end.timestamp(),
            time_precision=content.observed.precision,
            lat=point.lat if point else None,
            lon=point.lon if point else None,
            where_precision=precision,
            district=district,
            region=region,
            perpetrator=content.alleged_perpetrator,
            text=normalise_text(content.narrative),
            source_key=source_key,
            source_reference=content.source_reference,
            place_name=normalise_text(position.place_name) or None,
            localities=localities,
            place_is_village=place_is_village,
            count=content.count if content.count is not None else stated_count(content.narrative),
            said_at=said_time(
                content.narrative,
                content.observed.start.timestamp(),
                content.observed.end.timestamp(),
                content.observed.precision,
            ),
        )


def source_of(content: ReportContent, submitter: str | None = None) -> str | None:
    """Who observed, for corroboration: the sensor, the post or patrol, the filing member
    for a party's complaints (however many of its people write them), the caller, the
    imported file's reference. ``None`` for news (grouped by wire, outlet and text) and for
    a report that names no one (it then counts alone)."""
    channel = content.channel
    if channel is Channel.SENSOR_DETECTION:
        return content.sensor_id or content.post_id
    if channel is Channel.MONITOR_OBSERVATION:
        return content.post_id or content.reporter or submitter
    if channel is Channel.PARTY_COMPLAINT:
        return submitter or content.reporter
    if channel is Channel.CSV_IMPORT:
        return content.source_reference or content.reporter
    if channel is Channel.PUBLIC_HOTLINE:
        return content.reporter
    return None


_HOUR = re.compile(r"(?<![\d:])([01]?\d|2[0-3])[:.h]([0-5]\d)(?![\d:])")


def said_time(
    narrative: str | None, start: float, end: float, precision: TimePrecision
) -> float | None:
    """The instant of the one hour a narrative gives ("at 14:35", "14.35", "14h35") read
    in the area's zone (``LOCAL_UTC_OFFSET_S``) inside a day-level window, or ``None``: the
    window is not a day's, the text gives no hour or several different ones, or the hour
    falls outside the window."""
    if precision is not TimePrecision.DAY or not narrative:
        return None
    hours = {(int(h), int(m)) for h, m in _HOUR.findall(narrative)}
    if len(hours) != 1:
        return None
    ((hour, minute),) = hours
    local_day = math.floor((start + LOCAL_UTC_OFFSET_S) / 86_400.0) * 86_400.0
    instant = local_day - LOCAL_UTC_OFFSET_S + hour * 3_600.0 + minute * 60.0
    if instant < start:
        instant += 86_400.0
    return instant if instant <= end else None


_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_NOT_A_COUNT = re.compile(
    r"\d{1,2}[:.h]\d{2}"  # an hour
    r"|\d+\s*-\s*\d+"  # a range ("2-4 km")
    r"|\d+(?:[.,]\d+)?\s*(?:km|m|kilomet\w*|met\w*|mm|%)\b"  # a distance, a calibre
    r"|\d+\s+(?:" + _MONTHS + r")\b|(?:" + _MONTHS + r")\s+\d+"  # a date
    r"|(?:post|uav|sector|point|route|hill|height)[\s-]*\d+"  # a name with a number
    r"|\d{4,}",  # a year, an id
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w-])\d{1,3}(?![\w-])")


def stated_count(narrative: str | None) -> int | None:
    """The one number a narrative gives of what it reports ("12 explosions", "about 12
    rounds", "heard shelling (12)"), or ``None``: no number, or several different ones,
    once hours, ranges, distances, dates, years and numbered names are left out."""
    if not narrative:
        return None
    numbers = {int(n) for n in _NUMBER.findall(_NOT_A_COUNT.sub(" ", narrative))}
    return numbers.pop() if len(numbers) == 1 else None


def normalise_text(text: str | None) -> str:
    """A narrative as the text feature compares it (lower case, no punctuation)."""
    return utils.default_process(text) if text else ""


def timestamp(instant: datetime) -> float:
    """POSIX seconds of an aware datetime (``FusionReport`` keeps times this way)."""
    return instant.timestamp()


def instant(seconds: float) -> datetime:
    """The UTC datetime of POSIX ``seconds``."""
    return datetime.fromtimestamp(seconds, UTC)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


# -- evidence -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeatureScore:
    """One compared feature: its similarity in [0, 1], the evidence it adds (bits; negative
    against a match) and what was compared."""

    name: str
    similarity: float
    weight: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "similarity": round(self.similarity, 4),
            "weight": round(self.weight, 4),
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class PairEvidence:
    """Why two reports are (or are not) one event: the features and their total (bits).

    ``blocked`` names the gate that rules the pair out; the features are then those
    compared up to it and the score is ``-inf``.
    """

    report_id: str
    other_id: str
    score: float
    features: tuple[FeatureScore, ...]
    blocked: str | None = None
    matcher: str = MATCHER_NAME

    def to_dict(self) -> dict[str, Any]:
        return {
            "matcher": self.matcher,
            "report_id": self.report_id,
            "compared_with": self.other_id,
            "score": None if self.blocked else round(self.score, 4),
            "blocked": self.blocked,
            "features": [f.to_dict() for f in self.features],
        }


_BLOCKED = float("-inf")


def compare(
    a: FusionReport, b: FusionReport, config: MatcherConfig = DEFAULT_CONFIG
) -> PairEvidence:
    """Compare two reports: the gates first, then the sum of the features' evidence."""
    features: list[FeatureScore] = []
    score, blocked = _evaluate(a, b, config, features)
    return PairEvidence(a.id, b.id, score, tuple(features), blocked=blocked, matcher=config.name)


def pair_score(a: FusionReport, b: FusionReport, config: MatcherConfig = DEFAULT_CONFIG) -> float:
    """``compare(a, b).score`` without building the evidence (``-inf`` when a gate blocks).

    The matcher scores every candidate pair this way and explains only the pair it keeps.
    """
    return _evaluate(a, b, config, None)[0]


def _evaluate(
    a: FusionReport,
    b: FusionReport,
    config: MatcherConfig,
    features: list[FeatureScore] | None,
) -> tuple[float, str | None]:
    """The score of a pair and the gate that blocks it; ``features`` (when given) receives
    what was compared. One code path for scoring and explaining, so they cannot differ."""
    explain = features is not None

    def note(name: str, similarity: float, weight: float, detail: Callable[[], str]) -> None:
        if features is not None:
            features.append(FeatureScore(name, similarity, weight, detail()))

    # Category: incompatible categories are never one event.
    kind = CATEGORY_COMPATIBILITY.get((a.category, b.category))
    if kind is None:
        note("category", 0.0, 0.0, lambda: f"{a.category.value} / {b.category.value} incompatible")
        return _BLOCKED, "category"
    total = (
        config.same_category
        if kind == 1.0
        else (config.compatible_category if kind == 0.7 else config.other_category)
    )
    if explain:
        note("category", kind, total, lambda: f"{a.category.value} / {b.category.value}")

    # Time: the gap between the windows against the sum of the slacks.
    gap = max(0.0, b.start - a.end, a.start - b.end)
    tolerance = a.slack + b.slack
    if gap > tolerance:
        note("time", 0.0, 0.0, lambda: f"gap {gap:.0f} s, tolerance {tolerance:.0f} s")
        return _BLOCKED, "time"
    closeness = 1.0 - gap / tolerance
    if config.time_power != 1.0:
        closeness **= config.time_power
    time_similarity = closeness * min(a.time_quality, b.time_quality)
    weight = config.time_floor + config.time_span * time_similarity
    total += weight
    if explain:
        note(
            "time",
            time_similarity,
            weight,
            lambda: f"gap {gap:.0f} s, tolerance {tolerance:.0f} s",
        )

    def agreement(name: str, same: bool, weights: tuple[float, float], detail: str) -> float:
        """The weight of a feature that agrees or not (the first weight when it does)."""
        weight = weights[0] if same else weights[1]
        if features is not None:
            features.append(FeatureScore(name, 1.0 if same else 0.0, weight, detail))
        return weight

    # Actor: only when both name an alleged perpetrator.
    if a.perpetrator is not None and b.perpetrator is not None:
        total += agreement(
            "actor",
            a.perpetrator == b.perpetrator,
            (config.same_actor, config.different_actor),
            f"{a.perpetrator} / {b.perpetrator}" if explain else "",
        )

    # Text: only when both narratives say enough; paraphrase subtracts nothing.
    if a.text_tokens >= TEXT_MIN_TOKENS and b.text_tokens >= TEXT_MIN_TOKENS:
        text_similarity = fuzz.token_sort_ratio(a.text, b.text, processor=None) / 100.0
        weight = max(0.0, config.text_slope * (text_similarity - config.text_from))
        total += weight
        if explain:
            note("text", text_similarity, weight, lambda: "rapidfuzz token_sort_ratio")

    # Counts (v3): how many events, rounds or blasts both texts say.
    if (
        a.count is not None
        and b.count is not None
        and (config.same_count or config.different_count)
    ):
        agree = counts_agree(a.count, b.count)
        if agree is not None:
            total += agreement(
                "count",
                agree,
                (config.same_count, config.different_count),
                f"{a.count} / {b.count}" if explain else "",
            )

    # Localities (v3): the villages both texts name, whatever their precision says.
    if a.localities and b.localities and (config.same_locality or config.different_locality):
        total += agreement(
            "locality",
            not a.localities.isdisjoint(b.localities),
            (config.same_locality, config.different_locality),
            f"{sorted(a.localities)} / {sorted(b.localities)}" if explain else "",
        )

    # Place: distance between points, or the administrative area for coarse reports.
    if a.has_point and b.has_point:
        d = distance_m(a.lat, a.lon, b.lat, b.lon)  # type: ignore[arg-type]
        radius = a.radius + b.radius

        def place_detail() -> str:
            return (
                f"{d:.0f} m, radius {radius:.0f} m, "
                f"precision {a.where_precision}/{b.where_precision}"
            )

        if d > radius:
            note("place", 0.0, 0.0, place_detail)
            return _BLOCKED, "place"
        quality = min(PLACE_QUALITY[a.where_precision], PLACE_QUALITY[b.where_precision])
        similarity = (1.0 - d / radius) * quality
        weight = config.place_floor + config.place_span * similarity
        note("place", similarity, weight, place_detail)
        total += weight
        if a.place_name is not None and a.place_name == b.place_name:
            total += config.same_place_name
            if explain:
                note("place_name", 1.0, config.same_place_name, lambda: str(a.place_name))
        return total, None
    gate, weight, detail = _coarse_place(a, b, total, config)
    note("place", 0.0 if gate else 1.0, weight, lambda: detail)
    if gate is not None:
        return _BLOCKED, gate
    return total + weight, None


def counts_agree(a: int, b: int) -> bool | None:
    """Whether two stated counts agree (within 3, or a quarter of the larger), are far apart
    (more than 6 and half the larger apart), or neither (``None``): sources of one event
    count differently (a post hears fewer rounds than a party claims), so only a wide gap
    counts against a match."""
    gap, larger = abs(a - b), max(a, b)
    if gap <= max(3, 0.25 * larger):
        return True
    if gap > max(6, 0.5 * larger):
        return False
    return None


def _coarse_place(
    a: FusionReport, b: FusionReport, other_evidence: float, config: MatcherConfig
) -> tuple[str | None, float, str]:
    """The place gate of a pair where at least one report has no usable point: the blocking
    gate (or ``None``), the place's weight and what was compared.

    Same district (precision 3) or region (4), and strong evidence from the other features
    (``COARSE_EVIDENCE_MIN``): a district report never joins an incident on the strength of
    a distance it does not have.
    """
    coarse = max(a.where_precision, b.where_precision)
    if coarse >= 5:
        return "place", 0.0, f"precision {coarse}: no area to compare"
    if coarse == 3:
        area_a, area_b, level = a.district, b.district, "district"
        weight = config.same_district
    else:
        area_a, area_b, level = a.region, b.region, "region"
        weight = config.same_region
    if area_a is None or area_b is None or area_a != area_b:
        return "place", 0.0, f"{level} {area_a} / {area_b}"
    needed = config.coarse_district_min if coarse == 3 else config.coarse_region_min
    if other_evidence < needed:
        return (
            "coarse_place_needs_strong_evidence",
            0.0,
            f"same {level} {area_a}, but other evidence {other_evidence:.2f} bits < {needed}",
        )
    return None, weight, f"same {level} {area_a}, other evidence {other_evidence:.2f} bits"

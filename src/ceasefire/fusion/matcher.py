"""The incremental matcher: each new report joins the open incident it matches best, or
starts a new one. Every decision carries its evidence.

A report is compared with every member of each candidate incident the index returns
(incidents have a handful of reports), and the incident's score is its best member's. Before
that, the report's category is checked against *all* the incident's categories: a shelling
incident that has taken in a civilian casualty cannot then take in a detention through the
casualty, so chains of compatible pairs never join incompatible reports.

Nothing here writes anything: the service stores the links and ledgers the evidence.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from ceasefire.fusion.index import SpaceTimeIndex
from ceasefire.fusion.model import (
    DEFAULT_CONFIG,
    EARTH_RADIUS_M,
    MATCHER_NAME,
    MATCHER_V2_NAME,
    MATCHER_V3_NAME,
    MATCHER_V4_NAME,
    MATCHER_V5_NAME,
    MATCHER_V6_NAME,
    MATCHER_V7_NAME,
    SAID_TIME_WINDOW_S,
    V2_CONFIG,
    V3_CONFIG,
    V4_CONFIG,
    V5_CONFIG,
    V6_CONFIG,
    V7_CONFIG,
    FeatureScore,
    FusionReport,
    MatcherConfig,
    PairEvidence,
    category_bit,
    compare,
    counts_agree,
    incompatible_mask,
    pair_score,
)
from ceasefire.reports.model import TimePrecision

_METRES_PER_DEG = math.pi * EARTH_RADIUS_M / 180.0

LINKAGE_FLOOR = -3.0
"""``fusion.matcher.v4``: what a pair the gates rule out (or any worse pair) counts in a mean
of pair scores: a member that cannot be the same event counts against, but one such member
does not outweigh every other."""


@dataclass(slots=True)
class OpenIncident:
    """An incident as the matcher holds it: its reports and the bits of their categories."""

    id: str
    members: list[FusionReport] = field(default_factory=list)
    category_bits: int = 0
    latest: float = float("-inf")
    """The end of the widest member window plus its slack (POSIX seconds)."""
    precise: bool = False
    """Whether a member is precise (not :func:`is_coarse`)."""

    def add(self, report: FusionReport) -> None:
        self.members.append(report)
        self.category_bits |= category_bit(report.category)
        self.latest = max(self.latest, report.end + report.slack)
        self.precise = self.precise or not is_coarse(report)

    @property
    def anchored(self) -> bool:
        """It holds a precise report, or more than one report (``fusion.matcher.v6``): not
        a coarse report left alone."""
        return self.precise or len(self.members) > 1


@dataclass(slots=True)
class _TopTwo:
    """The best incident and the next one's score, as incidents are scored."""

    number: int = -1
    score: float = float("-inf")
    member: FusionReport | None = None
    runner_up: float = float("-inf")
    second: int = -1
    compared: int = 0

    def add(self, number: int, score: float, member: FusionReport | None) -> None:
        self.compared += 1
        if member is None:
            return
        if score > self.score:
            self.runner_up, self.second = self.score, self.number
            self.number, self.score, self.member = number, score, member
        elif score > self.runner_up:
            self.runner_up, self.second = score, number


@dataclass(frozen=True, slots=True)
class Linkage:
    """How a report fits an incident as a whole (``fusion.matcher.v4``)."""

    mean: float
    """The mean of its pair scores with the members (a pair the gates rule out, or any
    worse, counts ``LINKAGE_FLOOR``); ``-inf`` when there are none."""
    weakest: float
    """Its lowest pair score (``-inf`` when the gates rule a member out)."""
    member: FusionReport | None
    """The member of that pair (``None``: none passed the gates)."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one report went and why.

    ``created``: the report starts a new incident; ``evidence`` is then the best pair that
    fell short of the threshold (or ``None`` when no candidate passed the gates). Otherwise
    ``evidence`` is the pair that linked it.
    """

    report_id: str
    incident_id: str
    created: bool
    evidence: PairEvidence | None
    threshold: float
    candidates: int
    matcher: str = MATCHER_NAME
    incident_score: float | None = None
    """v2: the incident's score (its best member's, less the members the gates rule out)."""
    runner_up: float | None = None
    """v2: the next incident's score (``None``: no other candidate)."""
    coarse: bool = False
    """v2: the report was decided as a coarse one (district/region, or not an exact time)."""
    deferred: bool = False
    """v2: the decision waited (for the window, or for the rest of its batch)."""
    merged_incident_id: str | None = None
    """v3: the report bridged ``incident_id`` and this incident, which was merged into
    ``incident_id`` (its reports moved there); ``bridge`` is the evidence."""
    bridge: PairEvidence | None = None
    """v3: the weakest pair of members of the two merged incidents (every pair scores at
    least ``bridge_pair_min``)."""
    linkage: float | None = None
    """v4: the report was linked by complete linkage (``IncidentMatcherV4``): its mean pair
    score with the incident's members (every pair at least ``linkage_pair_min``)."""
    set_aside: float | None = None
    """v6: the score of an incident of one coarse report that scored above ``runner_up``
    and was not counted as a rival (``Ranking.set_aside``)."""
    incident_features: tuple[FeatureScore, ...] = ()
    """v7: the villages, count and actor of the report against the best incident's members
    as a whole (``Ranking.incident_features``)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able record of the decision (what the ledger entry carries)."""
        data: dict[str, Any] = {
            "matcher": self.matcher,
            "report_id": self.report_id,
            "incident_id": self.incident_id,
            "decision": "new_incident" if self.created else "linked",
            "threshold": self.threshold,
            "candidates": self.candidates,
            "evidence": self.evidence.to_dict() if self.evidence else None,
        }
        if self.matcher != MATCHER_NAME:
            data |= {
                "incident_score": _rounded(self.incident_score),
                "runner_up": _rounded(self.runner_up),
                "coarse": self.coarse,
                "deferred": self.deferred,
            }
        if self.merged_incident_id is not None:
            # The pair of members that allowed the merge is the merge decision's evidence.
            data["merged"] = {"incident_id": self.merged_incident_id, "into": self.incident_id}
        if self.linkage is not None:
            data["linkage"] = self.linkage
        if self.set_aside is not None:
            data["set_aside"] = _rounded(self.set_aside)
        if self.incident_features:
            data["incident_features"] = [f.to_dict() for f in self.incident_features]
        return data


def _rounded(value: float | None) -> float | None:
    return None if value is None or math.isinf(value) else round(value, 4)


class IncidentMatcher:
    """Matches reports, one at a time, against the open incidents it holds."""

    name = MATCHER_NAME
    default_config = DEFAULT_CONFIG

    def __init__(
        self,
        config: MatcherConfig | None = None,
        *,
        new_incident_id: Callable[[int], str] | None = None,
    ) -> None:
        self.config = config or self.default_config
        self._new_id = new_incident_id or (lambda number: f"incident-{number}")
        self._index = SpaceTimeIndex()
        self._incidents: dict[int, OpenIncident] = {}
        self._numbers: dict[str, int] = {}
        self._next = 0

    @property
    def open_incidents(self) -> int:
        """How many incidents are held (not yet forgotten)."""
        return len(self._incidents)

    def add_incident(self, incident_id: str, reports: Iterable[FusionReport]) -> None:
        """Hold an incident that already exists (e.g. loaded from the database)."""
        number = self._open(incident_id)
        for report in reports:
            self._link(report, number)

    def best_match(self, report: FusionReport) -> tuple[str | None, PairEvidence | None, int]:
        """The incident ``report`` matches best, the evidence, and how many incidents were
        compared. The incident is ``None`` when the best score is under the threshold, or
        when a second incident scores within the ambiguity margin of the best."""
        config = self.config
        top = _TopTwo()
        for number, score, member, _blocked, _linkage in self._incident_scores(report):
            top.add(number, score, member)
        if top.member is None:
            return None, None, top.compared
        evidence = compare(report, top.member, config)
        if top.score < config.threshold or top.score - top.runner_up < config.ambiguity_margin:
            return None, evidence, top.compared
        return self._incidents[top.number].id, evidence, top.compared

    def _incident_scores(
        self, report: FusionReport, *, skip: FusionReport | None = None
    ) -> Iterator[tuple[int, float, FusionReport | None, int, Linkage]]:
        """For each held incident whose categories all allow ``report``'s, oldest first
        (ties go to the older incident, whatever the order of the index's set): its number,
        its best member's pair score and that member (``-inf`` and ``None`` when no member
        passes the gates), how many members the gates rule out, and the report's
        :class:`Linkage` with all its members. ``skip`` is left out."""
        config = self.config
        forbidden = incompatible_mask(report.category)
        low, high = report.start - report.slack, report.end + report.slack
        skip_id = skip.id if skip is not None else None
        has_point = report.has_point
        lat, lon = report.lat or 0.0, report.lon or 0.0
        metres_per_lon = _METRES_PER_DEG * math.cos(math.radians(lat))
        for number in sorted(self._index.candidates(report)):
            incident = self._incidents.get(number)
            if incident is None or incident.category_bits & forbidden:
                continue
            incident_score = float("-inf")
            incident_member: FusionReport | None = None
            blocked = counted = 0
            total, weakest = 0.0, float("inf")
            weakest_member: FusionReport | None = None
            for member in incident.members:
                if skip_id is not None and member.id == skip_id:
                    continue
                # The time gate, inline: most candidates of a bucket fail it.
                if member.start - member.slack > high or member.end + member.slack < low:
                    blocked += 1
                    continue
                if has_point and member.has_point:
                    # The place gate, inline and flat (1 % of slack covers the difference
                    # from the great circle at these distances): most of a box is too far.
                    dy = (member.lat - lat) * _METRES_PER_DEG  # type: ignore[operator]
                    dx = (member.lon - lon) * metres_per_lon  # type: ignore[operator]
                    reach = (report.radius + member.radius) * 1.01
                    if dx * dx + dy * dy > reach * reach:
                        blocked += 1
                        continue
                score = pair_score(report, member, config)
                if score == float("-inf"):
                    blocked += 1
                    continue
                counted += 1
                total += score if score > LINKAGE_FLOOR else LINKAGE_FLOOR
                if score < weakest:
                    weakest, weakest_member = score, member
                if score > incident_score:
                    incident_score, incident_member = score, member
            members = counted + blocked
            linkage = Linkage(
                (total + LINKAGE_FLOOR * blocked) / members if members else float("-inf"),
                weakest if counted and not blocked else float("-inf"),
                weakest_member,
            )
            yield number, incident_score, incident_member, blocked, linkage

    def assign(self, report: FusionReport) -> Assignment:
        """Link ``report`` to its best incident, or open a new one for it."""
        incident_id, evidence, compared = self.best_match(report)
        incident_id, created = self._place(report, incident_id)
        return Assignment(
            report.id,
            incident_id,
            created,
            evidence,
            self.config.threshold,
            compared,
            matcher=self.config.name,
        )

    def forget_before(self, instant: float) -> None:
        """Close incidents no report from ``instant`` (POSIX seconds) on could join.

        An incident whose members' windows, widened by their slack, all end before
        ``instant`` is dropped, and so are the index buckets before it.
        """
        self._index.forget_before(instant)
        stale = [n for n, incident in self._incidents.items() if incident.latest < instant]
        for number in stale:
            del self._numbers[self._incidents.pop(number).id]

    def _place(self, report: FusionReport, incident_id: str | None) -> tuple[str, bool]:
        """Link ``report`` to ``incident_id``, or to a new incident when ``None``: the
        incident's id and whether it is new."""
        if incident_id is None:
            number = self._open(self._new_id(self._next))
            self._link(report, number)
            return self._incidents[number].id, True
        self._link(report, self._numbers[incident_id])
        return incident_id, False

    def _open(self, incident_id: str) -> int:
        number = self._next
        self._next += 1
        self._incidents[number] = OpenIncident(incident_id)
        self._numbers[incident_id] = number
        return number

    def _link(self, report: FusionReport, number: int) -> None:
        self._incidents[number].add(report)
        self._index.add(report, number)


def _first_two(item: tuple[float, int, Linkage]) -> tuple[float, int]:
    return item[0], item[1]


def is_coarse(report: FusionReport) -> bool:
    """Whether v2 decides ``report`` as a coarse one: known only to its district or region
    (or worse), or with a time coarser than exact (a "day" overlaps every event of it)."""
    return report.where_precision >= 3 or report.time_precision is not TimePrecision.EXACT


@dataclass(frozen=True, slots=True)
class Ranking:
    """How the open incidents rank for one report (``fusion.matcher.v2``)."""

    number: int
    """The best incident's number (``-1``: none passed the gates)."""
    score: float
    member: FusionReport | None
    runner_up: float
    compared: int
    coarse: bool
    threshold: float
    margin: float
    incident_id: str | None = None
    """The best incident's id (``None``: none passed the gates)."""
    second: int = -1
    """The next incident's number (``-1``: none)."""
    near: tuple[tuple[int, Linkage], ...] = ()
    """v4: the incidents that score at least ``linkage_near`` and the report's linkage
    with each, best first (empty when the configuration has no link by linkage, v2 and
    v3)."""
    linkage: Linkage | None = None
    """The report's linkage with the best incident (``None``: none)."""
    set_aside: float | None = None
    """v6: the score of the best incident that was not counted as a rival (an incident of
    one coarse report, above ``runner_up``); ``None``: none was set aside."""
    incident_features: tuple[FeatureScore, ...] = ()
    """v7: the report's villages, count and actor against the best incident's members as a
    whole (what replaced the best member's pair evidence for them in ``score``)."""

    @property
    def decisive(self) -> bool:
        """The best incident reaches the bar and no other comes within the margin."""
        return (
            self.member is not None
            and self.score >= self.threshold
            and self.score - self.runner_up >= self.margin
        )

    @property
    def ambiguous(self) -> bool:
        """The best incident reaches the bar, but another comes within the margin."""
        return self.member is not None and self.score >= self.threshold and not self.decisive


class IncidentMatcherV2(IncidentMatcher):
    """``fusion.matcher.v2``: the pair features of v1, decided differently.

    - An incident is scored against *all* its members: its best member's pair score, less
      ``blocked_member`` bits for each member the gates rule out against the report (too far
      in time or place, or a category it cannot share). A report that fits one member of a
      chain but not the rest goes to the incident it fits as a whole.
    - A coarse report (district or region only, or a day-level time) passes the place gate
      on its area alone; it has no distance to add, so it is linked on a lower bar
      (``coarse_threshold``) but only when the best incident leads the next by
      ``coarse_margin``: with one compatible incident of that district and day it joins it,
      with two equally close it joins neither.
    - :class:`DeferringMatcher` lets coarse and ambiguous reports wait, so that the precise
      reports of their event are in an incident first.
    """

    name = MATCHER_V2_NAME
    default_config = V2_CONFIG

    def rank(self, report: FusionReport, *, held: bool = False) -> Ranking:
        """The incidents ``report`` could join, ranked by their score as a whole.

        ``held``: ``report`` is itself a member of an incident held here and is not
        compared with itself (the bench's upper bound ranks each report against the true
        incidents of all the others)."""
        config = self.config
        coarse = is_coarse(report)
        top = _TopTwo()
        # v6: the best two among the anchored incidents, for a coarse report.
        anchored = _TopTwo() if coarse and config.anchored_rivals else None
        near_bar = config.linkage_near
        near: list[tuple[float, int, Linkage]] = []
        linkages: dict[int, Linkage] = {}
        for number, score, member, blocked, linkage in self._incident_scores(
            report, skip=report if held else None
        ):
            score -= config.blocked_member * blocked
            top.add(number, score, member)
            if anchored is not None and self._incidents[number].anchored:
                anchored.add(number, score, member)
            linkages[number] = linkage
            if score >= near_bar:
                near.append((-score, number, linkage))
        runner_up, second, set_aside = top.runner_up, top.second, None
        if anchored is not None and top.member is not None and anchored.number == top.number:
            # The best incident is anchored: the rivals are the other anchored ones.
            if anchored.runner_up < top.runner_up:
                set_aside = top.runner_up
            runner_up, second = anchored.runner_up, anchored.second
        return Ranking(
            top.number,
            top.score,
            top.member,
            runner_up,
            top.compared,
            coarse,
            config.coarse_threshold if coarse else config.threshold,
            config.coarse_margin if coarse else config.ambiguity_margin,
            self._incidents[top.number].id if top.member is not None else None,
            second,
            tuple((number, linkage) for _, number, linkage in sorted(near, key=_first_two)),
            linkages.get(top.number),
            set_aside,
        )

    def best_match(self, report: FusionReport) -> tuple[str | None, PairEvidence | None, int]:
        ranking = self.rank(report)
        incident_id, evidence = self._decide(report, ranking)
        return incident_id, evidence, ranking.compared

    def assign(self, report: FusionReport) -> Assignment:
        return self.assign_ranked(report, self.rank(report))

    def assign_ranked(
        self, report: FusionReport, ranking: Ranking, *, deferred: bool = False
    ) -> Assignment:
        """Link ``report`` as ``ranking`` (from :meth:`rank`, with nothing added since)
        says, or open a new incident for it."""
        incident_id, evidence = self._decide(report, ranking)
        incident_id, created = self._place(report, incident_id)
        return self._assignment(report, ranking, incident_id, created, evidence, deferred)

    def _assignment(
        self,
        report: FusionReport,
        ranking: Ranking,
        incident_id: str,
        created: bool,
        evidence: PairEvidence | None,
        deferred: bool,
        *,
        merged: str | None = None,
        bridge: PairEvidence | None = None,
    ) -> Assignment:
        return Assignment(
            report.id,
            incident_id,
            created,
            evidence,
            ranking.threshold,
            ranking.compared,
            matcher=self.config.name,
            incident_score=ranking.score if ranking.member is not None else None,
            runner_up=ranking.runner_up if ranking.compared > 1 else None,
            coarse=ranking.coarse,
            deferred=deferred,
            merged_incident_id=merged,
            bridge=bridge,
            set_aside=ranking.set_aside,
            incident_features=ranking.incident_features,
        )

    def _decide(
        self, report: FusionReport, ranking: Ranking
    ) -> tuple[str | None, PairEvidence | None]:
        if ranking.member is None:
            return None, None
        evidence = compare(report, ranking.member, self.config)
        if not ranking.decisive:
            return None, evidence
        return self._incidents[ranking.number].id, evidence


class IncidentMatcherV3(IncidentMatcherV2):
    """``fusion.matcher.v3``: v2 with more of the evidence a report carries, and merges.

    - **The said hour.** A report whose window is a day but whose text gives one hour in it
      (``FusionReport.said_at``: "we protest the shelling ... today at 14:35") is compared
      as an exact report of five minutes at that hour (``config.said_time``).
    - **Named villages.** The villages both narratives name (``FusionReport.localities``):
      the same one adds ``same_locality``; none in common adds ``different_locality``.
    - **Counts.** The counts both give (``FusionReport.count``): agreeing adds
      ``same_count``, far apart adds ``different_count`` (``model.counts_agree``).
    - **The bridging merge.** A report whose best incident reaches its bar and whose second
      scores at least ``bridge_threshold`` merges the second into the first, when the two
      can be one event: their categories are compatible and *every* pair of their members
      scores at least ``bridge_pair_min`` (none is ruled out by the gates). The assignment
      names the merged incident and the evidence of their weakest pair.

    Reports are refined (:meth:`prepare`) as they enter: the matcher holds the refined
    copies, and the caller's views are left as they are.
    """

    name = MATCHER_V3_NAME
    default_config = V3_CONFIG

    def prepare(self, report: FusionReport) -> FusionReport:
        """The report as v3 compares it (the said hour as its window); the same object when
        it is already refined."""
        if report.refined:
            return report
        said = report.said_at if self.config.said_time else None
        if said is None:
            return replace(report, refined=True)
        return replace(
            report,
            start=said,
            end=said + SAID_TIME_WINDOW_S,
            time_precision=TimePrecision.EXACT,
            refined=True,
        )

    def add_incident(self, incident_id: str, reports: Iterable[FusionReport]) -> None:
        super().add_incident(incident_id, (self.prepare(r) for r in reports))

    def rank(self, report: FusionReport, *, held: bool = False) -> Ranking:
        return super().rank(self.prepare(report), held=held)

    def assign_ranked(
        self, report: FusionReport, ranking: Ranking, *, deferred: bool = False
    ) -> Assignment:
        report = self.prepare(report)
        bridge = self._bridge(ranking)
        if bridge is None:
            return super().assign_ranked(report, ranking, deferred=deferred)
        into = self._incidents[ranking.number]
        merged = self._merge(ranking.number, ranking.second)
        self._link(report, ranking.number)
        evidence = compare(report, ranking.member, self.config)  # type: ignore[arg-type]
        return self._assignment(
            report, ranking, into.id, False, evidence, deferred, merged=merged, bridge=bridge
        )

    def _bridge(self, ranking: Ranking) -> PairEvidence | None:
        """The evidence for merging the ranking's best two incidents, or ``None`` when the
        report does not bridge them or they cannot be one event."""
        config = self.config
        if (
            ranking.member is None
            or ranking.second < 0
            or ranking.score < ranking.threshold
            or ranking.runner_up < config.bridge_threshold
        ):
            return None
        first, second = self._incidents[ranking.number], self._incidents[ranking.second]
        if any(incompatible_mask(m.category) & first.category_bits for m in second.members):
            return None
        weakest = float("inf")
        pair: tuple[FusionReport, FusionReport] | None = None
        for x in second.members:
            for y in first.members:
                score = pair_score(x, y, config)
                if score < config.bridge_pair_min:
                    return None  # ruled out by a gate (-inf), or too weak
                if score < weakest:
                    weakest, pair = score, (x, y)
        return compare(*pair, config) if pair is not None else None

    def _merge(self, into: int, other: int) -> str:
        """Move the members of incident ``other`` into ``into``; the id of ``other``."""
        absorbed = self._incidents.pop(other)
        del self._numbers[absorbed.id]
        for member in absorbed.members:
            self._link(member, into)
        return absorbed.id


class IncidentMatcherV4(IncidentMatcherV3):
    """``fusion.matcher.v4``: v3, and a link decided on the incident as a whole.

    v3 links on the incident's best member (less the members the gates rule out) and a lead
    over the next incident. Two of its errors come from that:

    - **a wrong link**: a report fits one member of a neighbouring event's incident while
      its own event has none yet, and links there (the largest share of v3's wrong pairs).
      v4 also asks the report's mean pair score with *all* the incident's members to reach
      ``link_mean_min`` (a pair the gates rule out counts ``LINKAGE_FLOOR``); otherwise it
      does not link there;
    - **a report left alone**: most of the pairs v3 misses are reports it leaves to open an
      incident of their own (a coarse report between two incidents, a report just under the
      bar) while their event has one. v4 then compares the report with every member of the
      incidents it scored at least ``linkage_near`` with (``Ranking.near``), and joins the
      one whose members all score at least ``linkage_pair_min`` with it and
      ``linkage_mean`` on average (complete and average linkage), when that mean leads the
      next neighbour's by ``linkage_lead``.

    The assignment's ``linkage`` is the mean (for a link refused by the first rule too); a
    link by the second has the weakest pair as its evidence. A bridging merge is v3's.
    """

    name = MATCHER_V4_NAME
    default_config = V4_CONFIG

    def assign_ranked(
        self, report: FusionReport, ranking: Ranking, *, deferred: bool = False
    ) -> Assignment:
        report = self.prepare(report)
        if self._bridge(ranking) is not None:
            return super().assign_ranked(report, ranking, deferred=deferred)
        vetoed = False
        if ranking.decisive:
            mean = ranking.linkage.mean if ranking.linkage is not None else float("-inf")
            if mean >= self.config.link_mean_min:
                return super().assign_ranked(report, ranking, deferred=deferred)
            vetoed = True
        fit = self._linkage(report, ranking.near)
        if fit is not None:
            number, weakest, mean = fit
            self._link(report, number)
            linked = self._assignment(
                report, ranking, self._incidents[number].id, False, weakest, deferred
            )
            return replace(linked, linkage=round(mean, 4))
        if not vetoed:
            return super().assign_ranked(report, ranking, deferred=deferred)
        # Its best incident does not fit it as a whole: it opens its own.
        evidence = compare(report, ranking.member, self.config)  # type: ignore[arg-type]
        incident_id, _ = self._place(report, None)
        opened = self._assignment(report, ranking, incident_id, True, evidence, deferred)
        return replace(opened, linkage=round(mean, 4))

    def _linkage(
        self, report: FusionReport, near: Iterable[tuple[int, Linkage]]
    ) -> tuple[int, PairEvidence, float] | None:
        """The incident among ``near`` that ``report`` fits best as a whole: its number,
        the evidence of the weakest pair and the mean pair score; ``None`` when none fits
        (every pair at least ``linkage_pair_min``, the mean at least ``linkage_mean``) or
        the best does not lead the next by ``linkage_lead``."""
        config = self.config
        best: tuple[int, Linkage] | None = None
        best_mean = runner_up = float("-inf")
        for number, linkage in near:
            if linkage.mean > best_mean:
                runner_up, best_mean = best_mean, linkage.mean
                fits = (
                    linkage.weakest >= config.linkage_pair_min
                    and linkage.mean >= config.linkage_mean
                )
                best = (number, linkage) if fits else None
            elif linkage.mean > runner_up:
                runner_up = linkage.mean
        if best is None or best_mean - runner_up < config.linkage_lead:
            return None
        number, linkage = best
        return number, compare(report, linkage.member, config), linkage.mean  # type: ignore[arg-type]


class IncidentMatcherV5(IncidentMatcherV4):
    """``fusion.matcher.v5``: v4's decisions on sharper time evidence.

    v1-v4 score the time of a pair linearly in its gap, so two exact reports an hour apart
    (half the tolerance of two exact windows) still add +0.5 bit. v5 raises the closeness to
    ``config.time_power`` (3) and widens the span (-2 to +3.5 bits): reports at the same
    minute say more, reports far apart within the tolerance count against. On that evidence
    the coarse lead is lower (1.5 bits) and a link by linkage needs a mean of 4.75 bits
    (``V5_CONFIG``). The decisions are v4's.
    """

    name = MATCHER_V5_NAME
    default_config = V5_CONFIG


class IncidentMatcherV6(IncidentMatcherV5):
    """``fusion.matcher.v6``: v5, and a coarse report's rivals are the anchored incidents.

    A coarse report that v5 leaves alone opens an incident of one coarse report. Such an
    incident then scores close to the next coarse reports of its district and day, so they
    are left alone too (ambiguous) although one real incident, with precise reports, fits
    them better. v6 decides a coarse report whose best incident is *anchored*
    (:attr:`OpenIncident.anchored`: a precise member, or more than one member) on its lead
    over the next anchored incident; the incidents of one coarse report it passed over are
    named in the evidence (``set_aside``). A bridging merge and the link by linkage are v5's,
    on that runner-up.

    Its text evidence starts at a ``token_sort_ratio`` of 0.92 and rises four times as
    steeply as v5's (``V6_CONFIG``): two reports written to one template (a post's log, a
    news outlet's formula) share most of their words whatever the event, a reprint shares
    them all.
    """

    name = MATCHER_V6_NAME
    default_config = V6_CONFIG


class IncidentMatcherV7(IncidentMatcherV6):
    """``fusion.matcher.v7``: v6, and a report's villages, count and actor weighed against
    the candidate incident as a whole; a point "near" a village read as near it.

    v1-v6 score an incident by its best member's pair, so what its *other* members say is
    lost: a news report of shelling at Papravend that day scores with an incident through a
    post that named no village, though two other members of that incident name Sarijali.
    v7 compares the report's villages, count and alleged perpetrator with every member that
    gives them (:meth:`incident_features`): some agree and none disagree, the feature's
    same-weight; some disagree and none agree, its different-weight; members that disagree
    among themselves, nothing. That verdict replaces the best member's pair evidence for the
    feature in the incident's score. The pairs themselves (the evidence, the linkage means,
    the bridging merge's bars) are v6's.

    A precision-2 point whose place is a village (``FusionReport.place_is_village``: a
    report "near Papravend" placed on Papravend's coordinates) has the radius
    ``village_radius_m`` instead of a town's 25 km: a village's lands are a few kilometres
    across. Its place evidence then falls off over that radius (a post 7 km away counts
    against, where under v6 it counted for), and a point beyond it (plus the other report's
    radius) is ruled out by the place gate.
    """

    name = MATCHER_V7_NAME
    default_config = V7_CONFIG

    def prepare(self, report: FusionReport) -> FusionReport:
        if report.refined:
            return report
        prepared = super().prepare(report)  # a copy: the caller's view keeps its radius
        radius = self.config.village_radius_m
        if radius and prepared.place_is_village and prepared.where_precision == 2:
            prepared.radius = min(prepared.radius, radius)
        return prepared

    def rank(self, report: FusionReport, *, held: bool = False) -> Ranking:
        prepared = self.prepare(report)  # once: v3's rank takes the refined view as it is
        ranking = super().rank(prepared, held=held)
        if ranking.member is None or not self.config.incident_evidence:
            return ranking
        features = self.incident_features(
            prepared, self._incidents[ranking.number], skip=report if held else None
        )
        return replace(ranking, incident_features=features)

    def _incident_scores(
        self, report: FusionReport, *, skip: FusionReport | None = None
    ) -> Iterator[tuple[int, float, FusionReport | None, int, Linkage]]:
        scores = super()._incident_scores(report, skip=skip)
        if not self.config.incident_evidence or (
            not report.localities and report.count is None and report.perpetrator is None
        ):
            yield from scores
            return
        for number, score, member, blocked, linkage in scores:
            if member is not None:
                verdicts = self._verdicts(report, self._incidents[number], skip)
                score += sum(weight for _, _, weight in verdicts)
                score -= self._member_weights(report, member)
            yield number, score, member, blocked, linkage

    def incident_features(
        self, report: FusionReport, incident: OpenIncident, skip: FusionReport | None = None
    ) -> tuple[FeatureScore, ...]:
        """The report's villages, count and actor against the members of ``incident`` that
        give them (``skip`` left out): for each feature they can be compared on, the
        verdict of all of them (agree, disagree or mixed) and its weight."""
        said = {
            "incident_locality": sorted(report.localities),
            "incident_count": report.count,
            "incident_actor": report.perpetrator,
        }
        return tuple(
            FeatureScore(
                name, 1.0 if verdict == "agree" else 0.0, weight, f"{said[name]}: {verdict}"
            )
            for name, verdict, weight in self._verdicts(report, incident, skip)
        )

    def _verdicts(
        self, report: FusionReport, incident: OpenIncident, skip: FusionReport | None
    ) -> list[tuple[str, str, float]]:
        """(feature, verdict, weight) for each feature the members can be compared on."""
        config = self.config
        # For villages, count and actor: whether a member agrees, whether one disagrees.
        agree = [False, False, False]
        disagree = [False, False, False]
        villages, count, actor = report.localities, report.count, report.perpetrator
        skip_id = skip.id if skip is not None else None
        for member in incident.members:
            if member.id == skip_id:
                continue
            if villages and member.localities:
                if villages.isdisjoint(member.localities):
                    disagree[0] = True
                else:
                    agree[0] = True
            if count is not None and member.count is not None:
                counted = counts_agree(count, member.count)
                if counted is True:
                    agree[1] = True
                elif counted is False:
                    disagree[1] = True
            if actor is not None and member.perpetrator is not None:
                if actor == member.perpetrator:
                    agree[2] = True
                else:
                    disagree[2] = True
        verdicts: list[tuple[str, str, float]] = []
        for i, (name, same, different) in enumerate(
            (
                ("incident_locality", config.same_locality, config.different_locality),
                ("incident_count", config.same_count, config.different_count),
                ("incident_actor", config.same_actor, config.different_actor),
            )
        ):
            if agree[i] and disagree[i]:
                verdicts.append((name, "mixed", 0.0))
            elif agree[i]:
                verdicts.append((name, "agree", same))
            elif disagree[i]:
                verdicts.append((name, "disagree", different))
        return verdicts

    def _member_weights(self, report: FusionReport, member: FusionReport) -> float:
        """The bits the villages, count and actor add to the pair of ``report`` and
        ``member`` (what :meth:`incident_features` replaces)."""
        config = self.config
        weight = 0.0
        if report.localities and member.localities:
            weight += (
                config.different_locality
                if report.localities.isdisjoint(member.localities)
                else config.same_locality
            )
        if report.count is not None and member.count is not None:
            agree = counts_agree(report.count, member.count)
            if agree is not None:
                weight += config.same_count if agree else config.different_count
        if report.perpetrator is not None and member.perpetrator is not None:
            weight += (
                config.same_actor
                if report.perpetrator == member.perpetrator
                else config.different_actor
            )
        return weight


class DeferringMatcher:
    """``fusion.matcher.v2`` over a stream: coarse and ambiguous reports wait.

    A report that is coarse (:func:`is_coarse`), or whose best two incidents are within the
    margin, waits ``config.defer_s`` seconds of arrival time; meanwhile precise reports are
    decided at once. When its time comes (or at :meth:`flush`) it is decided against the
    incidents as they are then, and not deferred again. So a report "in Aghdam district that
    day" that arrives before the monitors' exact observations is decided after them, and
    joins their incident instead of opening one of its own.
    """

    def __init__(self, matcher: IncidentMatcherV2 | None = None) -> None:
        self.matcher = matcher or IncidentMatcherV2()
        # A heap by the end of the wait (then order of arrival): a release pops only what
        # is due, however many wait.
        self._waiting: list[tuple[float, int, FusionReport]] = []
        self._arrived = 0

    @property
    def waiting(self) -> int:
        """How many reports wait."""
        return len(self._waiting)

    def submit(self, report: FusionReport, now: float) -> list[Assignment]:
        """Take ``report``, arrived at ``now`` (POSIX seconds): the decisions made now (the
        reports whose wait is over, then ``report`` unless it waits)."""
        decided = self.release(now)
        matcher = self.matcher
        ranking = matcher.rank(report)
        if matcher.config.defer_s > 0 and (ranking.coarse or ranking.ambiguous):
            self._arrived += 1
            heapq.heappush(self._waiting, (now + matcher.config.defer_s, self._arrived, report))
        else:
            decided.append(matcher.assign_ranked(report, ranking))
        return decided

    def release(self, now: float) -> list[Assignment]:
        """Decide the reports whose wait ended by ``now``, in canonical order."""
        due: list[FusionReport] = []
        while self._waiting and self._waiting[0][0] <= now:
            due.append(heapq.heappop(self._waiting)[2])
        return self._decide_all(due) if due else []

    def flush(self) -> list[Assignment]:
        """Decide every waiting report."""
        due = [report for _, _, report in self._waiting]
        self._waiting = []
        return self._decide_all(due)

    def forget_before(self, instant: float) -> None:
        """``IncidentMatcher.forget_before`` (waiting reports are not forgotten)."""
        self.matcher.forget_before(instant)

    def _decide_all(self, reports: Iterable[FusionReport]) -> list[Assignment]:
        matcher = self.matcher
        return [
            matcher.assign_ranked(report, matcher.rank(report), deferred=True)
            for report in arrival_order(reports)
        ]


def assign_batch(matcher: IncidentMatcher, reports: Iterable[FusionReport]) -> list[Assignment]:
    """Assign a batch (an import, a drain of the queue) in canonical order.

    With ``fusion.matcher.v2`` the batch is the deferral window: precise, unambiguous
    reports are decided first, then the coarse and ambiguous ones against the incidents
    the batch has formed. The assignments come back in the order they were made.
    """
    ordered = arrival_order(reports)
    if not isinstance(matcher, IncidentMatcherV2):
        return [matcher.assign(report) for report in ordered]
    decided: list[Assignment] = []
    waiting: list[FusionReport] = []
    for report in ordered:
        ranking = matcher.rank(report)
        if ranking.coarse or ranking.ambiguous:
            waiting.append(report)
        else:
            decided.append(matcher.assign_ranked(report, ranking))
    decided += [
        matcher.assign_ranked(report, matcher.rank(report), deferred=True) for report in waiting
    ]
    return decided


def fuse(
    reports: Iterable[FusionReport], config: MatcherConfig = DEFAULT_CONFIG
) -> list[Assignment]:
    """Assign every report in the given order (a fresh matcher)."""
    matcher = IncidentMatcher(config)
    return [matcher.assign(report) for report in reports]


def grouping(assignments: Iterable[Assignment]) -> list[tuple[str, ...]]:
    """The groups of report ids the assignments make, in order of their first report."""
    groups: dict[str, list[str]] = {}
    for item in assignments:
        groups.setdefault(item.incident_id, []).append(item.report_id)
    return [tuple(g) for g in groups.values()]


def arrival_order(reports: Iterable[FusionReport]) -> list[FusionReport]:
    """Reports in a canonical order: by window start, end, then id.

    A batch (an imported file, a backfill) is fused in this order, so its grouping does not
    depend on the order of the rows.
    """
    return sorted(reports, key=lambda r: (r.start, r.end, r.id))


CONFIGS: dict[str, MatcherConfig] = {
    MATCHER_NAME: DEFAULT_CONFIG,
    MATCHER_V2_NAME: V2_CONFIG,
    MATCHER_V3_NAME: V3_CONFIG,
    MATCHER_V4_NAME: V4_CONFIG,
    MATCHER_V5_NAME: V5_CONFIG,
    MATCHER_V6_NAME: V6_CONFIG,
    MATCHER_V7_NAME: V7_CONFIG,
}
"""The matchers by versioned name."""

CURRENT_CONFIG = V7_CONFIG
"""What the service uses: ``fusion.matcher.v7`` (on the fresh seeds 23 and 29
of bench/fusion.py, 100,000 reports: precision 0.956 and recall 0.902 on both, against v6's
0.954-0.955 / 0.893; bench/RESULTS.md)."""


_MATCHERS: dict[str, type[IncidentMatcher]] = {
    MATCHER_V7_NAME: IncidentMatcherV7,
    MATCHER_V6_NAME: IncidentMatcherV6,
    MATCHER_V5_NAME: IncidentMatcherV5,
    MATCHER_V4_NAME: IncidentMatcherV4,
    MATCHER_V3_NAME: IncidentMatcherV3,
    MATCHER_V2_NAME: IncidentMatcherV2,
    MATCHER_NAME: IncidentMatcher,
}
"""Each matcher version's class, by the name its ``MatcherConfig`` carries."""


def new_matcher(
    config: MatcherConfig = CURRENT_CONFIG,
    *,
    new_incident_id: Callable[[int], str] | None = None,
) -> IncidentMatcher:
    """A fresh matcher of the version ``config`` names."""
    matcher = _MATCHERS.get(config.name)
    if matcher is None:
        raise ValueError(f"unknown matcher {config.name!r}")
    return matcher(config, new_incident_id=new_incident_id)

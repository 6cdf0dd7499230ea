"""Alerts: what is worth telling someone, to whom, and how a webhook delivery is signed and
retried. Pure rules: delivery, the outbox and subscriptions' storage are wired later.

Spike detection ("more incidents in this area in the last 24 hours than usual") is a tail
test, not a fixed threshold. An area's daily counts over a trailing baseline give a rate;
its uncertainty (few days, few incidents) and the days' own over-dispersion make the count
of the next day negative-binomial rather than Poisson. The current day is a spike when the
probability of at least that many incidents under the baseline is below ``alpha`` and the
count reaches a minimum (two incidents where none is usual are not a spike worth a message).

``alerts.spike.negbin.v2`` (``spike_test``) estimates each cell's over-dispersion (variance
over mean of its daily counts) from its own baseline by the method of moments, shrinks it
toward the estimate pooled over the cells tested together (by degrees of freedom: a short or
empty baseline leans on the pool), and floors it at Poisson. ``alerts.spike.negbin.v1``
(``spike_test_v1``) is kept to reproduce the alerts raised under it (their details name it)
and to compare against: on bursty counts it alarmed 4-7 times more often than ``alpha``.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from ceasefire.access import Classification, Viewer
from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_

SPIKE_TEST_V1 = "alerts.spike.negbin.v1"
SPIKE_TEST = "alerts.spike.negbin.v2"
SPIKE_PRIOR_DF = 81.0
"""The weight of the pooled dispersion, in baseline days' degrees of freedom (tuned on
bench/alerts.py's seed 20201109: see bench/RESULTS.md)."""


class AlertKind(StrEnum):
    CASUALTIES = "casualties"
    """A new incident with casualties."""
    ZONE_BREACH = "zone_breach"
    DEADLINE_DUE = "deadline_due"
    DEADLINE_OVERDUE = "deadline_overdue"
    SPIKE = "spike"


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    CRITICAL = 3


# -- spikes ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpikeResult:
    """The test of one area's last 24 hours against its baseline."""

    area: str
    count: int
    expected: float
    p_value: float
    alert: bool
    baseline_days: int
    method: str = SPIKE_TEST
    dispersion: float | None = None
    """The variance-over-mean factor the test used (v2; ``None`` for v1)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "count": self.count,
            "expected": round(self.expected, 4),
            "p_value": self.p_value,
            "alert": self.alert,
            "baseline_days": self.baseline_days,
            "method": self.method,
            **({} if self.dispersion is None else {"dispersion": round(self.dispersion, 4)}),
        }


def negative_binomial_sf(count: int, shape: float, p: float) -> float:
    """P(X >= count) for X ~ NB(shape r, success probability p): P(X=k) =
    Γ(k+r)/(Γ(r) k!) p^r (1-p)^k (mean r(1-p)/p). Summed in log space, from the side that
    keeps precision: the far tail directly, the near one as 1 - cdf."""
    if count <= 0:
        return 1.0
    if not (shape > 0 and 0 < p <= 1):
        raise ValueError(f"negative binomial needs r > 0 and 0 < p <= 1, got {shape}, {p}")
    if p == 1.0:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    base = -math.lgamma(shape) + shape * log_p

    def pmf(k: int) -> float:
        return math.exp(base + math.lgamma(k + shape) - math.lgamma(k + 1) + k * log_q)

    mean = shape * (1 - p) / p
    if count <= mean:
        return max(0.0, 1.0 - math.fsum(pmf(k) for k in range(count)))
    total, k = 0.0, count
    while True:
        term = pmf(k)
        total += term
        # Past the mode the terms fall geometrically (ratio below q < 1).
        if term < total * 1e-16 or term == 0.0:
            return min(1.0, total)
        k += 1


@dataclass(frozen=True, slots=True)
class Dispersion:
    """A variance-over-mean factor of daily counts (1: Poisson; the quasi-Poisson
    dispersion) and the degrees of freedom it rests on."""

    factor: float
    df: float


def _check_counts(count: int, baseline: Sequence[int]) -> None:
    if count < 0 or any(c < 0 for c in baseline):
        raise InvalidInput.worded(
            N_("counts cannot be negative"), details=[problem("counts", N_("must be >= 0"))]
        )


def baseline_dispersion(baseline: Sequence[int]) -> Dispersion | None:
    """The method-of-moments dispersion of one baseline: Pearson's X^2 over its degrees of
    freedom, sum((c - mean)^2 / mean) / (days - 1). ``None`` when the baseline tells nothing
    (fewer than two days, or no incident at all)."""
    days = len(baseline)
    total = sum(baseline)
    if days < 2 or total == 0:
        return None
    mean = total / days
    return Dispersion(sum((c - mean) ** 2 for c in baseline) / mean / (days - 1), days - 1)


def pooled_dispersion(baselines: Iterable[Sequence[int]]) -> Dispersion:
    """The dispersion pooled over cells: their X^2 summed over their degrees of freedom
    summed, floored at Poisson (1 with no information)."""
    chi2 = df = 0.0
    for baseline in baselines:
        own = baseline_dispersion(baseline)
        if own is not None:
            chi2 += own.factor * own.df
            df += own.df
    return Dispersion(max(1.0, chi2 / df) if df else 1.0, df)


def _result(
    area: str,
    count: int,
    days: int,
    expected: float,
    p_value: float,
    alpha: float,
    min_count: int,
    *,
    method: str = SPIKE_TEST,
    dispersion: float | None = None,
) -> SpikeResult:
    """A test's outcome: an alert when the count is at least ``min_count`` and its tail
    probability below ``alpha`` (the rule of every version)."""
    return SpikeResult(
        area=area,
        count=count,
        expected=expected,
        p_value=p_value,
        alert=count >= min_count and p_value < alpha,
        baseline_days=days,
        method=method,
        dispersion=dispersion,
    )


def spike_test(
    area: str,
    count: int,
    baseline: Sequence[int],
    *,
    alpha: float = 0.001,
    min_count: int = 3,
    pooled: Dispersion | None = None,
    prior_df: float = SPIKE_PRIOR_DF,
    prior_shape: float = 0.5,
    prior_days: float = 1.0,
) -> SpikeResult:
    """Test ``count`` (the last 24 hours) against ``baseline`` (the days before, one count
    each): ``alerts.spike.negbin.v2``.

    The cell's dispersion ``D`` (variance over mean) is its baseline's moment estimate
    shrunk toward ``pooled`` (the estimate over the cells tested together, see
    ``pooled_dispersion``), with weights the baseline's degrees of freedom and ``prior_df``,
    then floored at 1 (Poisson); with no ``pooled`` the cell's own estimate stands alone.
    The rate gets a Gamma(``prior_shape``, ``prior_days``) prior (an area with no history is
    not certain to stay quiet), so its estimate over N = ``prior_days`` + days is
    (``prior_shape`` + total) / N with variance D·mean/N; the day's count is then negative
    binomial with that mean and variance D·mean·(1 + 1/N). With D = 1 this is the
    Gamma-Poisson predictive of v1.
    """
    _check_counts(count, baseline)
    days = len(baseline)
    total = sum(baseline)
    own = baseline_dispersion(baseline)
    if own is None:
        factor = pooled.factor if pooled is not None else 1.0
    elif pooled is None:
        factor = own.factor
    else:
        factor = (own.df * own.factor + prior_df * pooled.factor) / (own.df + prior_df)
    factor = max(1.0, factor)
    n = prior_days + days
    expected = (prior_shape + total) / n
    p = 1.0 / (factor * (1.0 + 1.0 / n))  # mean / variance
    shape = expected * p / (1.0 - p)
    p_value = negative_binomial_sf(count, shape, p)
    return _result(area, count, days, expected, p_value, alpha, min_count, dispersion=factor)


def spike_test_v1(
    area: str,
    count: int,
    baseline: Sequence[int],
    *,
    alpha: float = 0.001,
    min_count: int = 3,
    prior_shape: float = 0.5,
    prior_days: float = 1.0,
) -> SpikeResult:
    """``alerts.spike.negbin.v1``, superseded by ``spike_test`` (v2): test ``count`` (the
    last 24 hours) against ``baseline`` (the days before, one count each).

    The rate gets a Gamma(``prior_shape``, ``prior_days``) prior (half an incident in a day:
    an area with no history is not certain to stay quiet); the count's predictive law is then
    negative binomial. When the baseline days vary more than a Poisson rate would (variance
    above the mean), a moment-fitted negative binomial is tried too and the larger tail
    probability kept: a volatile area needs more to alarm.
    """
    _check_counts(count, baseline)
    days = len(baseline)
    total = sum(baseline)
    shape = prior_shape + total
    p = (prior_days + days) / (prior_days + days + 1.0)
    expected = shape * (1 - p) / p
    p_value = negative_binomial_sf(count, shape, p)
    if days >= 2:
        mean = total / days
        variance = sum((c - mean) ** 2 for c in baseline) / (days - 1)
        if variance > mean > 0:
            dispersion = mean * mean / (variance - mean)
            p_value = max(
                p_value, negative_binomial_sf(count, dispersion, dispersion / (dispersion + mean))
            )
    return _result(area, count, days, expected, p_value, alpha, min_count, method=SPIKE_TEST_V1)


def daily_counts(
    instants: Iterable[datetime], now: datetime, *, baseline_days: int = 28
) -> tuple[int, list[int]]:
    """The number of ``instants`` in the 24 hours before ``now``, and in each of the
    ``baseline_days`` periods of 24 hours before that (oldest first)."""
    counts = [0] * (baseline_days + 1)
    for instant in instants:
        age = now - instant
        if age < timedelta(0):
            continue
        index = int(age / timedelta(days=1))
        if index <= baseline_days:
            counts[index] += 1
    return counts[0], counts[:0:-1]


def grid_area(lat: float, lon: float, cell_deg: float = 0.25) -> str:
    """The grid sector of a point (``grid0.25:159:187``): cells of ``cell_deg`` degrees,
    about 28 × 21 km here, the scale of a monitoring sector."""
    return f"grid{cell_deg:g}:{math.floor(lat / cell_deg)}:{math.floor(lon / cell_deg)}"


_GRID = re.compile(r"grid(?P<deg>\d+(?:\.\d+)?):(?P<row>-?\d+):(?P<col>-?\d+)")


def grid_centre(area: str) -> tuple[float, float] | None:
    """The centre (lat, lon) of a cell :func:`grid_area` names, or None for another area
    (a zone's id)."""
    found = _GRID.fullmatch(area)
    if found is None:
        return None
    deg = float(found["deg"])
    return (int(found["row"]) + 0.5) * deg, (int(found["col"]) + 0.5) * deg


def grid_size(area: str) -> float | None:
    """The size in degrees of the cells of the grid :func:`grid_area` names ``area`` in, or
    None for another area."""
    found = _GRID.fullmatch(area)
    return float(found["deg"]) if found is not None else None


# -- who gets what --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Alert:
    """Something to tell: its kind, severity, the area and the record it is about, and that
    record's classification and concerned parties (who may read it)."""

    kind: AlertKind
    severity: Severity
    subject: str
    classification: Classification
    concerns: tuple[str, ...] = ()
    area: str | None = None
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "severity": self.severity.name.lower(),
            "subject": self.subject,
            "area": self.area,
            "summary": self.summary,
        }


@dataclass(frozen=True, slots=True)
class Subscription:
    """What a member's user wants to hear of: kinds (all when empty), areas (all when
    empty) and a minimum severity."""

    viewer: Viewer
    kinds: frozenset[AlertKind] = frozenset()
    areas: frozenset[str] = frozenset()
    min_severity: Severity = Severity.INFO


def wants(subscription: Subscription, alert: Alert) -> bool:
    """Whether ``subscription`` asked for ``alert``'s kind, area and severity (who may read
    it is the other half of who is told: the record's read rule, ``members.scope.ReadScope``)."""
    if subscription.kinds and alert.kind not in subscription.kinds:
        return False
    if subscription.areas and alert.area not in subscription.areas:
        return False
    return alert.severity >= subscription.min_severity


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    """An alert a scan found, before it is stored: the alert, the period it is about (a
    day, a due date, a finding's level), the record's agreement and owner (for the read
    check), what the message says in figures, and its ``audience`` where the same thing is
    counted for several audiences (a spike over every incident, over shared ones...)."""

    alert: Alert
    period: str
    agreement_id: str | None = None
    owner_member: str | None = None
    details: Mapping[str, Any] | None = None
    audience: str | None = None

    @property
    def topic(self) -> str:
        """What the alert is about: its kind, subject and period."""
        return f"{self.alert.kind.value}:{self.alert.subject}:{self.period}"

    @property
    def dedup_key(self) -> str:
        """The condition raised once: the topic, per audience."""
        return self.topic if self.audience is None else f"{self.topic}:{self.audience}"


def casualty_severity(figures: Mapping[str, int]) -> Severity:
    """Deaths are critical; injuries (or casualties of unknown outcome) a warning."""
    killed = sum(v for k, v in figures.items() if k.startswith("killed_"))
    return Severity.CRITICAL if killed > 0 else Severity.WARNING


def describe_casualties(figures: Mapping[str, int]) -> str:
    """``2 killed (civilian), 3 injured (military)``: the figures, best estimates."""
    parts = []
    for key in sorted(figures):
        if figures[key] > 0:
            outcome, _, group = key.partition("_")
            parts.append(f"{figures[key]} {outcome} ({group})")
    return ", ".join(parts)


# -- webhooks -------------------------------------------------------------------------------

SIGNATURE_HEADER = "X-Ceasefire-Signature"
SIGNATURE_SCHEME = "v1"


def sign_webhook(secret: bytes, body: bytes, timestamp: int) -> str:
    """The signature header value of a delivery: ``t=<unix seconds>,v1=<hex HMAC-SHA256>``
    of ``<t>.<body>``. The timestamp is signed so that a captured delivery cannot be
    replayed later (see ``verify_webhook``'s tolerance)."""
    if not secret:
        raise InvalidInput.worded(
            N_("a webhook needs a secret"), details=[problem("secret", N_("empty"))]
        )
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},{SIGNATURE_SCHEME}={mac}"


def verify_webhook(
    secret: bytes, body: bytes, header: str, *, now: int, tolerance_s: int = 300
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance_s`` of ``now``
    (what a receiver runs; constant-time comparison)."""
    parts: dict[str, str] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts[key] = value
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = sign_webhook(secret, body, timestamp).partition(",")[2].partition("=")[2]
    return hmac.compare_digest(expected, parts.get(SIGNATURE_SCHEME, ""))


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with a cap and deterministic jitter.

    Attempt 1 is the first delivery. After failed attempt ``n`` (< ``max_attempts``) the
    next waits ``min(cap, base * factor**(n-1))``, spread by ±``jitter`` (derived from the
    delivery id, so a restart recomputes the same schedule and many deliveries failing
    together do not retry together). After the last, the delivery is dead-lettered.
    """

    max_attempts: int = 6
    base_s: float = 30.0
    factor: float = 4.0
    cap_s: float = 6 * 3600.0
    jitter: float = 0.2

    def delay_after(self, attempt: int, delivery_id: str) -> float | None:
        """Seconds to wait after failed ``attempt``; ``None``: dead letter, no more tries."""
        if attempt < 1:
            raise ValueError("attempts are counted from 1")
        if attempt >= self.max_attempts:
            return None
        raw = min(self.cap_s, self.base_s * self.factor ** (attempt - 1))
        digest = hashlib.sha256(f"{delivery_id}:{attempt}".encode()).digest()
        unit = int.from_bytes(digest[:8], "big") / 2**64  # in [0, 1)
        return raw * (1 - self.jitter + 2 * self.jitter * unit)

    def schedule(self, delivery_id: str) -> list[float]:
        """Every wait between attempts, in order (``max_attempts - 1`` of them)."""
        delays = []
        for attempt in range(1, self.max_attempts):
            delay = self.delay_after(attempt, delivery_id)
            assert delay is not None
            delays.append(delay)
        return delays


DEFAULT_RETRY = RetryPolicy()

"""Alerts: the spike test on synthetic counts with a known change point (Poisson and
bursty), who is told, webhook signatures and the retry schedule."""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import UTC, datetime, timedelta

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceasefire.access import Classification, Role, Viewer, can_read
from ceasefire.alerts.model import (
    DEFAULT_RETRY,
    SPIKE_TEST,
    SPIKE_TEST_V1,
    Alert,
    AlertKind,
    Dispersion,
    RetryPolicy,
    Severity,
    Subscription,
    baseline_dispersion,
    daily_counts,
    grid_area,
    negative_binomial_sf,
    pooled_dispersion,
    sign_webhook,
    spike_test,
    spike_test_v1,
    verify_webhook,
    wants,
)

NOW = datetime(2020, 12, 1, 12, tzinfo=UTC)


def poisson_sf(count: int, mean: float) -> float:
    return 1.0 - sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(count))


def test_negative_binomial_tail_tends_to_poisson() -> None:
    # r -> infinity with the mean fixed at 2: P(X >= 10) of Poisson(2) is 4.65e-5.
    shape = 1e7
    p = shape / (shape + 2.0)
    assert negative_binomial_sf(10, shape, p) == pytest.approx(poisson_sf(10, 2.0), rel=1e-4)
    assert poisson_sf(10, 2.0) == pytest.approx(4.65e-5, rel=1e-2)


@given(
    shape=st.floats(0.1, 200),
    p=st.floats(0.05, 0.99),
    count=st.integers(0, 200),
)
def test_negative_binomial_tail_is_a_probability_and_falls(
    shape: float, p: float, count: int
) -> None:
    tail = negative_binomial_sf(count, shape, p)
    assert 0.0 <= tail <= 1.0
    assert negative_binomial_sf(count + 1, shape, p) <= tail + 1e-12


def test_geometric_case_has_a_closed_form() -> None:
    # r = 1: P(X >= k) = (1 - p)^k.
    assert negative_binomial_sf(7, 1.0, 0.3) == pytest.approx(0.7**7, rel=1e-9)


def test_minimum_count_and_quiet_areas() -> None:
    quiet = [0] * 28
    assert not spike_test("a", 2, quiet).alert  # too few, however unusual
    assert spike_test("a", 6, quiet).alert
    busy = [10, 12, 9, 11, 8, 10, 13] * 4
    assert not spike_test("b", 14, busy).alert
    assert spike_test("b", 30, busy).alert


def test_a_volatile_baseline_needs_more_to_alarm() -> None:
    steady = [4] * 28
    volatile = [0, 0, 12, 1, 0, 9, 0] * 4  # same mean, far more variance
    assert spike_test("s", 12, steady).p_value < spike_test("v", 12, volatile).p_value
    assert spike_test_v1("s", 12, steady).p_value < spike_test_v1("v", 12, volatile).p_value


def test_dispersion_by_moments_floored_at_poisson_and_shrunk_toward_the_pool() -> None:
    steady = [4] * 28
    volatile = [0, 0, 12, 1, 0, 9, 0] * 4  # mean 3.14, variance about 23
    assert baseline_dispersion([0] * 28) is None  # no incident: nothing to estimate
    assert baseline_dispersion([3]) is None
    own = baseline_dispersion(volatile)
    assert own is not None
    assert own.df == 27
    assert own.factor == pytest.approx(sum((c - 22 / 7) ** 2 for c in volatile) / (22 / 7) / 27)
    # Under-dispersed days are not less than Poisson.
    assert spike_test("s", 5, steady).dispersion == 1.0
    assert pooled_dispersion([steady, [0] * 28]) == Dispersion(1.0, 27)
    pool = pooled_dispersion([volatile, steady])
    assert pool.df == 54
    assert pool.factor == pytest.approx(own.factor / 2)
    # The cell's estimate weighs its degrees of freedom against prior_df's for the pool.
    shrunk = spike_test("v", 12, volatile, pooled=Dispersion(2.0, 1000), prior_df=27)
    assert shrunk.dispersion == pytest.approx((own.factor + 2.0) / 2)
    alone = spike_test("v", 12, volatile)
    assert alone.dispersion == pytest.approx(own.factor)
    # A cell with an empty baseline takes the pool's: a bursty pool needs more to alarm.
    assert spike_test("q", 6, [0] * 28).alert
    assert spike_test("q", 6, [0] * 28, pooled=Dispersion(3.0, 500)).dispersion == 3.0
    assert (
        spike_test("q", 6, [0] * 28, pooled=Dispersion(3.0, 500)).p_value
        > spike_test("q", 6, [0] * 28).p_value
    )
    assert alone.method == SPIKE_TEST == "alerts.spike.negbin.v2"
    assert spike_test_v1("v", 12, volatile).method == SPIKE_TEST_V1 == "alerts.spike.negbin.v1"
    assert "dispersion" not in spike_test_v1("v", 12, volatile).to_dict()


def detection(rise_to: float) -> tuple[float, float, float]:
    """200 areas, 120 days each, Poisson counts whose mean rises from 2 a day to ``rise_to``
    on day 90 (seed 20201110); each day from day 28 on is tested against the 28 days before
    it. Returns the false alarm rate before the change, and the share of areas alarmed on
    the day of the change and within 3 days of it."""
    rng = numpy.random.default_rng(20201110)
    areas, days, change, window = 200, 120, 90, 28
    means = numpy.where(numpy.arange(days) < change, 2.0, rise_to)
    counts = rng.poisson(means, size=(areas, days))
    false_alarms = tests_before = on_the_day = within_3_days = 0
    for area in range(areas):
        series = [int(c) for c in counts[area]]
        first: int | None = None
        for day in range(window, days):
            alert = spike_test(f"a{area}", series[day], series[day - window : day]).alert
            if day < change:
                tests_before += 1
                false_alarms += alert
            elif alert and first is None:
                first = day - change
        on_the_day += first == 0
        within_3_days += first is not None and first <= 2
    return false_alarms / tests_before, on_the_day / areas, within_3_days / areas


def test_spike_detection_on_counts_with_a_known_change_point() -> None:
    """Measured (alpha = 0.001, minimum count 3, 28-day baseline):

    - false alarm rate before the change: 0.0008 (10 of 12,400 area-days) with the rise to 8,
      0.0007 (9 of 12,400) with the rise to 14;
    - a fourfold rise (2 → 8 a day): 47 % of areas alarm on the day, 67 % within 3 days (the
      rest never: a day of 8 is not rare enough, and the baseline then takes in the new level);
    - a sevenfold rise (2 → 14): 93 % on the day, 99 % within 3 days.
    """
    false_alarms, on_the_day, within_3_days = detection(8.0)
    assert false_alarms <= 0.002
    assert on_the_day >= 0.4
    assert within_3_days >= 0.6
    false_alarms, on_the_day, within_3_days = detection(14.0)
    assert false_alarms <= 0.002
    assert on_the_day >= 0.9
    assert within_3_days >= 0.97


def test_the_v2_test_holds_its_level_on_bursty_counts_and_flags_the_change() -> None:
    """Bursty counts (negative binomial, variance 3 x the mean 8 a day; seed 20201207) in 100
    areas rising fourfold on day 90 of 120, each day from day 28 on tested against the 28
    before it, each area's dispersion shrunk toward the pool of that day's baselines.

    Measured (alpha 0.001, minimum count 3): v2 raised 7 false alarms in 6,200 area-days
    before the change (0.0011), v1 20 (0.0032); v2 alarmed 53 % of areas on the day of the
    change and 62 % within 3 days."""
    rng = numpy.random.default_rng(20201207)
    areas, days, change, window = 100, 120, 90, 28
    means = numpy.where(numpy.arange(days) < change, 8.0, 32.0)
    counts = [
        [int(c) for c in row] for row in rng.negative_binomial(means / 2, 1 / 3, (areas, days))
    ]
    false_alarms = {"v1": 0, "v2": 0}
    first: list[int | None] = [None] * areas
    for day in range(window, days):
        baselines = [row[day - window : day] for row in counts]
        pool = pooled_dispersion(baselines)
        for area, row in enumerate(counts):
            alert = spike_test(f"a{area}", row[day], baselines[area], pooled=pool).alert
            if day < change:
                false_alarms["v2"] += alert
                false_alarms["v1"] += spike_test_v1(f"a{area}", row[day], baselines[area]).alert
            elif alert and first[area] is None:
                first[area] = day - change
    tested = areas * (change - window)
    assert false_alarms["v2"] / tested <= 0.002
    assert false_alarms["v1"] / tested > 0.002  # what v2 corrects
    assert sum(f == 0 for f in first) / areas >= 0.45
    assert sum(f is not None and f <= 2 for f in first) / areas >= 0.55


def test_daily_counts_and_grid_area() -> None:
    # What the scan does with the counts (a busy cell is a spike, a quiet one is not, under
    # alerts.spike.negbin.v2) is asserted through alerts.scan in
    # tests/integration/test_alerts_service.py.
    old = [NOW - timedelta(days=d, hours=3) for d in range(1, 29)]
    recent = [NOW - timedelta(hours=h) for h in (1, 2, 3, 5, 8, 13)]
    count, baseline = daily_counts([*old, *recent, NOW + timedelta(hours=1)], NOW)
    assert count == 6
    assert len(baseline) == 28
    assert sum(baseline) == 28
    assert grid_area(39.991, 46.927) == "grid0.25:159:187"


def test_a_party_liaison_is_never_told_about_an_internal_record() -> None:
    # Who is told (alerts.service's recipients): what the subscription asked for (``wants``)
    # and the record's read rule (``ReadScope.can_read``, which applies ``access.can_read``).
    liaison = Viewer(member_id="armenia", user_id="u1", role=Role.PARTY_LIAISON, party="ARM")
    monitor = Viewer(member_id="turkey", user_id="u2", role=Role.MONITOR)
    alert = Alert(
        AlertKind.ZONE_BREACH,
        Severity.CRITICAL,
        "incident/1",
        Classification.INTERNAL,
        concerns=("ARM", "AZE"),
    )
    assert wants(Subscription(liaison), alert)
    assert not can_read(liaison, alert.classification, concerns=alert.concerns)
    assert wants(Subscription(monitor), alert)
    assert can_read(monitor, alert.classification, concerns=alert.concerns)
    shared = Alert(
        AlertKind.ZONE_BREACH,
        Severity.CRITICAL,
        "incident/1",
        Classification.SHARED,
        concerns=("ARM", "AZE"),
    )
    assert wants(Subscription(liaison), shared)
    assert can_read(liaison, shared.classification, concerns=shared.concerns)
    assert not wants(Subscription(liaison, kinds=frozenset({AlertKind.SPIKE})), shared)
    assert not wants(
        Subscription(monitor, min_severity=Severity.CRITICAL),
        Alert(AlertKind.SPIKE, Severity.WARNING, "area/x", Classification.INTERNAL),
    )
    assert not wants(Subscription(monitor, areas=frozenset({"grid0.25:1:1"})), alert)


def test_webhook_signature_round_trip_and_tampering() -> None:
    secret, body = b"s3cret", b'{"kind":"spike"}'
    header = sign_webhook(secret, body, 1_606_824_000)
    assert header.startswith("t=1606824000,v1=")
    assert verify_webhook(secret, body, header, now=1_606_824_030)
    assert not verify_webhook(secret, body + b" ", header, now=1_606_824_030)
    assert not verify_webhook(b"other", body, header, now=1_606_824_030)
    assert not verify_webhook(secret, body, header, now=1_606_824_000 + 301)  # replayed late
    assert not verify_webhook(secret, body, "v1=abc", now=1_606_824_000)
    # The scheme, computed independently: HMAC-SHA256 of "<t>.<body>".
    mac = hmac.new(secret, b"1606824000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1606824000,v1={mac}"


def test_retry_schedule_backs_off_caps_and_dead_letters() -> None:
    policy = RetryPolicy(max_attempts=5, base_s=10, factor=3, cap_s=100, jitter=0.0)
    assert policy.schedule("d1") == [10, 30, 90, 100]
    assert policy.delay_after(5, "d1") is None
    jittered = DEFAULT_RETRY.schedule("delivery-42")
    assert jittered == DEFAULT_RETRY.schedule("delivery-42")  # same after a restart
    assert jittered != DEFAULT_RETRY.schedule("delivery-43")
    for attempt, delay in enumerate(jittered, start=1):
        raw = min(DEFAULT_RETRY.cap_s, DEFAULT_RETRY.base_s * DEFAULT_RETRY.factor ** (attempt - 1))
        assert 0.8 * raw <= delay <= 1.2 * raw
    with pytest.raises(ValueError, match="from 1"):
        policy.delay_after(0, "d1")

"""Spike detection of the alerts (``alerts.spike.negbin.v2``, against v1): false alarms and
detection on synthetic daily counts with a known change point.

Run: .venv/bin/python bench/alerts.py [--areas 500] [--seed 20201110] [--methods v1 v2]
     .venv/bin/python bench/alerts.py --seed 20201109 --prior-df 0 7 27 81   # tuning
     .venv/bin/python bench/alerts.py --scan-incidents 2000 [--database-url URL]

Each area has daily incident counts, stationary for 120 days and then raised by a factor
from day 120 on (the change point). Every day from day 28 on is tested against the 28 days
before it, as the scan does each day. Reported per base rate, dispersion and alpha:

- the false alarm rate: alarms on stationary days / stationary area-days tested;
- the share of areas alarmed on the day of the change, and within 3 days of it;
- the test's cost per area-day.

Each day, v2 tests every area against the dispersion pooled over all the areas' baselines of
that day (as the scan pools the cells it tests); ``--prior-df`` sets the pool's weight.

Stationary counts are Poisson, or negative binomial with the same mean and variance 3 x the
mean (bursty areas, where a Poisson test would cry wolf). The minimum count is 3 throughout.

With ``--scan-incidents N`` it times instead what the served app's worker pays every minute:
``alerts.service.scan`` over N incidents of the last 29 days in 40 grid cells (the last day
busier in a few), with 30 subscriptions, on a fresh demo database (SQLite by default): the
first scan (raising the spikes and queueing their deliveries) and a repeated one (nothing
new: the steady state).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy

from ceasefire.access import Classification, Viewer
from ceasefire.alerts import service as alerts
from ceasefire.alerts.model import SPIKE_PRIOR_DF, pooled_dispersion, spike_test, spike_test_v1
from ceasefire.alerts.schemas import DeliveryChannel, SubscriptionCreate
from ceasefire.bootstrap import initialise
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.members import auth
from ceasefire.reports import service as reports
from ceasefire.reports.service import Submission

DAYS, CHANGE, WINDOW = 150, 120, 28


def counts(
    rng: numpy.random.Generator, areas: int, rate: float, rise: float, dispersed: bool
) -> numpy.ndarray:
    means = numpy.where(numpy.arange(DAYS) < CHANGE, rate, rate * rise)
    if not dispersed:
        return rng.poisson(means, size=(areas, DAYS))
    # Variance 3 x mean: NB with shape r = mean / 2, p = r / (r + mean) = 1/3.
    shape = means / 2.0
    return rng.negative_binomial(shape, 1.0 / 3.0, size=(areas, DAYS))


ALPHAS = (0.01, 0.001, 0.0001)
MIN_COUNT = 3


def measure(
    series: numpy.ndarray, method: str, prior_df: float
) -> tuple[dict[float, tuple[float, float, float]], int, float]:
    """Per alpha: (false alarm rate, share alarmed on the day, within 3 days); the number
    of stationary area-days tested; seconds per test. Each area-day is tested once and its
    p-value compared with every alpha."""
    areas = len(series)
    values = [[int(c) for c in row] for row in series]
    p_values = numpy.ones((areas, DAYS))
    started = time.perf_counter()
    tests = 0
    for day in range(WINDOW, DAYS):
        baselines = [row[day - WINDOW : day] for row in values]
        pooled = pooled_dispersion(baselines) if method == "v2" else None
        for area, row in enumerate(values):
            if method == "v2":
                result = spike_test(
                    "a", row[day], baselines[area], pooled=pooled, prior_df=prior_df
                )
            else:
                result = spike_test_v1("a", row[day], baselines[area])
            p_values[area, day] = result.p_value
            tests += 1
    seconds = time.perf_counter() - started
    enough = series >= MIN_COUNT
    tested = areas * (CHANGE - WINDOW)
    figures = {}
    for alpha in ALPHAS:
        alarms = enough & (p_values < alpha)
        false_alarms = int(alarms[:, WINDOW:CHANGE].sum())
        after = alarms[:, CHANGE:]
        first = numpy.where(after.any(axis=1), after.argmax(axis=1), -1)
        on_day = float((first == 0).mean())
        within_3 = float(((first >= 0) & (first <= 2)).mean())
        figures[alpha] = (false_alarms / tested, on_day, within_3)
    return figures, tested, seconds / tests


def time_scan(count: int, database_url: str | None, seed: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="ceasefire-bench-alerts-"))
    settings = Settings(
        database_url=database_url or f"sqlite:///{workdir / 'bench.db'}",
        key_file=workdir / "keys.json",
        data_dir=workdir,
    )
    ctx = ServiceContext.from_settings(settings)
    initialise(ctx, demo=True)
    operator = Viewer.cli_operator()
    stamp = int(time.time())
    for i in range(30):
        user_id = f"bench-{stamp}-{i}"
        auth.add_user(ctx, operator, user_id=user_id, member_id=("tur", "fra", "arm")[i % 3])
        alerts.subscribe(
            ctx,
            operator,
            SubscriptionCreate(
                channel=DeliveryChannel.EMAIL, target=f"{user_id}@example.org", user_id=user_id
            ),
        )
    turkey = Viewer(member_id="tur", user_id=f"bench-{stamp}-0")
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    started = time.perf_counter()
    for i in range(count):
        cell = rng.randrange(40)
        busy = cell < 3 and rng.random() < 0.3
        age = timedelta(hours=rng.uniform(0, 20)) if busy else timedelta(days=rng.uniform(0, 29))
        at = now - age
        body = {
            "channel": "monitor_observation",
            "observed": {"start": at.isoformat(), "end": at.isoformat(), "precision": "exact"},
            "category": "shelling",
            "event_position": {
                "lat": 39.6 + 0.25 * (cell // 8) + rng.uniform(0.01, 0.24),
                "lon": 46.5 + 0.25 * (cell % 8) + rng.uniform(0.01, 0.24),
                "precision": 1,
            },
            "means": ["heard"],
            "classification": "shared",
            "concerns": ["ARM", "AZE"],
            "agreement_id": "nk-2020-trilateral",
            "client_report_id": f"bench-{stamp}-{i}",
        }
        (filed,) = reports.file_reports(ctx, [Submission(body, None, viewer=turkey)])
        assert not isinstance(filed, Exception), filed
        incidents.create_incident(
            ctx,
            turkey,
            report_ids=[filed.report.id],
            title="Shelling",
            classification=Classification.SHARED,
        )
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    first = alerts.scan(ctx, now)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = alerts.scan(ctx, now)
    again_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "backend": ctx.engine.dialect.name,
                "incidents": count,
                "subscriptions": 30,
                "load_s": round(loaded, 1),
                "first_scan_s": round(first_s, 3),
                "raised": len(first.raised),
                "deliveries_queued": first.deliveries_queued,
                "repeated_scan_s": round(again_s, 3),
                "raised_again": len(again.raised),
            }
        )
    )
    ctx.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20201110)
    parser.add_argument("--methods", nargs="+", choices=("v1", "v2"), default=["v1", "v2"])
    parser.add_argument(
        "--prior-df",
        nargs="+",
        type=float,
        default=[SPIKE_PRIOR_DF],
        help="v2: the pooled dispersion's weight(s), in degrees of freedom",
    )
    parser.add_argument("--scan-incidents", type=int, default=0)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    if args.scan_incidents:
        time_scan(args.scan_incidents, args.database_url, args.seed)
        return
    rows = []
    for method in args.methods:
        for prior_df in args.prior_df if method == "v2" else [None]:
            for dispersed in (False, True):
                for rate in (0.5, 2.0, 8.0):
                    rng = numpy.random.default_rng(args.seed)
                    series = counts(rng, args.areas, rate, 4.0, dispersed)
                    figures, tested, per_test = measure(series, method, prior_df or 0.0)
                    for alpha, (far, on_day, within_3) in figures.items():
                        rows.append(
                            {
                                "method": method,
                                "prior_df": prior_df,
                                "seed": args.seed,
                                "counts": "negbin var=3x" if dispersed else "poisson",
                                "rate": rate,
                                "alpha": alpha,
                                "false_alarm_rate": round(far, 5),
                                "stationary_area_days": tested,
                                "alarmed_on_day_x4": round(on_day, 3),
                                "alarmed_within_3_days_x4": round(within_3, 3),
                                "us_per_test": round(per_test * 1e6, 1),
                            }
                        )
                        print(json.dumps(rows[-1]), flush=True)


if __name__ == "__main__":
    main()

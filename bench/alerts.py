"""Spike detection of the alerts (``alerts.spike.negbin.v1``): false alarms and detection
on synthetic daily counts with a known change point.

Run: .venv/bin/python bench/alerts.py [--areas 500] [--seed 20201110]
     .venv/bin/python bench/alerts.py --scan-incidents 2000 [--database-url URL]

Each area has daily incident counts, stationary for 120 days and then raised by a factor
from day 120 on (the change point). Every day from day 28 on is tested against the 28 days
before it, as the scan does each day. Reported per base rate, dispersion and alpha:

- the false alarm rate: alarms on stationary days / stationary area-days tested;
- the share of areas alarmed on the day of the change, and within 3 days of it;
- the test's cost per area-day.

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
from ceasefire.alerts.model import spike_test
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


def measure(series: numpy.ndarray, alpha: float) -> tuple[float, int, float, float, float]:
    false_alarms = tested = on_day = within_3 = 0
    started = time.perf_counter()
    tests = 0
    for row in series:
        values = [int(c) for c in row]
        first: int | None = None
        for day in range(WINDOW, DAYS):
            alert = spike_test("a", values[day], values[day - WINDOW : day], alpha=alpha).alert
            tests += 1
            if day < CHANGE:
                tested += 1
                false_alarms += alert
            elif alert and first is None:
                first = day - CHANGE
        on_day += first == 0
        within_3 += first is not None and first <= 2
    seconds = time.perf_counter() - started
    areas = len(series)
    return false_alarms / tested, tested, on_day / areas, within_3 / areas, seconds / tests


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
    parser.add_argument("--scan-incidents", type=int, default=0)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    if args.scan_incidents:
        time_scan(args.scan_incidents, args.database_url, args.seed)
        return
    rows = []
    for dispersed in (False, True):
        for rate in (0.5, 2.0, 8.0):
            rng = numpy.random.default_rng(args.seed)
            series = counts(rng, args.areas, rate, 4.0, dispersed)
            for alpha in (0.01, 0.001, 0.0001):
                far, tested, on_day, within_3, per_test = measure(series, alpha)
                rows.append(
                    {
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

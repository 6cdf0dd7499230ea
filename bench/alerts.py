"""Spike detection of the alerts (``alerts.spike.negbin.v1``): false alarms and detection
on synthetic daily counts with a known change point.

Run: .venv/bin/python bench/alerts.py [--areas 500] [--seed 20201110]

Each area has daily incident counts, stationary for 120 days and then raised by a factor
from day 120 on (the change point). Every day from day 28 on is tested against the 28 days
before it, as the scan does each day. Reported per base rate, dispersion and alpha:

- the false alarm rate: alarms on stationary days / stationary area-days tested;
- the share of areas alarmed on the day of the change, and within 3 days of it;
- the test's cost per area-day.

Stationary counts are Poisson, or negative binomial with the same mean and variance 3 x the
mean (bursty areas, where a Poisson test would cry wolf). The minimum count is 3 throughout.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy

from ceasefire.alerts.model import spike_test

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20201110)
    args = parser.parse_args()
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

"""Fusion of reports into incidents: pairwise precision/recall against known truth, and time.

Run: .venv/bin/python bench/fusion.py [--reports 100000 1000000] [--seed 2]
     [--incidents-per-day 20]

The stream comes from ``ceasefire.fusion.synthetic.StreamGenerator`` (fixed seed): true
incidents, each reported 1-6 times with noise in time, place, category and text, plus events
of an incompatible kind beside them, in order of arrival. The density (incidents per day) is
the same whatever the length, so a longer stream covers more days, as a real one does; the
cost per report should then stay flat (near-linear matching).

Timed: ``IncidentMatcher.assign`` only (generation is reported apart), wall clock and the
process's CPU time (on a machine shared with other work the CPU time is the steadier
figure), in one process, in memory; every 5,000 reports incidents that no later report
could reach are forgotten (``forget_before``), as a long-running service does. The
thresholds were set on seed 1; report figures on another seed.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections import Counter

from ceasefire.fusion.evaluation import pairwise_scores
from ceasefire.fusion.matcher import IncidentMatcher
from ceasefire.fusion.synthetic import StreamGenerator

FORGET_EVERY = 5_000
HORIZON_S = 4 * 86_400.0
"""How far back a new report may still reach: the longest arrival delay (1 day for news)
plus the widest window and slacks of day-precision reports, with margin."""


def run(count: int, seed: int, incidents_per_day: float) -> dict[str, object]:
    generator = StreamGenerator(seed, incidents_per_day=incidents_per_day)
    matcher = IncidentMatcher(new_incident_id=str)
    truth: list[int] = []
    predicted: list[str] = []
    linked = 0
    started = time.perf_counter()
    matching = 0.0
    matching_cpu = 0.0
    channels: Counter[str] = Counter()
    for index, item in enumerate(generator.stream(count)):
        if index % FORGET_EVERY == 0:
            matcher.forget_before(item.arrival - HORIZON_S)
        tick, tick_cpu = time.perf_counter(), time.process_time()
        assignment = matcher.assign(item.report)
        matching += time.perf_counter() - tick
        matching_cpu += time.process_time() - tick_cpu
        truth.append(item.truth)
        predicted.append(assignment.incident_id)
        linked += not assignment.created
        channels[item.report.channel.value] += 1
    total = time.perf_counter() - started
    scores = pairwise_scores(truth, predicted)
    return {
        "reports": count,
        "seed": seed,
        "incidents_per_day": incidents_per_day,
        "true_incidents": len(set(truth)),
        "predicted_incidents": len(set(predicted)),
        "linked_reports": linked,
        **scores.to_dict(),
        "match_s": round(matching, 2),
        "match_us_per_report": round(matching / count * 1e6, 1),
        "match_cpu_s": round(matching_cpu, 2),
        "generate_and_match_s": round(total, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "channels": dict(channels),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--incidents-per-day", type=float, default=20.0)
    args = parser.parse_args()
    results = []
    for count in args.reports:
        result = run(count, args.seed, args.incidents_per_day)
        results.append(result)
        print(json.dumps(result), flush=True)
    if len(results) >= 2:
        first, last = results[0], results[-1]
        ratio = float(last["match_s"]) / float(first["match_s"])  # type: ignore[arg-type]
        cpu = float(last["match_cpu_s"]) / float(first["match_cpu_s"])  # type: ignore[arg-type]
        size = int(last["reports"]) / int(first["reports"])  # type: ignore[call-overload]
        print(
            json.dumps(
                {"time_ratio": round(ratio, 2), "cpu_time_ratio": round(cpu, 2), "size_ratio": size}
            )
        )


if __name__ == "__main__":
    main()

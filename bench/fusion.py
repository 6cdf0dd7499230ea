"""Fusion of reports into incidents: pairwise precision/recall against known truth, and time.

Run: .venv/bin/python bench/fusion.py [--reports 100000 1000000] [--seed 2]
     [--incidents-per-day 20] [--matcher fusion.matcher.v7]

The stream comes from ``ceasefire.fusion.synthetic.StreamGenerator`` (fixed seed): true
incidents, each reported 1-6 times with noise in time, place, category and text, plus events
of an incompatible kind beside them, in order of arrival. The density (incidents per day) is
the same whatever the length, so a longer stream covers more days, as a real one does; the
cost per report should then stay flat (near-linear matching).

Timed: the matcher only (generation is reported apart): ``IncidentMatcher.assign`` for v1,
``DeferringMatcher.submit`` (with the report's arrival as the clock) and the final
``flush`` for v2 and v3 (a v3 bridging merge relabels the merged incident's reports);
wall clock and the process's CPU time (on a machine shared with other work the CPU time is
the steadier figure), in one process, in memory; every 5,000 reports
incidents that no later report could reach are forgotten (``forget_before``), as a
long-running service does. The thresholds were set on seed 1; report figures on another
seed.

The storage path: ``--storage URL --reports 5000`` files the reports through the intake
service into an empty database (each queued for fusion in its own transaction) and times
``fusion.service.drain``, which fuses the queue into stored incidents with their decisions,
evidence and ledger entries (see ``run_storage``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import time
from collections import Counter, defaultdict

from ceasefire.fusion.evaluation import pairwise_scores
from ceasefire.fusion.matcher import (
    CONFIGS,
    CURRENT_CONFIG,
    Assignment,
    DeferringMatcher,
    IncidentMatcherV2,
    Ranking,
    new_matcher,
)
from ceasefire.fusion.model import FusionReport, MatcherConfig
from ceasefire.fusion.synthetic import StreamGenerator, SyntheticReport

FORGET_EVERY = 5_000
HORIZON_S = 4 * 86_400.0
"""How far back a new report may still reach: the longest arrival delay (1 day for news)
plus the widest window and slacks of day-precision reports, with margin."""


def run(
    count: int, seed: int, incidents_per_day: float, config: MatcherConfig = CURRENT_CONFIG
) -> dict[str, object]:
    generator = StreamGenerator(seed, incidents_per_day=incidents_per_day)
    matcher = new_matcher(config, new_incident_id=str)
    deferring = DeferringMatcher(matcher) if isinstance(matcher, IncidentMatcherV2) else None
    truth: dict[str, int] = {}
    predicted: dict[str, str] = {}
    linked = deferred = merges = 0
    merged_into: dict[str, str] = {}
    started = time.perf_counter()
    matching = 0.0
    matching_cpu = 0.0
    channels: Counter[str] = Counter()

    def record(assignments: list[Assignment]) -> None:
        nonlocal linked, deferred, merges
        for assignment in assignments:
            predicted[assignment.report_id] = assignment.incident_id
            linked += not assignment.created
            deferred += assignment.deferred
            if assignment.merged_incident_id is not None:
                merged_into[assignment.merged_incident_id] = assignment.incident_id
                merges += 1

    for index, item in enumerate(generator.stream(count)):
        if index % FORGET_EVERY == 0:
            # Deferred reports are decided up to ``defer_s`` after they arrived.
            matcher.forget_before(item.arrival - HORIZON_S - config.defer_s)
        tick, tick_cpu = time.perf_counter(), time.process_time()
        if deferring is None:
            record([matcher.assign(item.report)])
        else:
            record(deferring.submit(item.report, item.arrival))
        matching += time.perf_counter() - tick
        matching_cpu += time.process_time() - tick_cpu
        truth[item.report.id] = item.truth
        channels[item.report.channel.value] += 1
    if deferring is not None:
        tick, tick_cpu = time.perf_counter(), time.process_time()
        record(deferring.flush())
        matching += time.perf_counter() - tick
        matching_cpu += time.process_time() - tick_cpu
    total = time.perf_counter() - started
    ids = list(truth)
    scores = pairwise_scores(
        [truth[i] for i in ids], [_final(predicted[i], merged_into) for i in ids]
    )
    return {
        "matcher": config.name,
        "reports": count,
        "seed": seed,
        "incidents_per_day": incidents_per_day,
        "true_incidents": len(set(truth.values())),
        "predicted_incidents": len(set(predicted.values())),
        "linked_reports": linked,
        "deferred_reports": deferred,
        "bridging_merges": merges,
        **scores.to_dict(),
        "match_s": round(matching, 2),
        "match_us_per_report": round(matching / count * 1e6, 1),
        "match_cpu_s": round(matching_cpu, 2),
        "generate_and_match_s": round(total, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "channels": dict(channels),
    }


def _final(incident: str, merged_into: dict[str, str]) -> str:
    """Where ``incident`` ended up after the merges (each names the incident it went into)."""
    while incident in merged_into:
        incident = merged_into[incident]
    return incident


def run_bound(
    count: int, seed: int, incidents_per_day: float, config: MatcherConfig = CURRENT_CONFIG
) -> dict[str, object]:
    """An upper bound of what a matcher that links a report only to the incident its
    evidence ranks first can reach: every report is ranked (``IncidentMatcherV2.rank``, the
    features and gates of ``config``) against the *true* incidents of all the other
    reports. A report whose true incident ranks first keeps it; any other is left alone.
    Precision is then 1 and the recall is the most such a matcher could recover, even with
    perfect decisions about when to link; the shares say why the rest cannot be.
    ``decided_against_truth``: each report decided by the matcher's own rule (threshold,
    margin) against those true incidents (a report it links wrongly joins that incident's
    label)."""
    items = list(StreamGenerator(seed, incidents_per_day=incidents_per_day).stream(count))
    members: dict[int, list[FusionReport]] = defaultdict(list)
    for item in items:
        members[item.truth].append(item.report)
    matcher = new_matcher(config)
    assert isinstance(matcher, IncidentMatcherV2), "the bound ranks incidents as v2 and later do"
    for number, reports in members.items():
        matcher.add_incident(str(number), reports)
    labels: list[str] = []
    decided: list[str] = []
    rankings: list[Ranking] = []
    outcome: Counter[str] = Counter()
    for item in items:
        ranking = matcher.rank(item.report, held=True)
        rankings.append(ranking)
        decided.append(
            str(ranking.incident_id)
            if ranking.decisive and ranking.incident_id is not None
            else f"alone-{item.report.id}"
        )
        if len(members[item.truth]) == 1:
            outcome["single_report_incident"] += 1
            labels.append(str(item.truth))
            continue
        if ranking.incident_id == str(item.truth):
            outcome["true_incident_ranks_first"] += 1
            labels.append(str(item.truth))
        else:
            outcome[
                "true_incident_fails_the_gates"
                if ranking.incident_id is None
                else "another_incident_ranks_first"
            ] += 1
            labels.append(f"alone-{item.report.id}")
    truth = [item.truth for item in items]
    scores = pairwise_scores(truth, labels)
    # The matcher's own decision (threshold, margin) for each report against the true
    # incidents of the others: how well the link-or-not rule does when the incidents it
    # chooses among are right.
    against_truth = pairwise_scores(truth, decided)
    frontier = _decision_frontier(items, rankings, truth)
    return {
        "bound": "true incident ranked first",
        "matcher": config.name,
        "reports": count,
        "seed": seed,
        **scores.to_dict(),
        **dict(outcome),
        "decided_against_truth": against_truth.to_dict(),
        "best_recall_at_precision_0.95": max(
            (r for p, r, _ in frontier if p >= 0.95), default=None
        ),
        "best_precision_at_recall_0.90": max(
            (p for p, r, _ in frontier if r >= 0.90), default=None
        ),
        "decision_frontier": [
            {"precision": p, "recall": r, "setting": setting} for p, r, setting in frontier
        ],
    }


def _decision_frontier(
    items: list[SyntheticReport], rankings: list[Ranking], truth: list[int]
) -> list[tuple[float, float, str]]:
    """Every setting of the link-or-not rule on a grid (threshold, margin; the coarse
    threshold, margin), each report decided against the true incidents of the others: the
    settings no other beats on both precision and recall."""
    results: list[tuple[float, float, str]] = []
    for threshold, margin, coarse_threshold, coarse_margin in itertools.product(
        (2.5, 3.0, 3.5, 4.0, 5.0), (0.0, 0.5, 1.0, 1.5), (1.0, 2.0, 2.5, 3.5), (0.0, 0.5, 1.0, 2.0)
    ):
        labels = []
        for item, ranking in zip(items, rankings, strict=True):
            bar, lead = (coarse_threshold, coarse_margin) if ranking.coarse else (threshold, margin)
            linked = (
                ranking.incident_id is not None
                and ranking.score >= bar
                and ranking.score - ranking.runner_up >= lead
            )
            labels.append(str(ranking.incident_id) if linked else f"alone-{item.report.id}")
        scores = pairwise_scores(truth, labels)
        results.append(
            (
                round(scores.precision, 4),
                round(scores.recall, 4),
                f"{threshold}/{margin} coarse {coarse_threshold}/{coarse_margin}",
            )
        )
    results.sort(key=lambda r: (-r[0], -r[1]))
    frontier: list[tuple[float, float, str]] = []
    for result in results:
        if not frontier or result[1] > frontier[-1][1]:
            frontier.append(result)
    return frontier


def run_storage(
    url: str,
    count: int,
    seed: int,
    incidents_per_day: float,
    config: MatcherConfig = CURRENT_CONFIG,
) -> dict[str, object]:
    """The storage path: ``count`` synthetic reports of the channels members file (monitors,
    sensors, complaints) filed through ``reports.service.file_reports`` in batches of 64
    (the API's group commit), each queued for fusion in its own transaction; then
    ``fusion.service.drain`` fuses the queue into incidents in the database (decisions,
    evidence, ledger entries). Precision and recall of the stored grouping against the
    generator's truth. The database must be empty (a fresh file, or a fresh PostgreSQL
    database / schema)."""
    import random
    import tempfile
    from pathlib import Path

    from sqlalchemy import select

    from ceasefire.agreements.service import setup_agreements
    from ceasefire.config import Settings
    from ceasefire.db.context import ServiceContext
    from ceasefire.db.migrate import upgrade
    from ceasefire.fusion import service as fusion
    from ceasefire.fusion.setup import demo_filer, setup_demo_sources
    from ceasefire.fusion.synthetic import api_body
    from ceasefire.ledger.service import setup_ledger
    from ceasefire.members.setup import DEMO_AGREEMENT_ID, setup_members
    from ceasefire.reports import service as reports
    from ceasefire.reports.tables import ReportRow

    folder = Path(tempfile.mkdtemp(prefix="bench-fusion-"))
    settings = Settings(
        database_url=url.replace("{tmp}", str(folder)),
        key_file=folder / "keys.json",
        data_dir=folder / "data",
        fusion_interval_s=0,
    )
    ctx = ServiceContext.from_settings(settings)
    upgrade(ctx.engine)
    setup_ledger(ctx)
    setup_agreements(ctx, demo=True)
    setup_members(ctx, demo=True)
    setup_demo_sources(ctx)  # the posts and UAVs the generated reports name
    rng = random.Random(seed)  # reproducible noise, not secrets
    truth: dict[str, int] = {}
    submissions: list[reports.Submission] = []
    for item in StreamGenerator(seed, incidents_per_day=incidents_per_day).stream(count * 3):
        body = api_body(rng, item, DEMO_AGREEMENT_ID)
        if body is None:
            continue
        viewer = demo_filer(len(submissions), body)
        truth[body["client_report_id"]] = item.truth
        submissions.append(reports.Submission(body, viewer=viewer))
        if len(submissions) == count:
            break
    started = time.perf_counter()
    for first in range(0, len(submissions), 64):
        for outcome in reports.file_reports(ctx, submissions[first : first + 64]):
            assert not isinstance(outcome, Exception), outcome
    filed = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    drained = fusion.drain(ctx, config=config)
    fused, fused_cpu = time.perf_counter() - started, time.process_time() - cpu
    with ctx.reader() as session:
        keys = dict(session.execute(select(ReportRow.id, ReportRow.idempotency_key)).all())
        where = {
            report_id: incident
            for incident, ids in reports.incident_links(session).items()
            for report_id in ids
        }
    ids = sorted(keys)
    scores = pairwise_scores([truth[str(keys[i])] for i in ids], [where[i] for i in ids])
    ctx.dispose()
    return {
        "storage": ctx.engine.dialect.name,
        "matcher": config.name,
        "reports": len(submissions),
        "seed": seed,
        **scores.to_dict(),
        "file_s": round(filed, 2),
        "fuse_s": round(fused, 2),
        "fuse_cpu_s": round(fused_cpu, 2),
        "fuse_reports_per_s": round(len(submissions) / fused, 1),
        **{f"drain_{k}": v for k, v in drained.to_dict().items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--incidents-per-day", type=float, default=20.0)
    parser.add_argument(
        "--matcher",
        choices=sorted(CONFIGS),
        default=CURRENT_CONFIG.name,
        help="the matcher version (default: the current one, which the service uses)",
    )
    parser.add_argument(
        "--storage",
        metavar="URL",
        help="Measure the storage path instead, on this empty database "
        "(sqlite:///{tmp}/bench.db: a fresh file; postgresql://...)",
    )
    parser.add_argument(
        "--bound",
        action="store_true",
        help="measure the upper bound of run_bound instead (ranking against the truth)",
    )
    args = parser.parse_args()
    if args.bound:
        for count in args.reports:
            result = run_bound(count, args.seed, args.incidents_per_day, CONFIGS[args.matcher])
            print(json.dumps(result), flush=True)
        return
    if args.storage:
        for count in args.reports:
            result = run_storage(
                args.storage, count, args.seed, args.incidents_per_day, CONFIGS[args.matcher]
            )
            print(json.dumps(result), flush=True)
        return
    results = []
    for count in args.reports:
        result = run(count, args.seed, args.incidents_per_day, CONFIGS[args.matcher])
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

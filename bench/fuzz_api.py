"""Fuzz the REST API against its own OpenAPI document, as each kind of member would send it.

    .venv/bin/python bench/fuzz_api.py [--database-url URL] [--examples 30]
                                       [--roles operator,monitor,liaison,observer,public]
                                       [--operations SUBSTRING] [--seed N]

A demo centre (``ceasefire init --demo``, the demo month included) on a fresh SQLite file, or
on the PostgreSQL database ``--database-url`` names (its public schema is dropped and
recreated), served in-process (ASGI). Schemathesis generates requests for every operation of
``/openapi.json``, valid ones and invalid ones (``--examples`` of each per operation), and
sends them with the token of each role in turn: the centre's operator, a monitor (Turkey), a
party liaison (Armenia), an observer (France) and no token at all. Every answer is checked:

- no 5xx (``not_a_server_error``);
- a status the document lists for the operation, a body its schema allows, the content type
  it names;
- every error is ``{"error": {"code", "message", "details"}}``, and a 422 names each field
  (``details`` a non-empty list of ``{"loc", "message"}``).

The failures are printed once each (operation, role, check, the request as curl) and the
command exits 1 when there was any. Not part of the test suite: it writes what the valid
requests make, takes minutes, and its inputs are random (``--seed`` repeats a run).
``tests/api/test_fuzz_api.py`` runs a small fixed share of it in the suite;
``tests/api/test_api_fuzz_findings.py`` keeps what earlier runs found as plain tests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import schemathesis  # noqa: E402
from bench.intake import fresh_settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi import checks as openapi_checks  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text  # noqa: E402
from tests.factories.fuzz import fuzz_operation  # noqa: E402

from ceasefire.access import Viewer  # noqa: E402
from ceasefire.app import create_app  # noqa: E402
from ceasefire.bootstrap import initialise  # noqa: E402
from ceasefire.db.context import ServiceContext  # noqa: E402
from ceasefire.members import auth  # noqa: E402

ROLES = {
    "operator": ("centre", True),
    "monitor": ("tur", False),
    "liaison": ("arm", False),
    "observer": ("fra", False),
    "public": (None, False),
}
"""Role name: (member of its user, whether the user is an operator); the public has none."""


RECORDS = {
    "agreement_id": "SELECT id FROM agreements",
    "article_id": "SELECT id FROM news_articles",
    "attachment_id": "SELECT id FROM report_attachments",
    "decision_id": "SELECT id FROM fusion_decisions",
    "delivery_id": "SELECT id FROM alert_deliveries",
    "incident_id": "SELECT id FROM incidents",
    "member_id": "SELECT id FROM members",
    "post_id": "SELECT id FROM observation_posts",
    "provision_id": "SELECT DISTINCT provision_id FROM provisions",
    "publication_id": "SELECT id FROM publications",
    "report_id": "SELECT id FROM reports",
    "sensor_id": "SELECT id FROM sensors",
    "seq": "SELECT seq FROM ledger_entries",
    "subscription_id": "SELECT id FROM alert_subscriptions",
    "task_id": "SELECT id FROM investigation_tasks",
    "token_id": "SELECT id FROM api_tokens",
}
"""Path parameter: the query of the ids the demo centre holds for it. Random ids are all
404s; with these, the generated bodies and queries reach the services behind the look-up."""
QUERY_ALIASES = {"agreement": "agreement_id", "member": "member_id", "post": "post_id"}


def known_ids(ctx: ServiceContext) -> dict[str, list[Any]]:
    """Up to 50 ids of each kind of record the demo centre holds (none: left out)."""
    found: dict[str, list[Any]] = {}
    for name, query in RECORDS.items():
        with ctx.engine.connect() as conn:
            ids = list(conn.execute(text(f"{query} LIMIT 50")).scalars())
        if ids:
            found[name] = ids
    return found


def with_known_ids(strategy: Any, ids: dict[str, list[Any]]) -> Any:
    """``strategy``'s (valid) cases, half of them with their path (and record-naming query)
    parameters replaced by ids of records that exist."""

    def swap(drawn: tuple[Any, dict[str, Any], bool]) -> Any:
        case, chosen, use = drawn
        if not use:
            return case
        for name in list(case.path_parameters or {}):
            if name in chosen:
                case.path_parameters[name] = chosen[name]
        for name in list(case.query or {}):
            key = QUERY_ALIASES.get(name, name)
            if key in chosen:
                case.query[name] = chosen[key]
        return case

    choices = st.fixed_dictionaries({name: st.sampled_from(v) for name, v in ids.items()})
    return st.tuples(strategy, choices, st.booleans()).map(swap)


class ErrorShapeFailure(AssertionError):
    """An error answer that is not the one error shape, or a 422 that names no field."""


def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx is ``{"error": {"code", "message", "details"}}``; a 422 lists each
    problem as ``{"loc", "message"}``."""
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError as exc:
        raise ErrorShapeFailure(f"{response.status_code} without a JSON body") from exc
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not {"code", "message", "details"} <= error.keys():
        raise ErrorShapeFailure(f"{response.status_code} not in the error shape: {body!r:.300}")
    if response.status_code == 422 and error["code"] == "E422":
        details = error["details"]
        if not isinstance(details, list) or not details:
            raise ErrorShapeFailure(f"422 naming no field: {body!r:.300}")
        for problem in details:
            # "loc" may be "": the name of an unknown field that is the empty string.
            if not isinstance(problem, dict) or not isinstance(problem.get("loc"), str):
                raise ErrorShapeFailure(f"422 problem naming no field: {problem!r:.300}")
            if not problem.get("message"):
                raise ErrorShapeFailure(f"422 problem without loc and message: {problem!r:.300}")
    return True


STATUSES: Counter[tuple[str, int]] = Counter()
"""How often each operation answered each status (valid and invalid requests together)."""


def tally(ctx: Any, response: Any, case: Any) -> bool | None:
    """Counts the answer's status under its operation; checks nothing."""
    STATUSES[case.operation.label, response.status_code] += 1
    return None


CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    schemathesis.check(error_shape),
    schemathesis.check(tally),
]


def demo_centre(url: str | None, folder: Path) -> tuple[ServiceContext, dict[str, dict[str, str]]]:
    """The demo centre, and the headers each role sends."""
    base = fresh_settings(url, folder)
    ctx = ServiceContext.from_settings(
        base.model_copy(
            update={
                "public_requests_per_minute": 0,
                "login_attempts_per_address_per_minute": 0,
                "token_requests_per_minute": 0,
                "sign_ins_per_user_per_minute": 0,
                "alerts_worker_interval_s": 0,
                "fusion_interval_s": 0,
            }
        )
    )
    initialise(ctx, demo=True)
    operator = Viewer.cli_operator()
    headers: dict[str, dict[str, str]] = {}
    for role, (member_id, is_operator) in ROLES.items():
        if member_id is None:
            headers[role] = {}
            continue
        user_id = f"fuzz-{role}"
        auth.add_user(ctx, operator, user_id=user_id, member_id=member_id, operator=is_operator)
        token = auth.create_token(ctx, operator, user_id=user_id, label="fuzz").token
        headers[role] = {"Authorization": f"Bearer {token}"}
    return ctx, headers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--examples", type=int, default=30, help="per operation and mode")
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--operations", default="", help="only labels containing this")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--extra-checks",
        default="",
        help="more of Schemathesis's checks, comma-separated: negative_data_rejection"
        " (invalid input is refused), positive_data_acceptance (valid input is taken),"
        " missing_required_header, unsupported_method, ignored_auth",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ceasefire-fuzz-"))
    ctx, headers = demo_centre(args.database_url, folder)
    ids = known_ids(ctx)
    schema: Any = schemathesis.openapi.from_asgi("/openapi.json", create_app(ctx=ctx))
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if args.operations in op.label]

    def cases(operation: Any, mode: GenerationMode) -> Any:
        strategy = operation.as_strategy(generation_mode=mode)
        if mode is GenerationMode.POSITIVE:  # an invalid case keeps its invalid parts
            strategy = with_known_ids(strategy, ids)
        return strategy

    checks = CHECKS + [getattr(openapi_checks, n) for n in args.extra_checks.split(",") if n]
    failures: list[str] = []
    for role in args.roles.split(","):
        started = time.process_time()
        before = len(failures)
        for operation in operations:
            for failure in fuzz_operation(
                operation, headers[role], checks, args.examples, strategy=cases, seed=args.seed
            ):
                failures.append(f"[{role}] {failure}")
                print(failures[-1], "\n", flush=True)
        for operation in operations:
            counted = sorted((c, n) for (o, c), n in STATUSES.items() if o == operation.label)
            print(f"# {role} {operation.label}:", ", ".join(f"{n}x {c}" for c, n in counted))
        STATUSES.clear()
        print(
            f"# {role}: {len(operations)} operations, {len(failures) - before} failing,"
            f" {time.process_time() - started:.0f} s CPU",
            flush=True,
        )
    ctx.dispose()
    print(f"# {len(failures)} failures on {ctx.engine.dialect.name}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

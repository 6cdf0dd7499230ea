"""Schemathesis run on one operation, valid and invalid requests, as the suite's fuzz test
(``tests/api/test_fuzz_api.py``) and the longer ``bench/fuzz_api.py`` both run it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as seeded
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

Strategy = Callable[[Any, GenerationMode], Any]
"""The strategy of an operation's cases in a mode (default: ``operation.as_strategy``)."""


def fuzz_operation(
    operation: Any,
    headers: dict[str, str],
    checks: Sequence[Callable[..., Any]],
    examples: int,
    *,
    strategy: Strategy | None = None,
    seed: int | None = None,
) -> list[str]:
    """The failures of ``examples`` valid and ``examples`` invalid requests to
    ``operation`` sent with ``headers``, one line each (with its curl command); no
    shrinking, so each failure is the request that found it."""
    found: list[str] = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        cases = (
            strategy(operation, mode) if strategy else operation.as_strategy(generation_mode=mode)
        )

        @settings(
            max_examples=examples,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=cases)
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=list(checks))

        if seed is not None:
            run = seeded(seed)(run)
        try:
            run()
        except Unsatisfiable:
            continue  # nothing to make invalid (no parameters, no body)
        except BaseExceptionGroup as exc:  # failing checks, with the requests causing them
            found.append(f"{operation.label} ({mode.value}): {exc}"[:3000])
        except Exception as exc:
            found.append(f"{operation.label} ({mode.value}): {exc}"[:3000])
    return found

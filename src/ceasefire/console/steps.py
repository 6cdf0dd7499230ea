"""The lines ``ceasefire init`` prints, in the CLI's language.

Each area's set-up step says what it did in English (``setup_ledger``, ``setup_news``...),
which ``init --json`` keeps as it is. The CLI reads each line back into its wording here, a
marked msgid with named parameters (as ``compliance.model.Reason.parse`` reads a finding's
reason), and prints that msgid translated with the same parameters: ids, paths, numbers and
titles, nothing to translate. A line no wording matches is printed as it was;
``tests/e2e/test_init_steps_language.py`` runs ``init --demo`` and fails on any such line, so a
step's English cannot change without its wording here.
"""

from __future__ import annotations

from functools import cache

from ceasefire.console.lang import _
from ceasefire.i18n.markers import N_
from ceasefire.i18n.readback import BRACES, Read, Readback

STEPS: tuple[str, ...] = (
    N_("database schema up to date ({url})"),
    N_("ledger: the centre signs with key {key} from {file} (0600)"),
    N_("agreement {agreement} loaded as version {version}"),
    N_("agreement {agreement} unchanged, version {version}"),
    N_("the centre is a member (operators' users belong to it)"),
    N_("demo members: {count} members with roles in {agreement}, post {post}, sensor {sensor}"),
    N_("demo incident already present"),
    N_("demo intake: {count} reports, disputed incident {incident}"),
    N_("demo news article ingested: {title} ({events} events, {reports} reports)"),
    N_("demo news article already ingested: {title} ({events} events, {reports} reports)"),
    N_("demo month: {count} generated reports (seed {seed}), {created} new"),
    N_("fusion: {reports} reports, {incidents} new incidents, {linked} linked, {alone} left alone"),
)
"""Every line an ``init`` step says, its parameters by name."""

NUMBERS = frozenset(
    {"count", "created", "seed", "events", "reports", "incidents", "linked", "alone"}
)
"""The parameters that are counts (a title or a path may hold digits and brackets)."""


@cache
def _readback() -> Readback[str]:
    return Readback.worded(STEPS, fields=dict.fromkeys(NUMBERS, r"\d+"), placeholder=BRACES)


def wording(line: str) -> Read[str] | None:
    """The msgid and parameters ``line`` was said with; ``None`` for a line of no step."""
    return _readback().read(line)


def say(line: str) -> str:
    """An ``init`` step's line in the CLI's language (as it was where no wording matches)."""
    found = wording(line)
    if found is None:
        return line
    step, params = found
    return _(step).format(**params)

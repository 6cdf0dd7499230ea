"""Every reason a decision rule gives (``incidents.model``) is one the incident page shows
translated (``web.common.DECISION_REASONS``): a reason worded anew without its pattern would
show in English on a Russian or Turkish page."""

from __future__ import annotations

from datetime import UTC, datetime

from ceasefire.incidents.model import (
    Assessment,
    Attribution,
    Finding,
    GroupQuorum,
    OccurrenceStatus,
    PresidingMember,
    QuorumByGroup,
    Stance,
    Unanimity,
)
from ceasefire.web.common import DECISION_REASONS

AT = datetime(2020, 11, 26, tzinfo=UTC)
VERIFIED = Finding(OccurrenceStatus.VERIFIED, Attribution.parse("attributed(ARM)"))
OTHER = Finding(OccurrenceStatus.VERIFIED, Attribution.parse("attributed(AZE)"))


def _view(member: str, stance: Stance, finding: Finding | None = None) -> Assessment:
    return Assessment(f"asm-{member}", member, stance, finding, "why", AT)


def _views(*views: Assessment) -> dict[str, Assessment]:
    return {v.member_id: v for v in views}


def test_every_rule_reason_has_a_translated_pattern() -> None:
    concur = {m: _view(m, Stance.CONCUR, VERIFIED) for m in ("tur", "rus", "un")}
    monitors = ["tur", "rus"]
    quorum = QuorumByGroup((GroupQuorum("monitors", 2, ("tur", "rus")),))
    presiding = PresidingMember("un")
    cases = [
        Unanimity().evaluate(_views(concur["tur"], _view("rus", Stance.DISSENT)), monitors),
        Unanimity().evaluate(_views(concur["tur"], _view("rus", Stance.CONCUR, OTHER)), monitors),
        Unanimity().evaluate(_views(concur["tur"]), monitors),
        Unanimity().evaluate({}, []),
        Unanimity().evaluate(
            _views(_view("tur", Stance.ABSTAIN), _view("rus", Stance.ABSTAIN)), monitors
        ),
        Unanimity().evaluate(_views(concur["tur"], concur["rus"]), monitors),
        quorum.evaluate(_views(concur["tur"]), monitors),
        quorum.evaluate(_views(concur["tur"], concur["rus"]), monitors),
        presiding.evaluate(_views(concur["tur"], concur["rus"], concur["un"]), monitors),
        presiding.evaluate(
            _views(concur["tur"], _view("rus", Stance.CONCUR, OTHER), concur["un"]), monitors
        ),
        presiding.evaluate(_views(concur["tur"], _view("rus", Stance.CONCUR, OTHER)), monitors),
        presiding.evaluate(_views(concur["tur"]), monitors),
    ]
    reasons = {decision.reason for decision in cases if decision.reason}
    untranslated = {r for r in reasons if not any(p.fullmatch(r) for p, _msgid in DECISION_REASONS)}
    assert not untranslated
    # and every pattern is met by some rule (none left for a wording no rule gives)
    met = {msgid for p, msgid in DECISION_REASONS for r in reasons if p.fullmatch(r)}
    assert met == {msgid for _p, msgid in DECISION_REASONS}

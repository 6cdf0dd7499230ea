"""Every reason a decision rule gives (``incidents.model``) is one the incident page shows
translated (``web.common.DECISION_REASONS``): a reason worded anew without its pattern would
show in English on a Russian or Turkish page."""

from __future__ import annotations

from datetime import UTC, datetime

from ceasefire import i18n
from ceasefire.errors import Conflict, problem
from ceasefire.i18n.markers import N_
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
    reason_wording,
)
from ceasefire.web.common import DECISION_REASONS, error_text, problem_text

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


def test_a_refusal_quoting_a_reason_shows_it_translated() -> None:
    """A refusal whose parameter is a decision's reason (``the decision rule (...) has not
    decided: waiting for rus``) carries the reason's own wording (``reason_wording``): the
    API keeps the English, a page and the CLI translate the reason inside the message."""
    decision = Unanimity().evaluate(_views(_view("tur", Stance.CONCUR, VERIFIED)), ["tur", "rus"])
    reason = reason_wording(decision.reason)
    refused = Conflict.worded(
        N_("the decision rule (%(rule)s) has not decided: %(reason)s"),
        details=[problem("status", reason)],
        rule=decision.rule,
        reason=reason,
    )
    assert refused.message == "the decision rule (unanimity) has not decided: waiting for rus"
    assert refused.details == [{"loc": "status", "message": "waiting for rus"}]
    russian = error_text(refused, lambda m: i18n.gettext("ru", m))
    assert russian.endswith(i18n.gettext("ru", "waiting for %(members)s") % {"members": "rus"})
    assert "waiting for" not in russian
    detail = problem_text(refused.details[0]["message"], lambda m: i18n.gettext("tr", m))
    assert detail == i18n.gettext("tr", "waiting for %(members)s") % {"members": "rus"}
    # A reason no pattern reads stays as it was given.
    assert reason_wording("something new") == "something new"

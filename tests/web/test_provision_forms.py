"""The provisions page's forms for what the API also does: a provision's status, the
compliance rules evaluated again, and the agreement's decision rule (both databases).

Each calls the service the API route calls; monitors of the agreement and operators are
shown the forms and succeed (the record read back through the service), a liaison and the
public are shown none and a liaison's post is refused, a post without the session's CSRF
token is refused, and a refused form names the field with its input kept.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from ceasefire.access import Role
from ceasefire.agreements import service as agreements
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.ledger import service as ledger
from ceasefire.members import service as members
from ceasefire.members.model import MemberRole
from tests.factories.agreements import MEMO_ID, NK_ID
from tests.factories.members import OPERATOR, Cast
from tests.factories.web_session import done_seqs, has_form, page_text, shown_only_to
from tests.web.conftest import Browser

EXCHANGE = "p8-exchange"
STATUS = {
    "agreement": NK_ID,
    "provision_id": EXCHANGE,
    "status": "in_progress",
    "local": "2020-12-14T13:00",
    "time_zone": "Asia/Baku",
    "evidence_source": "",
    "evidence_ref": "incident:2020-12-14-001",
    "evidence_note": "first exchange observed",
    "note": "first exchange of detainees",
}


@pytest.fixture(autouse=True)
def shipped(ctx: ServiceContext) -> None:
    """The shipped agreements: their parties, provisions and sources."""
    agreements.load_shipped(ctx)


def _history(ctx: ServiceContext) -> list[tuple[str, str, str | None]]:
    provision = agreements.get_agreement(ctx, NK_ID).agreement.provision(EXCHANGE)
    assert provision is not None
    return [(c.status.value, c.at.local, c.note) for c in provision.status_history]


def test_a_monitor_records_a_provision_status(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    russia, azerbaijan = browsers["rus"], browsers["aze"]
    page = f"/provisions?agreement={NK_ID}"
    shown_only_to(page, "/provisions/status", russia, azerbaijan)
    public = browsers["public"].client.get(page).text
    assert not has_form(public, "/provisions/status")
    assert azerbaijan.post("/provisions/status", STATUS).status_code == 403
    assert russia.post("/provisions/status", STATUS, token=False).status_code == 403
    assert _history(ctx) == []

    # No evidence: refused naming the field, the input kept.
    bare = russia.post("/provisions/status", {**STATUS, "evidence_ref": "", "evidence_note": ""})
    assert bare.status_code == 422
    assert "<li>Evidence:" in bare.text
    assert 'value="2020-12-14T13:00"' in bare.text
    assert "first exchange of detainees</textarea>" in bare.text
    future = russia.post("/provisions/status", {**STATUS, "local": "2999-01-01"})
    assert future.status_code == 422
    assert "<li>Since (local date, or date and time, as the source states it):" in future.text

    recorded = russia.post("/provisions/status", STATUS)
    assert recorded.status_code == 303, recorded.text
    (seq,) = done_seqs(recorded.headers["location"])
    assert ledger.get_entry(ctx, cast.viewer(ctx, "rus"), seq).tag == (
        "agreement:provision:status-changed"
    )
    assert _history(ctx) == [("in_progress", "2020-12-14T13:00", STATUS["note"])]
    shown = page_text(russia, recorded.headers["location"])
    assert f'href="/ledger/{seq}"' in shown
    # The same change again records nothing: no entry to name.
    again = russia.post("/provisions/status", STATUS)
    assert done_seqs(again.headers["location"]) == []
    assert len(_history(ctx)) == 1


def test_an_operator_records_a_status_and_a_provision_with_parts_is_refused(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    officer = browsers["operator"]
    page = page_text(officer, f"/provisions?agreement={NK_ID}")
    assert has_form(page, "/provisions/status")
    # Only provisions without parts are offered; posting one with parts names the field.
    assert 'value="p6-districts-and-corridor"' not in page[page.index('id="status-provision"') :]
    parts = officer.post(
        "/provisions/status", {**STATUS, "provision_id": "p6-districts-and-corridor"}
    )
    assert parts.status_code == 422
    assert "<li>Provision or part:" in parts.text
    assert officer.post("/provisions/status", STATUS).status_code == 303
    assert [s for s, _, _ in _history(ctx)] == ["in_progress"]


def test_a_monitor_evaluates_the_compliance_rules_again(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    turkey, armenia = browsers["tur"], browsers["arm"]
    page = f"/provisions?agreement={NK_ID}"
    shown_only_to(page, "/provisions/evaluate", turkey, armenia)
    assert armenia.post("/provisions/evaluate", {"agreement": NK_ID}).status_code == 403
    form = {"agreement": NK_ID}
    assert turkey.post("/provisions/evaluate", form, token=False).status_code == 403
    evaluated = turkey.post("/provisions/evaluate", form)
    assert evaluated.status_code == 303
    assert "evaluated=0-0-0" in evaluated.headers["location"]
    shown = page_text(turkey, evaluated.headers["location"])
    assert "0 findings recorded, 0 withdrawn, 0 unchanged" in shown
    assert turkey.post("/provisions/evaluate", {"agreement": "no-such"}).status_code in (403, 404)


def test_an_operator_sets_the_decision_rule(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    operator, turkey, azerbaijan = browsers["operator"], browsers["tur"], browsers["aze"]
    page = f"/provisions?agreement={NK_ID}"
    # Everyone reads the rule; only operators are shown the form: the rule weighs the
    # monitors' views, so no one monitor sets it (tests/api/test_thirteenth_audit.py).
    public = browsers["public"].client.get(page).text
    assert "unanimity" in public
    assert "current monitors</p>" in public
    assert not has_form(public, "/provisions/decision-rule")
    shown_only_to(page, "/provisions/decision-rule", operator, turkey, azerbaijan)
    presiding = {
        "agreement": NK_ID,
        "kind": "presiding_member",
        "voters": "rus tur",
        "presiding": "rus",
    }
    assert azerbaijan.post("/provisions/decision-rule", presiding).status_code == 403
    assert turkey.post("/provisions/decision-rule", presiding).status_code == 403
    assert operator.post("/provisions/decision-rule", presiding, token=False).status_code == 403
    assert incidents.get_decision_rule(ctx, NK_ID).name == "unanimity"

    # No presiding member: refused naming the field, the input kept.
    refused = operator.post("/provisions/decision-rule", {**presiding, "presiding": ""})
    assert refused.status_code == 422
    assert "<li>Presiding member (presiding member rule):" in refused.text
    assert 'name="voters" value="rus tur"' in refused.text
    bad_group = operator.post(
        "/provisions/decision-rule",
        {"agreement": NK_ID, "kind": "quorum_by_group", "groups": "monitors many rus tur"},
    )
    assert bad_group.status_code == 422
    assert "<li>Groups (quorum by group), one a line: name, members required, member ids:" in (
        bad_group.text
    )
    assert "groups.0.required" not in bad_group.text
    assert incidents.get_decision_rule(ctx, NK_ID).name == "unanimity"

    quorum = {
        "agreement": NK_ID,
        "kind": "quorum_by_group",
        "groups": "russia 1 rus\nturkey 1 tur",
    }
    set_rule = operator.post("/provisions/decision-rule", quorum)
    assert set_rule.status_code == 303, set_rule.text
    assert done_seqs(set_rule.headers["location"])
    assert incidents.get_decision_rule(ctx, NK_ID).to_dict() == {
        "kind": "quorum_by_group",
        "groups": [
            {"name": "russia", "required": 1, "members": ["rus"]},
            {"name": "turkey", "required": 1, "members": ["tur"]},
        ],
    }
    shown = page_text(operator, set_rule.headers["location"])
    assert "russia: 1 of rus" in shown
    assert "russia 1 rus\nturkey 1 tur</textarea>" in shown


def test_the_forms_follow_the_role_in_the_agreement_shown(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    # France observes the 2020 statement; make it a monitor of the memorandum.
    members.grant_role(
        ctx,
        OPERATOR,
        MemberRole(
            member_id="fra",
            agreement_id=MEMO_ID,
            role=Role.MONITOR,
            valid_from=datetime(2020, 11, 11, tzinfo=UTC),
        ),
    )
    france, russia = browsers["fra"], browsers["rus"]
    # Russia monitors the statement, not (in the demo) the memorandum.
    shown_only_to(f"/provisions?agreement={MEMO_ID}", "/provisions/status", france, russia)
    shown_only_to(f"/provisions?agreement={NK_ID}", "/provisions/status", russia, france)
    assert france.post("/provisions/status", STATUS).status_code == 403
    memo = {**STATUS, "agreement": MEMO_ID, "provision_id": "m2-parity-staffing"}
    memo |= {"status": "fulfilled", "evidence_source": "russia-mod", "evidence_ref": ""}
    assert russia.post("/provisions/status", memo).status_code == 403
    assert france.post("/provisions/status", memo).status_code == 303


def _field_errors(page: str) -> str:
    return " ".join(re.findall(r'<span class="field-error">([^<]*)</span>', page))


def test_a_status_no_dropdown_offers_is_refused_naming_the_statuses_in_words(
    browsers: dict[str, Browser],
) -> None:
    """A hand-crafted post with a status the dropdown never offers: the problem names the
    allowed statuses by their words in the reader's language, not by their codes."""
    for who, lang, words in (
        ("rus", "ru", ("выполняется", "выполнено", "нарушено")),
        ("tur", "tr", ("sürüyor", "yerine getirildi")),
        ("rus", "en", ("in progress", "fulfilled", "breached")),
    ):
        refused = browsers[who].post(f"/provisions/status?lang={lang}", {**STATUS, "status": "x"})
        assert refused.status_code == 422
        said = _field_errors(refused.text)
        assert all(word in said for word in words), said
        assert "in_progress" not in said
        assert "&#39;x&#39;" in said

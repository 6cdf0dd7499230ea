"""The incident page's forms for what the API also does: investigation tasks (assign,
complete), the title and shared summary, the decision rule evaluated again and undoing one
of fusion's grouping decisions (both databases).

Each form calls the service the API route calls: the allowed role succeeds and the record
changes (read back through the service), a role the service refuses is not shown the form
and its post is refused, a post without the session's CSRF token is refused, and a refused
form comes back naming the field, its input kept.
"""

from __future__ import annotations

import re

import httpx
import pytest

from ceasefire.access import Classification, Viewer
from ceasefire.agreements import service as agreements
from ceasefire.db.context import ServiceContext
from ceasefire.fusion import service as fusion
from ceasefire.incidents import service as incidents
from ceasefire.incidents.model import Attribution, OccurrenceStatus, Stance
from ceasefire.incidents.schemas import IncidentDetail
from ceasefire.reports import service as reports
from tests.factories.members import Cast
from tests.factories.reports import shelling_body
from tests.factories.web_session import done_seqs, has_form, page_text, shown_only_to
from tests.web.conftest import Browser


@pytest.fixture(autouse=True)
def shipped(ctx: ServiceContext) -> None:
    """The shipped agreements: their parties, provisions and sources."""
    agreements.load_shipped(ctx)  # the agreement's parties: the task form's representatives


def _incident(ctx: ServiceContext, cast: Cast, count: int = 14) -> str:
    """A shared incident of one Turkish report (concerning ARM and AZE)."""
    turkey = cast.viewer(ctx, "tur")
    report = reports.submit_report(ctx, turkey, shelling_body(count=count)).report
    made = incidents.create_incident(
        ctx,
        turkey,
        report_ids=[report.id],
        title=f"Shelling ×{count}",
        classification=Classification.SHARED,
    )
    return made.id


def _detail(ctx: ServiceContext, cast: Cast, incident_id: str) -> IncidentDetail:
    detail = incidents.get_incident(ctx, cast.viewer(ctx, "tur"), incident_id)
    assert isinstance(detail, IncidentDetail)
    return detail


def form_of(page: httpx.Response, action: str) -> str:
    """The form of ``page`` whose tag ends with ``action`` (``'action="/incidents/X/merge"'``)."""
    return page.text.split(action)[1].split("</form>")[0]


def _state(ctx: ServiceContext, cast: Cast, incident_id: str) -> str:
    decision = _detail(ctx, cast, incident_id).decision
    assert decision is not None
    return str(decision["state"])


def test_a_monitor_assigns_and_completes_a_task(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    incident_id = _incident(ctx, cast)
    base = f"/incidents/{incident_id}"
    turkey, azerbaijan = browsers["tur"], browsers["aze"]
    # A liaison reads the incident but is shown no task form, and its post is refused.
    shown_only_to(base, f"{base}/tasks", turkey, azerbaijan)
    task: dict[str, str | list[str]] = {
        "team": "Maj. A. Demir\nCapt. I. Petrov",
        "lead_member": "tur",
        "instructions": "Visit the impact site",
        "due_at": "2020-12-01",
        "rep_party": ["ARM", "AZE"],
        "rep_names": ["", "Col. Mammadov"],
        "rep_present": ["AZE"],
    }
    assert azerbaijan.post(f"{base}/tasks", task).status_code == 403
    assert turkey.post(f"{base}/tasks", task, token=False).status_code == 403
    assert _detail(ctx, cast, incident_id).tasks == []

    # No team: refused naming the field, the rest of the input kept.
    refused = turkey.post(f"{base}/tasks", {**task, "team": "  "})
    assert refused.status_code == 422
    assert "<li>Team (one name a line): empty</li>" in refused.text
    assert 'required>  </textarea> <span class="field-error">empty</span>' in refused.text
    assert "Visit the impact site</textarea>" in refused.text
    assert "Col. Mammadov</textarea>" in refused.text
    bad_due = turkey.post(f"{base}/tasks", {**task, "due_at": "next week"})
    assert bad_due.status_code == 422
    assert "<li>Due (date, or date and time in UTC):" in bad_due.text

    form = page_text(turkey, base).split(f'action="{base}/tasks"', 1)[1]
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form)
    assert key is not None
    task["idempotency_key"] = key.group(1)
    assigned = turkey.post(f"{base}/tasks", task)
    assert assigned.status_code == 303, assigned.text
    assert done_seqs(assigned.headers["location"])
    # The same form sent again (a double click, a reload) assigns no second task.
    again = turkey.post(f"{base}/tasks", task)
    assert again.status_code == 303
    assert done_seqs(again.headers["location"]) == []
    (stored,) = _detail(ctx, cast, incident_id).tasks
    assert stored.team == ["Maj. A. Demir", "Capt. I. Petrov"]
    assert stored.lead_member == "tur"
    assert [(r.party, r.present, r.names) for r in stored.party_representatives] == [
        ("ARM", False, []),
        ("AZE", True, ["Col. Mammadov"]),
    ]
    assert stored.due_at is not None
    assert stored.due_at.isoformat().startswith("2020-12-01T23:59")
    # The first task opens the investigation.
    assert _detail(ctx, cast, incident_id).status == "under_investigation"

    complete = f"{base}/tasks/{stored.id}/complete"
    page = page_text(turkey, assigned.headers["location"])
    assert "Maj. A. Demir, Capt. I. Petrov" in page
    assert has_form(page, complete)
    assert 'href="/ledger/' in page
    assert not has_form(page_text(azerbaijan, base), complete)
    assert azerbaijan.post(complete, {"findings": "nothing"}).status_code == 403
    assert turkey.post(complete, {"findings": "x"}, token=False).status_code == 403
    empty = turkey.post(complete, {"findings": " "})
    assert empty.status_code == 422
    completing = form_of(empty, f'action="{complete}"')
    assert '</textarea> <span class="field-error">' in completing
    completed = turkey.post(complete, {"findings": "Fresh craters, 122 mm fragments"})
    assert completed.status_code == 303
    (done,) = _detail(ctx, cast, incident_id).tasks
    assert (done.status, done.findings) == ("completed", "Fresh craters, 122 mm fragments")
    assert not has_form(page_text(turkey, base), complete)
    # Completing it again is a conflict, shown beside the form.
    again = turkey.post(complete, {"findings": "more"})
    assert again.status_code == 409


def test_a_monitor_edits_the_title_and_summary(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    incident_id = _incident(ctx, cast)
    base = f"/incidents/{incident_id}"
    russia, armenia = browsers["rus"], browsers["arm"]
    page = page_text(russia, base)
    assert 'name="title" value="Shelling ×14"' in page
    shown_only_to(base, f"{base}/edit", russia, armenia)
    edit = {"title": "Aghdam shelling, 26 Nov", "summary": "Fourteen impacts west of the post."}
    assert armenia.post(f"{base}/edit", edit).status_code == 403
    assert russia.post(f"{base}/edit", edit, token=False).status_code == 403
    assert _detail(ctx, cast, incident_id).title == "Shelling ×14"

    refused = russia.post(f"{base}/edit", {**edit, "title": ""})
    assert refused.status_code == 422
    assert 'maxlength="300" required></label> <span class="field-error">' in refused.text
    assert "Fourteen impacts west of the post.</textarea>" in refused.text

    edited = russia.post(f"{base}/edit", edit)
    assert edited.status_code == 303
    assert done_seqs(edited.headers["location"])
    detail = _detail(ctx, cast, incident_id)
    assert (detail.title, detail.summary) == (edit["title"], edit["summary"])
    assert "Fourteen impacts west of the post." in page_text(armenia, base)


def test_a_monitor_evaluates_the_decision_again_after_the_rule_changed(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    incident_id = _incident(ctx, cast)
    base = f"/incidents/{incident_id}"
    turkey_viewer = cast.viewer(ctx, "tur")
    incidents.change_status(
        ctx,
        turkey_viewer,
        incident_id,
        OccurrenceStatus.UNDER_INVESTIGATION,
        reason="team sent",
    )
    incidents.assess(
        ctx,
        turkey_viewer,
        incident_id,
        stance=Stance.CONCUR,
        rationale="UAV footage",
        status=OccurrenceStatus.VERIFIED,
        attribution=Attribution.parse("attributed(ARM)"),
    )
    assert _state(ctx, cast, incident_id) == "pending"  # Russia has not spoken
    # The members agree to let Turkey's view decide alone; the centre records it.
    incidents.set_decision_rule(
        ctx, Viewer.cli_operator(), cast.agreement_id, {"kind": "unanimity", "voters": ["tur"]}
    )
    turkey, azerbaijan = browsers["tur"], browsers["aze"]
    shown_only_to(base, f"{base}/decision", turkey, azerbaijan)
    assert azerbaijan.post(f"{base}/decision", {}).status_code == 403
    assert turkey.post(f"{base}/decision", {}, token=False).status_code == 403
    assert _state(ctx, cast, incident_id) == "pending"

    evaluated = turkey.post(f"{base}/decision", {})
    assert evaluated.status_code == 303
    assert "evaluated=decided" in evaluated.headers["location"]
    assert done_seqs(evaluated.headers["location"])
    assert _state(ctx, cast, incident_id) == "decided"
    assert _detail(ctx, cast, incident_id).status == "verified"
    page = page_text(turkey, evaluated.headers["location"])
    assert "The decision rule was evaluated again: decided." in page
    # Again: nothing changes, no ledger entry, and the page says so.
    again = turkey.post(f"{base}/decision", {})
    assert done_seqs(again.headers["location"]) == []
    assert "Nothing changed." in page_text(turkey, again.headers["location"])


def test_a_monitor_undoes_a_merge_from_the_incident_page(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    target, source = _incident(ctx, cast, count=3), _incident(ctx, cast, count=4)
    decision = fusion.merge(ctx, cast.viewer(ctx, "tur"), target, source, reason="one event")
    base = f"/incidents/{target}"
    undo = f"{base}/fusion/{decision.id}/undo"
    turkey, azerbaijan = browsers["tur"], browsers["aze"]
    shown_only_to(base, undo, turkey, azerbaijan)
    assert azerbaijan.post(undo, {"reason": "mine"}).status_code in (403, 404)
    assert turkey.post(undo, {"reason": "two events"}, token=False).status_code == 403
    assert len(_detail(ctx, cast, target).reports) == 2

    too_long = turkey.post(undo, {"reason": "x" * 2001})
    assert too_long.status_code == 422
    assert 'maxlength="2000"></label> <span class="field-error">' in too_long.text

    undone = turkey.post(undo, {"reason": "two events after all"})
    assert undone.status_code == 303, undone.text
    # To the incident the reports went back to, naming the undo's ledger entry.
    assert undone.headers["location"].startswith(f"/incidents/{source}?")
    assert done_seqs(undone.headers["location"])
    assert fusion.get_decision(ctx, cast.viewer(ctx, "tur"), decision.id).undone_by
    assert len(_detail(ctx, cast, target).reports) == 1
    assert len(_detail(ctx, cast, source).reports) == 1
    # An undone decision offers no second undo; posting one anyway is a conflict.
    assert not has_form(page_text(turkey, base), undo)
    again = turkey.post(undo, {"reason": "again"})
    assert again.status_code == 409
    assert "was undone by" in again.text


def test_a_refused_dissent_keeps_its_rationale_and_names_the_field(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    incident_id = _incident(ctx, cast)
    base = f"/incidents/{incident_id}"
    russia = browsers["rus"]
    # While the incident is only reported the service refuses assessments: the page says
    # what to do first instead of showing the form.
    waiting = page_text(russia, f"{base}?lang=ru")
    assert not has_form(waiting, f"{base}/assessments")
    assert "сначала измените его статус" in waiting
    incidents.change_status(
        ctx,
        cast.viewer(ctx, "tur"),
        incident_id,
        OccurrenceStatus.UNDER_INVESTIGATION,
        reason="team sent",
    )
    assert has_form(page_text(russia, base), f"{base}/assessments")
    rationale = "Воронки указывают на огонь с другого направления."
    dissent = {
        "stance": "dissent",
        "status": "verified",
        "attribution": "attributed",
        "party": "",  # attributed, to no party
        "rationale": rationale,
        "classification": "shared",
    }
    refused = russia.post(f"{base}/assessments?lang=ru", dissent)
    assert refused.status_code == 422, refused.text
    form = form_of(refused, f'action="{base}/assessments"')
    assert f"{rationale}</textarea>" in form
    assert 'value="dissent" required checked' in form
    assert '<option value="attributed" selected>' in form
    assert '<option value="shared" selected>' in form
    # The problem in Russian, by the field's label, beside the form.
    assert "<li>Ответственная сторона:" in form
    assert "<code>party</code>" not in form
    # The page opens at the refusal (autofocus), not at its top, far above the form.
    assert '<div class="error" role="alert" tabindex="-1" autofocus>' in form
    assert refused.text.count("autofocus") == 1
    assert _detail(ctx, cast, incident_id).assessments == []

    recorded = russia.post(f"{base}/assessments", {**dissent, "party": "ARM"})
    assert recorded.status_code == 303, recorded.text
    (assessment,) = _detail(ctx, cast, incident_id).assessments
    assert assessment.rationale == rationale


def test_a_merge_of_an_unknown_incident_keeps_the_form(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    target = _incident(ctx, cast, count=3)
    base = f"/incidents/{target}"
    turkey = browsers["tur"]
    typo = {"source": "inc-no-such-one", "reason": "the same shelling, seen from two posts"}
    refused = turkey.post(f"{base}/merge?lang=tr", typo)
    # The incident page, not a dead-end 404 page: the id and the reason kept, the refusal
    # beside the merge form.
    assert refused.status_code == 404
    form = form_of(refused, f'action="{base}/merge"')
    assert 'value="inc-no-such-one"' in form
    assert 'value="the same shelling, seen from two posts"' in form
    assert 'class="error"' in form

    split = turkey.post(f"{base}/split?lang=en", {"report_ids": "", "reason": "two events"})
    assert split.status_code == 422
    form = form_of(split, f'action="{base}/split"')
    assert 'value="two events"' in form
    assert "Report ids:" in form


def test_a_refused_reply_keeps_its_text_and_names_the_field(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    incident_id = _incident(ctx, cast)
    base = f"/incidents/{incident_id}"
    azerbaijan = browsers["aze"]
    assert has_form(page_text(azerbaijan, base), f"{base}/replies")
    # Spaces only pass the browser's `required` and the service refuses them: the reply form
    # says so beside its text box in the reader's language, not only in a banner above.
    refused = azerbaijan.post(f"{base}/replies?lang=tr", {"text": "   "})
    assert refused.status_code == 422, refused.text
    form = form_of(refused, f'action="{base}/replies"')
    assert '<span class="field-error">boş</span>' in form
    # Too long: what was typed comes back in the box.
    typed = "Bu iddia asılsızdır. " * 1000  # over the 20,000 characters kept
    refused = azerbaijan.post(f"{base}/replies?lang=tr", {"text": typed})
    assert refused.status_code == 422, refused.text
    form = form_of(refused, f'action="{base}/replies"')
    assert f">{typed}</textarea>" in form
    assert 'class="field-error"' in form
    assert _detail(ctx, cast, incident_id).replies == []

    sent = azerbaijan.post(f"{base}/replies", {"text": "Bu iddia asılsızdır."})
    assert sent.status_code == 303, sent.text
    (reply,) = _detail(ctx, cast, incident_id).replies
    assert reply.text == "Bu iddia asılsızdır."


def test_a_refused_note_keeps_its_text_and_classification(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    incident_id = _incident(ctx, cast)
    base = f"/incidents/{incident_id}"
    typed = "Наблюдатели видели колонну. " * 800
    refused = browsers["rus"].post(
        f"{base}/notes?lang=ru", {"text": typed, "classification": "shared"}
    )
    assert refused.status_code == 422, refused.text
    form = form_of(refused, f'action="{base}/notes"')
    assert f">{typed}</textarea>" in form
    assert '<option value="shared" selected>' in form
    assert 'class="field-error"' in form


def test_a_refusal_of_a_required_field_names_it_by_its_label_not_its_api_name(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    incident_id = _incident(ctx, cast)
    base = f"/incidents/{incident_id}"
    turkey = browsers["tur"]
    refused = turkey.post(f"{base}/edit?lang=ru", {"title": " ", "summary": "Сводка"})
    assert refused.status_code == 422, refused.text
    form = form_of(refused, f'action="{base}/edit"')
    # Was "title: обязательное поле" above "Заголовок: пусто": the API's field name.
    assert "title:" not in form
    assert "Ничего не записано. Исправьте эти поля:" in form
    assert "<li>Заголовок: пусто</li>" in form
    refused = turkey.post(f"{base}/notes?lang=tr", {"text": " ", "classification": "internal"})
    assert refused.status_code == 422, refused.text
    assert "text: " not in refused.text.split('role="alert"')[1].split("</div>")[0]


def test_a_refused_grouping_shows_the_report_list_again_with_what_was_typed(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    """Grouping no report (or one the service refuses) answered a dead-end error page (JSON
    to a script) naming ``report_ids`` and E422: now the report list, the group form's title,
    summary and classification kept and ticked reports ticked, the problem by its label."""
    report = reports.submit_report(ctx, cast.viewer(ctx, "tur"), shelling_body(count=2)).report
    turkey = browsers["tur"]
    typed = {"title": "Обстрел у Агдама", "summary": "две воронки", "classification": "shared"}
    refused = turkey.post("/incidents?lang=ru", typed)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("text/html")
    form = form_of(refused, 'action="/incidents"')
    assert 'value="Обстрел у Агдама"' in form
    assert 'value="две воронки"' in form
    assert '<option value="shared" selected>' in form
    problems = form.split('class="group"')[1]
    assert 'class="error"' in problems
    assert "Донесения:" in problems
    for code in ("report_ids", "E422"):
        assert code not in problems, code
    assert f'value="{report.id}"' in form  # the list is there to tick from

    refused = turkey.post(
        "/incidents?lang=tr", {**typed, "report_ids": [report.id, "rep-no-such-one"]}
    )
    assert refused.status_code == 404, refused.text
    form = form_of(refused, 'action="/incidents"')
    assert f'value="{report.id}" id="pick-{report.id}" checked' in form
    assert 'class="error"' in form.split('class="group"')[1]

"""The third adversarial audit: what the second one left as known risks. Each test is one
finding, failing before its fix (or pinning why an answer that looks like a leak is none)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.db.context import ServiceContext
from tests.factories.agreements import MEMO_ID, shipped_text
from tests.factories.members import Cast, add_posts, grant_monitor
from tests.factories.reports import incident_of, shelling_body


def _ledger(client: TestClient, cast: Cast, who: str, subject: str) -> list[Any]:
    response = client.get(f"/api/v1/ledger?subject={subject}", headers=cast.bearer(who))
    assert response.status_code == 200, response.text
    return list(response.json()["entries"])


def test_subscribing_another_members_user_tells_only_what_the_ledger_tells_every_member(
    client: TestClient, cast: Cast
) -> None:
    """Armenia's liaison asks to subscribe Turkey's user: 403, where an unknown user is 404,
    so the answer confirms that the user exists and is another member's. Not a leak, and
    kept (a member is told why it is refused): every member reads the ``auth:user:added``
    entry of every user, with its member (and every entry's header names its user).
    Should users' entries ever be withheld, this 403 must become the 404 of an unknown
    user."""
    body = {"channel": "email", "target": "duty@arm.example.org"}
    turkish = cast.users["tur"]
    refused = client.post(
        "/api/v1/alerts/subscriptions",
        json={**body, "user_id": turkish},
        headers=cast.bearer("arm"),
    )
    unknown = client.post(
        "/api/v1/alerts/subscriptions",
        json={**body, "user_id": "nobody"},
        headers=cast.bearer("arm"),
    )
    assert (refused.status_code, unknown.status_code) == (403, 404), refused.text
    [added] = _ledger(client, cast, "arm", f"user/{turkish}")
    assert added["tag"] == "auth:user:added"
    assert (added["payload"]["user_id"], added["payload"]["member_id"]) == (turkish, "tur")


def test_a_taken_post_id_tells_only_what_the_ledger_header_tells_every_member(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """France monitors the memorandum and observes the statement, so it may add posts it
    owns but reads no internal post. Adding one under the id of Russia's internal post is a
    409 (a post's id is the shared register's key: reports, sensors and the monitors name
    posts by it, so ids are not namespaced per member). It confirms no more than the
    ledger does to every member: the header of the hidden post's ``member:post:added``
    entry (its subject, ``post/<id>``), whose payload (name, position) is withheld. The
    409 names no field of the hidden post."""
    grant_monitor(ctx, "fra", MEMO_ID)
    add_posts(ctx, "rus-op-9", owners=("rus",), classification=Classification.INTERNAL)
    assert client.get("/api/v1/posts/rus-op-9", headers=cast.bearer("fra")).status_code == 404
    taken = client.post(
        "/api/v1/posts",
        json={
            "id": "rus-op-9",
            "name": "French post",
            "owners": ["fra"],
            "lon": 47.1,
            "lat": 40.0,
            "active_from": "2021-02-01T00:00:00Z",
        },
        headers=cast.bearer("fra"),
    )
    assert taken.status_code == 409, taken.text
    assert "RUS-OP-9" not in taken.text  # the hidden post's name
    assert "46.93" not in taken.text  # and its position
    [added] = _ledger(client, cast, "fra", "post/rus-op-9")
    assert (added["tag"], added["payload_withheld"]) == ("member:post:added", True)


UAV_MONITORING = f"/api/v1/agreements/{MEMO_ID}/provisions/m3-uav-monitoring"


def _record(client: TestClient, cast: Cast, who: str, ref: str, day: int) -> Any:
    return client.post(
        f"{UAV_MONITORING}/status",
        headers=cast.bearer(who),
        json={
            "status": "in_progress",
            "local": f"2021-02-{day:02d}",
            "time_zone": "Asia/Baku",
            "evidence": [{"ref": ref}],
        },
    )


def test_a_status_cites_as_evidence_only_records_its_recorder_may_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """France observes agreement A (the trilateral statement) and monitors B (the
    memorandum), whose provisions' statuses are public. Turkey keeps an internal report and
    an internal incident of A. France records a status of B citing their ids as
    ``evidence.ref``: that would publish the ids of A's hidden records (and confirm that
    they exist) to everyone who reads B. A ref shaped like a record id is checked as every
    reference between records is: readable by the recorder (404 naming the field, as for
    an id that does not exist) and of the provision's own agreement (422), wherever the id
    stands in the ref (``report:rep-…``, a URL); free text (a URL, a document's name) stays
    free."""
    agreements.load_text(
        ctx, shipped_text(MEMO_ID), source_name=f"{MEMO_ID}.yaml", actor=Actor.centre()
    )
    grant_monitor(ctx, "fra", MEMO_ID)
    report, incident = incident_of(
        ctx, cast.viewer(ctx, "tur"), shelling_body(classification="internal")
    )

    def history() -> list[Any]:
        response = client.get(f"{UAV_MONITORING}/history", headers=cast.bearer("fra"))
        assert response.status_code == 200, response.text
        return list(response.json()["status_history"])

    before = history()
    for hidden, cited in (
        (report, f"report:{report}"),
        (incident, f"https://jmc.example.org/incidents/{incident}"),
        (incident, incident),
    ):
        made_up = hidden[:4] + "0" * (len(hidden) - 4)
        refused, absent = (
            _record(client, cast, "fra", cited.replace(hidden, ref), 1) for ref in (hidden, made_up)
        )
        assert refused.status_code == absent.status_code == 404, refused.text
        assert refused.json()["error"]["details"][0]["loc"] == "evidence[0].ref"
        # A hidden record is answered as one that does not exist.
        assert refused.text.replace(hidden, "ID") == absent.text.replace(made_up, "ID")
    assert history() == before

    # A record France reads, but of agreement A, and the id of a record of another kind
    # (a compliance finding): refused, naming the field.
    readable_of_a, _ = incident_of(ctx, cast.viewer(ctx, "tur"), shelling_body())
    for ref in (readable_of_a, "fnd-" + readable_of_a[4:]):
        refused = _record(client, cast, "fra", ref, 2)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["details"][0]["loc"] == "evidence[0].ref"
    assert history() == before

    # France's own report of B, and free text, are evidence.
    own = client.post(
        "/api/v1/reports",
        json=shelling_body(agreement_id=MEMO_ID, alleged_perpetrator=None, concerns=[]),
        headers=cast.bearer("fra"),
    )
    assert own.status_code == 201, own.text
    for day, ref in enumerate(
        (
            f"report:{own.json()['id']}",
            "https://mil.ru/files/2021-02-03.pdf",
            "JMC log 3/2 #7",
        ),
        start=3,
    ):
        recorded = _record(client, cast, "fra", ref, day)
        assert recorded.status_code == 201, recorded.text
    assert len(history()) == len(before) + 3

"""The sixteenth audit: references from one record to another, as a member that distrusts
the others would exploit them (docs/security.md, "The sixteenth audit"; both databases).

- A provision's status is public record, and its evidence may cite, by id, an incident of
  its own agreement that its recorder reads (an internal one, for a monitor). The id was
  then shown to everyone reading the agreement (the public, either party's liaison), and
  stayed there when the incident was made internal later. Each reader is shown now only the
  ids it may read in a status's evidence and notes (``[…]`` for the others), the rule every
  other text citing records follows; the status's ledger payload, which every member read,
  is withheld from a member that may not read a record it cites.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from tests.factories.members import Cast
from tests.factories.publish import make_day

AGREEMENT = "nk-2020-trilateral"
PROVISION = f"/api/v1/agreements/{AGREEMENT}/provisions/p2-aghdam"


def _status_texts(client: TestClient, headers: dict[str, str]) -> str:
    """Every provision's status history as every reader of the agreement gets it."""
    texts = []
    for path in (
        f"/api/v1/agreements/{AGREEMENT}",
        f"/api/v1/agreements/{AGREEMENT}/provisions",
        f"/api/v1/agreements/{AGREEMENT}/provisions?as_of=2030-01-01",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        texts.append(response.text)
    return "\n".join(texts)


def _ids_in(text: str) -> set[str]:
    return set(re.findall(r"inc-[0-9a-f]{21}", text))


def test_a_status_shows_each_reader_only_the_incidents_it_reads(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Russia's monitor cites, as evidence of the Aghdam withdrawal, the internal
    checkpoint incident and the shared clash, in a ref and in notes; Turkey later makes the
    public shelling internal, cited too. The public, Armenia's liaison and France's observer
    read the status; each sees only the ids it may read."""
    day = make_day(ctx, cast)
    hidden, shared, shelling = day.ids["checkpoint"], day.ids["clash"], day.ids["shelling"]
    recorded = client.post(
        f"{PROVISION}/status",
        headers=cast.bearer("rus"),
        json={
            "status": "in_progress",
            "at": "2020-11-26T12:00:00Z",
            "evidence": [
                {"ref": f"incident:{hidden}", "note": f"see also {shared}"},
                {"ref": shelling},
            ],
            "note": f"as {hidden} shows",
        },
    )
    assert recorded.status_code == 201, recorded.text
    incidents.classify(ctx, cast.viewer(ctx, "tur"), shelling, Classification.INTERNAL)

    public = _status_texts(client, {})
    # The web's tracker, as the public reads it (no sign-in), is the same service.
    public += client.get("/provisions", params={"agreement": AGREEMENT}).text
    assert not {hidden, shared, shelling} & _ids_in(public)
    assert "[…]" in public
    for member in ("arm", "fra"):
        seen = _status_texts(client, cast.bearer(member))
        assert _ids_in(seen) == {shared}  # the clash is shared with both parties and the observer
    monitors = _status_texts(client, cast.bearer("tur"))
    assert _ids_in(monitors) == {hidden, shared, shelling}

    # Every member reads the ledger: the status's entry names the hidden incidents in its
    # payload, which is withheld now from a member that may not read one (its header kept).
    for member, withheld in (("arm", True), ("fra", True), ("rus", False)):
        entries = client.get(
            "/api/v1/ledger",
            params={"subject": f"{AGREEMENT}/p2-aghdam"},
            headers=cast.bearer(member),
        )
        assert entries.status_code == 200, entries.text
        # The last entry of the provision: the status Russia's monitor recorded.
        entry = entries.json()["entries"][-1]
        assert entry["tag"] == "agreement:provision:status-changed"
        assert entry["payload_withheld"] is withheld
        assert (hidden in entries.text) is not withheld

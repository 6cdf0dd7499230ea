"""The ledger in the browser: ``/ledger/N`` shows entry N, its signature and its inclusion
proof in its day's Merkle tree, checked as it is shown.

Members read the ledger (the API's rule); an entry about a record the member may not read is
shown with its payload withheld (docs/ledger.md, "Who reads what"); the public is sent to
sign in. The same proof document is ``GET /api/v1/ledger/N/proof`` for
programs, and ``ceasefire ledger check-proof`` checks a saved one offline.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ceasefire.api.deps import ContextDep
from ceasefire.ledger import service as ledger_service
from ceasefire.web import common
from ceasefire.web.pages import render
from ceasefire.web.session import WebViewer

router = APIRouter(include_in_schema=False)


@router.get("/ledger/{seq}", response_class=HTMLResponse)
def ledger_entry(request: Request, ctx: ContextDep, viewer: WebViewer, seq: int) -> Response:
    """One ledger entry with its inclusion proof, for a signed-in member."""
    if viewer.is_public:
        return common.sign_in_first(request)
    entry = ledger_service.get_entry(ctx, viewer, seq)
    document = ledger_service.entry_proof(ctx, viewer, seq)
    checked = ledger_service.check_proof(document)
    return render(
        "ledger_entry.html",
        request=request,
        viewer=viewer,
        entry=entry,
        proof=document.proof.model_dump(mode="json"),
        checked=checked,
        payload=None
        if entry.payload_withheld
        else json.dumps(entry.payload, indent=2, ensure_ascii=False, sort_keys=True),
        document=json.dumps(document.model_dump(mode="json"), indent=2, ensure_ascii=False),
        previous=seq - 1 if seq > 1 else None,
        following=seq + 1 if seq < common.head_seq(ctx) else None,
    )

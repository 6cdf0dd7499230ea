"""JSON views of agreements and provisions, shared by the API and the CLI's ``--json``.

Every view is "as of" an instant: statuses, deadlines (amendments decided later are not yet
known) and the term period are those in force then.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ceasefire.agreements.model import Agreement, Provision, iso


def provision_view(provision: Provision, as_of: datetime, *, nested: bool) -> dict[str, Any]:
    """One provision as of ``as_of``; its parts nested (``show``) or by id (flat lists)."""
    deadline = provision.deadline.to_dict(as_of) if provision.deadline else None
    view: dict[str, Any] = {
        "id": provision.id,
        "number": provision.number,
        "title": provision.title,
        "kind": provision.kind.value,
        "status": provision.status_as_of(as_of).value,
        "recorded_status": provision.recorded_status_as_of(as_of).value,
        "overdue": provision.is_overdue_as_of(as_of),
        "deadline": deadline,
        "obligated": list(provision.obligated),
        "beneficiaries": list(provision.beneficiaries),
        "zones": list(provision.zones),
        "quantities": dict(provision.quantities),
        "disputed": (
            {"note": provision.disputed.note, "sources": list(provision.disputed.sources)}
            if provision.disputed
            else None
        ),
        "notes": list(provision.notes),
        "text": provision.text,
        "parent": provision.parent,
        "status_history": [c.to_dict() for c in provision.status_history if c.at.at <= as_of],
    }
    if nested:
        view["parts"] = [provision_view(p, as_of, nested=True) for p in provision.parts]
    else:
        view["parts"] = [p.id for p in provision.parts]
    return view


def agreement_view(
    agreement: Agreement, as_of: datetime, *, version: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The whole agreement as of ``as_of``, top-level provisions with their parts nested."""
    term = agreement.term
    return {
        "id": agreement.id,
        "title": agreement.title,
        "kind": agreement.kind.value,
        "aliases": list(agreement.aliases),
        "version": version,
        "as_of": iso(as_of),
        "signed": agreement.signed.to_dict() if agreement.signed else None,
        "effective": agreement.effective.to_dict(),
        "ended": agreement.ended.to_dict() if agreement.ended else None,
        "parties": [
            {"code": p.code, "name": p.name, "roles": [r.value for r in p.roles], "note": p.note}
            for p in agreement.parties
        ],
        "term": term.to_dict(as_of) if term else None,
        "references": list(agreement.references),
        "sources": [
            {"id": s.id, "citation": s.citation, "url": s.url, "note": s.note}
            for s in agreement.sources
        ],
        "source_disagreements": [
            {
                "id": d.id,
                "about": list(d.about),
                "description": d.description,
                "sources": list(d.sources),
            }
            for d in agreement.disagreements
        ],
        "notes": list(agreement.notes),
        "zones": [
            {
                "id": z.id,
                "name": z.name,
                "kind": z.kind.value,
                "precision": z.precision,
                "geometry_type": z.geometry.get("type"),
            }
            for z in agreement.zones
        ],
        "provisions": [provision_view(p, as_of, nested=True) for p in agreement.provisions],
        "rules": [r.to_dict() for r in agreement.rules],
    }


def provisions_view(
    agreement: Agreement,
    as_of: datetime,
    *,
    version: dict[str, Any] | None = None,
    due_within_days: int | None = None,
) -> dict[str, Any]:
    """Every provision and part as of ``as_of``, flat, with the term and deadline summary.

    With ``due_within_days`` only provisions still open whose deadline ends within that many
    days, or has already passed (overdue), are listed.
    """
    provisions = agreement.all_provisions()
    overdue = [v.provision.id for v in agreement.overdue_as_of(as_of)]
    upcoming_within = timedelta(days=due_within_days if due_within_days is not None else 30)
    upcoming = [v.provision.id for v in agreement.upcoming_as_of(as_of, upcoming_within)]
    if due_within_days is not None:
        keep = set(overdue) | set(upcoming)
        provisions = [p for p in provisions if p.id in keep]
    return {
        "agreement": {"id": agreement.id, "title": agreement.title, "version": version},
        "as_of": iso(as_of),
        "due_within_days": due_within_days,
        "term": agreement.term.to_dict(as_of) if agreement.term else None,
        "overdue": overdue,
        "upcoming": upcoming,
        "upcoming_within_days": upcoming_within.days,
        "provisions": [provision_view(p, as_of, nested=False) for p in provisions],
    }

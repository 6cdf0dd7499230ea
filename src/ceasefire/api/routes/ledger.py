"""The ledger over HTTP: paged entries, one entry, its inclusion proof, daily roots, keys,
the head, and pre-signed entries from members whose keys never touch the server.

Reading entries needs a member's token (every member may check the whole record); the
head, daily roots and public keys are public, since publishing them is what lets anyone
check an exported bundle. A pre-signed entry needs no token: its signature by a key the
ledger holds as valid for the member *is* the authentication.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, Field

from ceasefire.api.deps import ContextDep, RequireMember
from ceasefire.api.inputcheck import INT8_MAX
from ceasefire.services import ledger

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


class EntryPage(BaseModel):
    entries: list[ledger.EntryPublic]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null when this page is the last."
    )


class PresignedEntry(BaseModel):
    """An entry signed by the member itself (see docs/ledger.md, "Pre-signed entries")."""

    header: str = Field(description="The RFC 8785 canonical header, exactly as signed.")
    payload: str = Field(description="The RFC 8785 canonical payload (a JSON object).")
    signature: str = Field(description="Ed25519 signature of the header bytes, 128 hex digits.")


SeqPath = Annotated[int, Path(ge=1, le=INT8_MAX, description="Sequence number of the entry.")]


@router.get("", response_model=EntryPage)
def list_entries(
    ctx: ContextDep,
    _viewer: RequireMember,
    after: Annotated[int, Query(ge=0, le=INT8_MAX, description="Entries after this seq.")] = 0,
    limit: Annotated[int, Query(ge=1, le=ledger.MAX_PAGE, description="Page size.")] = 100,
    tag: Annotated[str | None, Query(max_length=128, description="Tag prefix.")] = None,
    subject: Annotated[str | None, Query(max_length=200, description="Subject id.")] = None,
) -> EntryPage:
    """Entries in sequence order, ``limit`` at a time after ``after``."""
    entries = ledger.list_entries(ctx, _viewer, after=after, limit=limit, tag=tag, subject=subject)
    return EntryPage(entries=entries, next_after=entries[-1].seq if len(entries) == limit else None)


@router.get("/head")
def get_head(ctx: ContextDep) -> dict[str, Any]:
    """The last entry's seq and hash: what a pre-signed entry is built on."""
    return ledger.head(ctx)


@router.get("/roots", response_model=list[ledger.RootPublic])
def list_roots(ctx: ContextDep) -> list[ledger.RootPublic]:
    """The published Merkle root of every sealed UTC day."""
    return ledger.list_roots(ctx)


@router.get("/keys", response_model=list[ledger.KeyPublic])
def list_keys(
    ctx: ContextDep,
    member_id: Annotated[str | None, Query(max_length=64, description="Only this member.")] = None,
) -> list[ledger.KeyPublic]:
    """Every public key with the stretch of the record in which it may sign."""
    return ledger.list_keys(ctx, member_id=member_id)


@router.post("/entries", response_model=ledger.EntryPublic, status_code=status.HTTP_201_CREATED)
def submit_presigned(ctx: ContextDep, body: PresignedEntry) -> ledger.EntryPublic:
    """Append an entry signed by the member's own key (409 when the head moved: re-sign)."""
    return ledger.append_presigned(
        ctx, header=body.header, payload=body.payload, signature=body.signature
    )


@router.get("/{seq}", response_model=ledger.EntryPublic)
def get_entry(ctx: ContextDep, _viewer: RequireMember, seq: SeqPath) -> ledger.EntryPublic:
    """One entry with its payload, the exact signed header, hashes and signature."""
    return ledger.get_entry(ctx, _viewer, seq)


@router.get("/{seq}/proof")
def get_proof(ctx: ContextDep, _viewer: RequireMember, seq: SeqPath) -> dict[str, Any]:
    """Inclusion proof of the entry in its day's Merkle tree, with the entry itself."""
    return ledger.entry_proof(ctx, _viewer, seq)

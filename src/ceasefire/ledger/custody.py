"""Members who hold their own signing keys: the server can no longer write in their name.

Once a member has a key of custody ``member`` (its private half never touches the server),
the ledger's rule (docs/ledger.md, "Members' own keys") is that

* only that member's custody-``member`` keys sign entries in its name -- a server-held key
  of the member signs nothing valid any more (``ledger verify``: key not valid);
* only one of those keys may add or rotate a key of the member -- the centre can no longer
  vouch for a new key, which would let the server sign as the member again;
* the centre may still *revoke* a key (a stolen key must be stoppable), which only takes
  away.

This module is the server's side of that rule: it refuses to sign for such a member (the
member submits pre-signed entries instead), and it accepts the member's own pre-signed key
entries (``ledger:key:added`` / ``rotated`` / ``revoked`` for itself), keeping the
``ledger_keys`` projection in step.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.errors import Forbidden, InvalidInput, Wording, problem
from ceasefire.i18n.markers import N_
from ceasefire.ledger.entry import KEY_ADDED, KEY_REVOKED, KEY_ROTATED, EntryHeader
from ceasefire.ledger.keys import ALGORITHM, CENTRE_MEMBER_ID, MEMBER_CUSTODY, key_id_for
from ceasefire.ledger.tables import LedgerKeyRow

KEY_TAGS = (KEY_ADDED, KEY_ROTATED, KEY_REVOKED)

REVOKE_REASON = "the member holds its own keys"


def holds_own_keys(session: Session, member_id: str) -> int | None:
    """The seq from which ``member_id`` holds its own keys (None: it does not)."""
    if member_id == CENTRE_MEMBER_ID:
        return None
    found = session.scalar(
        select(LedgerKeyRow.added_seq)
        .where(LedgerKeyRow.member_id == member_id)
        .where(LedgerKeyRow.custody == MEMBER_CUSTODY)
        .order_by(LedgerKeyRow.added_seq)
        .limit(1)
    )
    return None if found is None else int(found)


def refuse_server_signature(member_id: str, since: int) -> Forbidden:
    """The error for a change the server would have to sign in a self-custodial member's
    name: the member signs it itself (a pre-signed entry) or it is not made."""
    return Forbidden.worded(
        N_(
            "%(member_id)s holds its own signing keys (since ledger seq %(since)s): the server "
            "cannot sign in its name; the member submits the entry signed with its own key (POST "
            "/api/v1/ledger/entries, docs/ledger.md)"
        ),
        details=[problem("member_id", N_("holds its own keys"), extra={"since_seq": since})],
        member_id=repr(member_id),
        since=since,
    )


def check_server_may_sign(session: Session, member_id: str) -> None:
    """Refuse (``refuse_server_signature``) a change the server would have to sign in the
    name of ``member_id`` once that member holds its own keys."""
    since = holds_own_keys(session, member_id)
    if since is not None:
        raise refuse_server_signature(member_id, since)


def valid_keys(session: Session, member_id: str) -> list[LedgerKeyRow]:
    """The member's keys still valid (not revoked or rotated out), oldest first."""
    return list(
        session.scalars(
            select(LedgerKeyRow)
            .where(LedgerKeyRow.member_id == member_id)
            .where(LedgerKeyRow.ended_seq.is_(None))
            .order_by(LedgerKeyRow.added_seq)
        )
    )


def server_keys_to_end(session: Session, member_id: str) -> list[LedgerKeyRow]:
    """The member's server-held keys still valid: revoked when it takes its keys."""
    return [k for k in valid_keys(session, member_id) if k.custody != MEMBER_CUSTODY]


def _bad(loc: str, msgid: str, **params: str) -> InvalidInput:
    """The refusal ``msgid`` (marked) with ``params``, its details entry at ``loc``."""
    entry = problem(loc, Wording(msgid, tuple(params.items())))
    return InvalidInput.worded(msgid, details=[entry], **params)


def check_key_entry(
    session: Session, parsed: EntryHeader, payload: dict[str, Any], signer: LedgerKeyRow
) -> Callable[[Session, int, datetime], None]:
    """Check a member's pre-signed key entry for itself; returns what to do to the
    ``ledger_keys`` projection once it is stored (called with its seq and time)."""
    member = payload.get("member_id")
    key_id = payload.get("key_id")
    if member != parsed.member or signer.custody != MEMBER_CUSTODY:
        raise Forbidden.worded(
            N_("a member may pre-sign key entries only for itself, with a key it holds"),
            details=[problem("payload.member_id", N_("not the signing member"))],
        )
    if not isinstance(key_id, str) or parsed.subject != key_id:
        raise _bad("header.subject", N_("the subject must be the key id of the payload"))
    if parsed.tag == KEY_REVOKED:
        row = session.get(LedgerKeyRow, key_id)
        if row is None or row.member_id != member:
            raise _bad(
                "payload.key_id",
                N_("%(member)s has no key %(key_id)s"),
                member=repr(member),
                key_id=key_id,
            )

        def revoke(s: Session, seq: int, instant: datetime) -> None:
            target = s.get(LedgerKeyRow, key_id)
            if target is not None and target.ended_seq is None:
                target.ended_seq, target.valid_until, target.end_reason = seq, instant, "revoked"

        return revoke
    public_key = payload.get("public_key")
    try:
        matches = isinstance(public_key, str) and key_id_for(public_key) == key_id
    except ValueError:
        matches = False
    if not matches or payload.get("algorithm") != ALGORITHM:
        raise _bad("payload.public_key", N_("public_key must be the Ed25519 key of key_id"))
    if payload.get("custody") != MEMBER_CUSTODY:
        raise _bad("payload.custody", N_("a key a member adds itself has custody 'member'"))
    if session.get(LedgerKeyRow, key_id) is not None:
        raise _bad("payload.key_id", N_("key %(key_id)s is already registered"), key_id=key_id)
    replaces = payload.get("replaces")
    if parsed.tag == KEY_ROTATED:
        old = session.get(LedgerKeyRow, replaces) if isinstance(replaces, str) else None
        if old is None or old.member_id != member or old.ended_seq is not None:
            raise _bad("payload.replaces", N_("not a valid key of %(member)s"), member=repr(member))
    elif replaces is not None:
        raise _bad("payload.replaces", N_("only a rotation replaces a key"))

    def add(s: Session, seq: int, instant: datetime) -> None:
        if isinstance(replaces, str):
            old_row = s.get(LedgerKeyRow, replaces)
            if old_row is not None:
                old_row.ended_seq, old_row.valid_until = seq, instant
                old_row.end_reason = "rotated"
        s.add(
            LedgerKeyRow(
                key_id=key_id,
                member_id=str(member),
                algorithm=ALGORITHM,
                public_key=str(public_key),
                custody=MEMBER_CUSTODY,
                valid_from=instant,
                added_seq=seq,
            )
        )

    return add

"""Ledger tags of the ledger area: the ledger's own keys and sealed daily roots.

Tags have the form ``source:subject:action`` (warehouse's audit events). The writer and
the state checker both use these members, so a misspelt tag is an error, not a check
that silently never runs. A tag, once written to a ledger, never changes."""

from enum import StrEnum


class LedgerTag(StrEnum):
    """Every ledger tag the ledger area writes."""

    KEY_ADDED = "ledger:key:added"
    KEY_ROTATED = "ledger:key:rotated"
    KEY_REVOKED = "ledger:key:revoked"
    ROOT_SEALED = "ledger:root:sealed"

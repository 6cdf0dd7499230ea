"""Ledger tags of the agreements area: agreement versions loaded, deadlines amended,
provisions retired and their status.

Tags have the form ``source:subject:action`` (warehouse's audit events). The writer and
the state checker both use these members, so a misspelt tag is an error, not a check
that silently never runs. A tag, once written to a ledger, never changes."""

from enum import StrEnum


class AgreementTag(StrEnum):
    """Every ledger tag the agreements area writes."""

    VERSION_LOADED = "agreement:version:loaded"
    DEADLINE_AMENDED = "agreement:deadline:amended"
    PROVISION_RETIRED = "agreement:provision:retired"
    PROVISION_STATUS_CHANGED = "agreement:provision:status-changed"

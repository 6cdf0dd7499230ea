"""The state checkers ``ceasefire ledger verify`` runs after walking the chain.

Each area whose tables the ledger records lists a :class:`StateChecker` here (one line):
it receives the entries of its tags with their payloads and reports every row of its
tables that no longer matches them — a row edited, added or deleted behind the
application's back.
"""

from __future__ import annotations

from ceasefire.services.ledger import StateChecker
from ceasefire.services.ledger_agreements import AGREEMENTS_CHECKER
from ceasefire.services.ledger_intake import INTAKE_CHECKER
from ceasefire.services.ledger_members import MEMBERS_CHECKER

STATE_CHECKERS: list[StateChecker] = [
    AGREEMENTS_CHECKER,
    MEMBERS_CHECKER,
    INTAKE_CHECKER,
]

"""The tamper-evident ledger, pure part: canonical bytes, entries, keys, Merkle trees, checks.

Nothing here touches the database; ``ceasefire.services.ledger`` stores and reads entries.
The format is specified in docs/ledger.md so that anyone can write their own verifier.
"""

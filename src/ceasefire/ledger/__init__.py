"""The tamper-evident ledger: canonical bytes, entries, keys, Merkle trees, storage, verify.

The pure part (``canonical``, ``entry``, ``keys``, ``merkle``, ``verify``, ``bundle``) touches
no database; ``service`` stores, seals, reads, verifies and exports. The format is specified
in docs/ledger.md so that anyone can write their own verifier.
"""

from ceasefire.areas import Area

AREA = Area.conventional(__name__, checker=False)

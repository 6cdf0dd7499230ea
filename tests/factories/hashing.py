"""The cheapest argon2id costs ceasefire's settings accept (OWASP's minimum), for tests.

The defaults (RFC 9106's low-memory profile) cost about a third of a second a hash on the test
machine, and ``init --demo`` alone hashes eight passwords. A hash records its own costs, so
what the tests prove about passwords holds for any costs; tests/unit/test_password_costs.py
checks that a hash made at the floor verifies and that less is refused.
"""

from __future__ import annotations

PASSWORD_HASH_FLOOR: dict[str, int] = {
    "password_hash_time_cost": 2,
    "password_hash_memory_kib": 19456,
    "password_hash_parallelism": 1,
}
"""Settings fields and their floors."""

PASSWORD_HASH_FLOOR_ENV: dict[str, str] = {
    f"CEASEFIRE_{name.upper()}": str(value) for name, value in PASSWORD_HASH_FLOOR.items()
}
"""The same, as the environment of a CLI or server process."""

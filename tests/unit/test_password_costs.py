"""The argon2id costs of new password hashes are settings, floored at OWASP's minimum."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY
from pydantic import ValidationError

from ceasefire.config import Settings
from ceasefire.members import auth
from tests.factories.hashing import PASSWORD_HASH_FLOOR

PASSWORD = "correct horse battery"


def test_defaults_are_argon2_cffis() -> None:
    hasher = auth._hasher(Settings())
    assert hasher.time_cost == RFC_9106_LOW_MEMORY.time_cost == 3
    assert hasher.memory_cost == RFC_9106_LOW_MEMORY.memory_cost == 65536
    assert hasher.parallelism == RFC_9106_LOW_MEMORY.parallelism == 4


def test_a_hash_made_at_the_floor_verifies_under_any_costs() -> None:
    floor = Settings.model_validate(PASSWORD_HASH_FLOOR)
    stored = auth._hasher(floor).hash(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    # The hash records its costs: a hasher set up with other costs verifies it...
    for hasher in (auth._hasher(Settings()), PasswordHasher()):
        assert hasher.verify(stored, PASSWORD)
        with pytest.raises(VerifyMismatchError):
            hasher.verify(stored, PASSWORD + "x")
        # ...and asks for it to be rehashed with its own (which a sign-in does).
        assert hasher.check_needs_rehash(stored)
    assert not auth._hasher(floor).check_needs_rehash(stored)


@pytest.mark.parametrize("field", sorted(PASSWORD_HASH_FLOOR))
def test_a_cost_below_the_floor_is_refused_naming_the_field(field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings.model_validate({**PASSWORD_HASH_FLOOR, field: PASSWORD_HASH_FLOOR[field] - 1})
    assert [error["loc"] for error in caught.value.errors()] == [(field,)]


def test_a_cost_below_the_floor_is_refused_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CEASEFIRE_PASSWORD_HASH_MEMORY_KIB", "19455")
    with pytest.raises(ValidationError, match="password_hash_memory_kib"):
        Settings()

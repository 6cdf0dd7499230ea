"""The key file: created 0600, refused when others may read it, rewritten atomically."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ceasefire.errors import IntegrityError
from ceasefire.ledger.keyfile import add_key, load_key_file
from ceasefire.ledger.keys import SigningKey, signature_is_valid

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def test_a_missing_key_file_is_empty_and_adding_creates_it_0600(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    assert load_key_file(path).keys == ()
    key = SigningKey.generate("centre")
    add_key(path, key, created_at=NOW)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_key_file(path)
    assert [k.key_id for k in loaded.keys] == [key.key_id]
    restored = loaded.by_id(key.key_id)
    assert restored is not None
    assert signature_is_valid(key.public_key_hex, restored.sign(b"x"), b"x")
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_keys_are_kept_in_order_and_found_per_member(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    first, second, other = (SigningKey.generate(m) for m in ("arm", "arm", "aze"))
    for key in (first, second, other):
        add_key(path, key, created_at=NOW)
    add_key(path, first, created_at=NOW)  # again: no duplicate
    loaded = load_key_file(path)
    assert [k.key_id for k in loaded.for_member("arm")] == [second.key_id, first.key_id]
    assert len(loaded.keys) == 3


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    add_key(path, SigningKey.generate("centre"), created_at=NOW)
    path.chmod(0o644)
    with pytest.raises(IntegrityError, match="0600"):
        load_key_file(path)


def test_a_key_that_does_not_match_its_private_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    add_key(path, SigningKey.generate("centre"), created_at=NOW)
    data = json.loads(path.read_text())
    data["keys"][0]["public_key"] = SigningKey.generate("centre").public_key_hex
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    with pytest.raises(IntegrityError, match="does not match"):
        load_key_file(path)

"""The CLI's file arguments (``console.options.read_text``, ``read_json``): one reader, one
refusal naming the option, for a file that is missing, unreadable or not UTF-8."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ceasefire.console.options import read_json, read_text
from ceasefire.errors import InvalidInput


def test_json_from_a_file_and_from_standard_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = tmp_path / "report.json"
    body.write_text('{"category": "shelling"}', encoding="utf-8")
    assert read_json(str(body)) == {"category": "shelling"}
    monkeypatch.setattr("sys.stdin", io.StringIO('{"count": 2}'))
    assert read_json("-") == {"count": 2}


def test_a_file_that_is_not_utf8_is_invalid_input_not_a_failure(tmp_path: Path) -> None:
    body = tmp_path / "latin1.json"
    body.write_bytes('{"narrative": "Ağdam"}'.encode("latin-1", "replace") + b"\xff")
    with pytest.raises(InvalidInput) as refused:
        read_json(str(body))
    assert str(refused.value).startswith(f"cannot read {body}: 'utf-8' codec can't decode")
    assert [d["loc"] for d in refused.value.details] == ["file"]


def test_a_missing_file_is_named_once_with_the_systems_reason(tmp_path: Path) -> None:
    missing = tmp_path / "absent.jsonl"
    with pytest.raises(InvalidInput) as refused:
        read_text(missing, "--jsonl")
    assert str(refused.value) == f"cannot read {missing}: No such file or directory"
    assert [d["loc"] for d in refused.value.details] == ["--jsonl"]
    with pytest.raises(InvalidInput) as as_json:
        read_json(str(missing))
    assert str(as_json.value) == f"cannot read {missing}: No such file or directory"
    assert [d["loc"] for d in as_json.value.details] == ["file"]

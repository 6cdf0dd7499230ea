"""Rough edges a new user meets: a file given to ``geoparse``, data given to ``extract``,
tables on an 80-column terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasefire.cli import main
from ceasefire.console.output import console
from ceasefire.errors import InvalidInput
from ceasefire.news.inputs import data_kind, decode_article, looks_like_path
from tests.factories.news import SEED


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"records": [{"id": 1, "text": "Shelling hit Barda."}]}', "JSON"),
        ('[{"id": 1}, {"id": 2}]', "JSON"),
        ('{"id": 1, "text": "a"}\n{"id": 2, "text": "b"}\n', "JSON lines"),
        ("id,date,place,event\n1,2020-10-04,Barda,shelling\n2,2020-10-05,Tartar,shelling\n"
         "3,2020-10-06,Ganja,missile\n4,2020-10-07,Terter,drone\n5,2020-10-08,Aghdam,shelling\n",
         "a CSV/TSV table"),
        ('<?xml version="1.0"?>\n<rss version="2.0"><channel></channel></rss>', "an XML feed"),
        ("Ceasefire holds\n\nThe truce, signed on Monday, held overnight, officials said.", None),
        ("[Photo] Troops in Aghdam\n\nAzerbaijani troops entered Aghdam on Friday.", None),
    ],
)  # fmt: skip
def test_data_is_told_from_articles(text: str, kind: str | None) -> None:
    assert data_kind(text) == kind


def test_a_json_file_is_refused_with_a_coded_error() -> None:
    with pytest.raises(
        InvalidInput, match=r"\[E-NLP003\] dump.json: JSON data, not an article"
    ) as caught:
        decode_article(b'{"records": []}', name="dump.json")
    assert (caught.value.code, caught.value.status) == ("E-NLP003", 422)


def test_extract_refuses_json_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "records.json"
    dump.write_text(json.dumps([{"id": i, "text": "Shelling hit Barda."} for i in range(50)]))
    assert main(["extract", str(dump)]) == 2
    captured = capsys.readouterr()
    message = " ".join(captured.err.split())  # Rich wraps long lines
    assert "[E-NLP003]" in message
    assert "JSON data, not an article" in message
    assert "--jsonl" in message
    assert "Events" not in captured.out


@pytest.mark.parametrize(
    ("text", "expected"),
    [("page.html", True), ("data/a.txt", True), ("Shelling hit Barda.", False), ("Barda", False)],
)
def test_looks_like_path(text: str, expected: bool) -> None:
    assert looks_like_path(text) is expected


def test_geoparse_reads_the_file_it_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "report.txt"
    page.write_text("Shelling in Barda\n\nArtillery shelling hit Barda and Tartar overnight.\n")
    assert main(["geoparse", str(page), "--json"]) == 0
    names = {place["name"] for place in json.loads(capsys.readouterr().out)}
    assert names == {"Barda", "Tartar"}  # the title's "Barda" not merged with the body


def test_geoparse_of_a_missing_file_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geoparse", "no-such-page.html"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_tables_fit_80_columns_without_breaking_words(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(console, "width", 80)
    assert main(["extract", str(SEED), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert main(["extract", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    # Dates, types and places print whole; no word of the table is cut in two.
    for event in result["events"]:
        assert event["event"] in out
        if event["date"]:
            assert event["date"] in out
        if event["location"]:
            assert event["location"]["name"] in out

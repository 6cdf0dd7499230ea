"""Bad input: a clear message per file, and the batch goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasefire.cli import main
from ceasefire.errors import InvalidInput, PayloadTooLarge
from ceasefire.news.extract import NewsExtractor
from ceasefire.news.inputs import decode_article, read_article_file
from tests.factories.news import SEED

FRENCH = (
    "Le Monde\n\nLe président a rencontré son homologue\n\nJeudi 26 novembre 2020 - 05:45\n\n"
    "Le président de la République a rencontré jeudi son homologue russe pour discuter de la "
    "situation dans le Haut-Karabakh et de la mise en place d'un centre de surveillance.\n\n"
    "Selon la présidence, les discussions ont été constructives et une nouvelle rencontre est "
    "prévue dans les prochaines semaines.\n"
)


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty": tmp_path / "empty.txt",
        "binary": tmp_path / "photo.jpg",
        "latin1": tmp_path / "latin1.txt",
        "big": tmp_path / "big.txt",
        "no_article": tmp_path / "menu.html",
        "french": tmp_path / "french.txt",
    }
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    files["latin1"].write_bytes("Caf\xe9 au lait: a story.\n\nMore.".encode("latin-1"))
    files["big"].write_bytes(b"word " * 300_000)
    files["no_article"].write_text(
        "<html><body><nav>Home | About</nav><p>We use cookies.</p></body></html>",
        encoding="utf-8",
    )
    files["french"].write_text(FRENCH, encoding="utf-8")
    return files


@pytest.mark.parametrize(
    ("kind", "error", "message"),
    [
        ("empty", InvalidInput, "empty"),
        ("binary", InvalidInput, "binary"),
        ("latin1", InvalidInput, "not UTF-8"),
        ("big", PayloadTooLarge, "bytes an article may have"),
    ],
)
def test_unreadable_files(
    bad_files: dict[str, Path], kind: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message) as caught:
        read_article_file(bad_files[kind], max_bytes=1_000_000)
    assert str(bad_files[kind]) in str(caught.value)


def test_no_article_and_other_language(
    bad_files: dict[str, Path],
    extractor: NewsExtractor,
) -> None:
    with pytest.raises(InvalidInput, match="no article"):
        extractor.read(bad_files["no_article"])
    # Another language is no error: the article comes back, with a note on what ran.
    news = extractor.analyse(extractor.read(bad_files["french"]))
    assert news.article.language == "fr"
    assert news.article.title == "Le président a rencontré son homologue"
    assert len(news.article.paragraphs) == 2
    assert news.notes[0].startswith("language 'fr': no event coder")
    assert news.events == []


def test_utf16_with_bom_is_read() -> None:
    raw = decode_article("Ceasefire holds\n\nThe truce held.".encode("utf-16"), name="x.txt")
    assert raw.text.startswith("Ceasefire holds")
    assert raw.kind == "text"


def test_html_is_recognised() -> None:
    raw = decode_article(b"<!DOCTYPE html><html><body><p>x</p></body></html>", name="x")
    assert raw.kind == "html"


def test_cli_batch_goes_on_and_names_each_file(
    bad_files: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CEASEFIRE_MAX_ARTICLE_BYTES", "1000000")
    paths = [str(p) for p in bad_files.values()]
    code = main(["extract", *paths, str(SEED), "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0  # with --json each failure is its own line
    errors = {
        Path(line["path"]).name: line["error"]["message"] for line in lines if "error" in line
    }
    assert set(errors) == {p.name for p in bad_files.values()} - {"french.txt"}
    good = {Path(line["path"]).name: line for line in lines if "error" not in line}
    assert set(good) == {"french.txt", SEED.name}
    assert good[SEED.name]["article"]["outlet"] == "Asharq Al-Awsat"
    assert good["french.txt"]["article"]["language"] == "fr"
    assert set(good[SEED.name]) >= {"article", "events", "quotes", "places", "actors"}
    event = good[SEED.name]["events"][0]
    assert set(event) >= {
        "event", "mode", "context", "modality", "source", "target", "date", "location",
        "sentence", "confidence", "component",
    }  # fmt: skip


def test_cli_jsonl_sentences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = tmp_path / "in.jsonl"
    lines.write_text(
        json.dumps(
            {"id": "a", "text": "Turkey threatened to shell Syrian towns.", "date": "1994-01-07"}
        )
        + "\nnot json\n"
        + json.dumps({"id": 7, "text": "Shelling hit Tartar, Azerbaijan said."})
        + "\n",
        encoding="utf-8",
    )
    assert main(["extract", "--jsonl", str(lines)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, 7]
    assert out[0]["events"][0]["event"] == "THREATEN"
    assert set(out[0]) >= {"id", "events", "places", "quotes"}
    assert out[1]["error"]["details"][0]["loc"] == "line 2"
    assert any(p["name"] == "Tartar" for p in out[2]["places"])

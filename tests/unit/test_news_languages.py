"""Every page, every language: the language is told and the article always comes back.

The pages of tests/data/pages were written for these tests (Russian and Turkish ones with a
pipeline of their own; Portuguese with places only; Korean and Japanese with the article).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from ceasefire.cli import main
from ceasefire.news.article import Article, PublicationTime
from ceasefire.news.extract import NewsExtractor, article_result
from ceasefire.news.lang import tr
from ceasefire.news.lang.tr import is_suffix_chain, matches_stem
from ceasefire.news.language import detect_language
from tests.factories.news import DATA

PAGES = DATA / "pages"


@pytest.fixture(scope="module")
def results(extractor: NewsExtractor) -> dict[str, dict[str, Any]]:
    out = {}
    for path, result in extractor.extract_files(sorted(PAGES.iterdir())):
        assert isinstance(result, dict), result
        out[path.name] = result
    return out


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("한국 정부는 휴전 합의를 환영한다고 밝혔다.", "ko"),
        # Mostly kanji: the kana say Japanese, not Chinese.
        ("日本政府は二日、停戦合意を歓迎すると発表した。", "ja"),
        ("停火协议于周二生效。", "zh"),
        ("Pemerintah Indonesia menyambut baik kesepakatan gencatan senjata tersebut.", "id"),
        ("O governo português saudou o acordo de cessar-fogo assinado em Moscovo.", "pt"),
        ("Azerbaycan ve Ermenistan ateşkes konusunda anlaştı.", "tr"),
        ("Azərbaycan və Ermənistan atəşkəs barədə razılığa gəliblər.", "az"),
        ("Հայաստանը և Ադրբեջանը համաձայնեցին հրադադարին", "hy"),
        ("Shelling hit Barda overnight", "en"),
        ("12 — 34", "und"),
        # Short snippets (written for this test): the model's answer when it is sure enough
        # (MIN_CONFIDENCE), English for an ASCII headline it is unsure of.
        ("As tropas retiraram-se da cidade", "pt"),
        ("Les troupes se sont retirées", "fr"),
        ("Las tropas se retiraron de la ciudad", "es"),
        ("Pasukan mundur dari kota", "id"),
        ("Askerler kasabadan çekildi", "tr"),
        ("Qoşunlar şəhərdən çəkildi", "az"),
        ("Войска отошли", "ru"),
        ("Війська відійшли з міста", "uk"),
        ("Aliyev visits Shusha", "en"),
        ("Putin, Erdogan discuss Karabakh", "en"),
        ("Baku says Armenian forces shelled Tartar", "en"),
    ],
)  # fmt: skip
def test_language_by_model_and_script(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("page", "language", "title", "paragraphs", "published"),
    [
        ("ru-tass-style.html", "ru",
         "Россия, Азербайджан и Армения подписали заявление о прекращении огня", 5,
         "2020-11-10T03:15"),
        ("tr-aa-style.txt", "tr", "Azerbaycan ile Ermenistan arasında ateşkes ilan edildi", 5,
         "2020-11-10T09:30"),
        ("pt-lusa-style.html", "pt", "Arménia e Azerbaijão assinam cessar-fogo mediado pela Rússia",
         4, "2020-11-10T08:00"),
        ("ko-yonhap-style.html", "ko", "아르메니아·아제르바이잔, 러시아 중재로 휴전 합의", 4,
         "2020-11-10T14:20"),
        ("ja-kyodo-style.txt", "ja", "アルメニアとアゼルバイジャン、ロシア仲介で停戦合意", 3,
         "2020-11-10T15:00"),
        ("az-apa-style.txt", "az", "Rusiya sülhməramlıları Laçın dəhlizində yerləşdirilib", 5,
         "2020-11-10T11:40"),
        ("hy-armenpress-style.txt", "hy", "Ռուս խաղաղապահները տեղակայվում են Լաչինի միջանցքում",
         5, "2020-11-10T12:15"),
    ],
)  # fmt: skip
def test_every_page_returns_its_article(
    results: dict[str, dict[str, Any]],
    page: str,
    language: str,
    title: str,
    paragraphs: int,
    published: str,
) -> None:
    article = results[page]["article"]
    assert article["language"] == language
    assert article["title"] == title
    assert article["body_paragraphs"] == paragraphs
    assert article["published"]["local"] == published
    # Page furniture stays out of the body.
    assert not any(
        "©" in p or "İlgili" in p or "Читайте" in p or "Oxşar" in p or "Նմանատիպ" in p
        for p in article["paragraphs"]
    )
    assert results[page]["notes"][0].startswith(f"language {language!r}")


def test_russian_page_gets_the_russian_pipeline(results: dict[str, dict[str, Any]]) -> None:
    result = results["ru-tass-style.html"]
    assert result["pipeline"][0] == "news.parse.ru.v1"
    assert result["article"]["captions"] == ["Российские миротворцы в Нагорном Карабахе"]
    primary = [e for e in result["events"] if e["primary"]]
    agree = primary[1]  # the title's event is the first; the body's signing the second
    assert agree["event"] == "AGREE"
    assert {a["code"] for a in agree["source"]} == {"RUS", "AZE", "ARM"}
    assert agree["location"]["name"] == "Nagorno-Karabakh"
    handover = next(e for e in primary if e["event"] == "RETREAT")
    assert handover["modality"] == "planned"
    assert handover["date"] == "2020-11-20"
    assert [a["code"] for a in handover["target"]] == ["AZE"]
    assert {p["name"] for p in result["places"]} >= {"Aghdam", "Khankendi", "Lachin corridor"}
    assert any(q["kind"] == "direct" for q in result["quotes"])


def test_turkish_page_gets_the_turkish_pipeline(results: dict[str, dict[str, Any]]) -> None:
    result = results["tr-aa-style.txt"]
    assert result["article"]["outlet"] == "Anadolu Ajansı"
    assert result["article"]["published"]["zone"] == "Europe/Istanbul"
    events = {e["event"]: e for e in result["events"] if e["primary"]}
    assert events["RETREAT"]["modality"] == "planned"
    assert [a["code"] for a in events["RETREAT"]["source"]] == ["ARM"]
    assert events["MOBILIZE"]["location"]["name"] == "Lachin corridor"
    assert [a["code"] for a in events["CONSULT"]["source"]] == ["TUR"]
    assert "AZE" in {a["code"] for a in events["CONSULT"]["target"]}


@pytest.mark.parametrize(
    ("page", "language", "outlet"),
    [("az-apa-style.txt", "az", "APA"), ("hy-armenpress-style.txt", "hy", "Armenpress")],
)
def test_azerbaijani_and_armenian_pages_get_their_pipelines(
    results: dict[str, dict[str, Any]], page: str, language: str, outlet: str
) -> None:
    result = results[page]
    assert result["pipeline"][0] == f"news.tokens.{language}.v1"
    assert result["pipeline"][-1] == f"news.events.{language}.v1"
    assert result["article"]["outlet"] == outlet
    assert {"Nagorno-Karabakh", "Moscow", "Aghdam", "Lachin corridor"} <= {
        p["name"] for p in result["places"]
    }
    events = {e["event"]: e for e in result["events"] if e["primary"]}
    assert {a["code"] for a in events["AGREE"]["source"]} == {"AZE", "ARM", "RUS"}
    handover = events["RETREAT"]
    assert handover["modality"] == "planned"
    assert handover["date"] == "2020-11-20"
    assert [a["code"] for a in handover["source"]] == ["ARM"]
    assert [a["code"] for a in handover["target"]] == ["AZE"]
    assert handover["location"]["name"] == "Aghdam"
    deployments = [e for e in result["events"] if e["event"] == "MOBILIZE"]
    assert {e["location"]["name"] for e in deployments} == {"Lachin corridor"}
    assert all([a["code"] for a in e["source"]] == ["RUS"] for e in deployments)
    assert "planned" in {e["modality"] for e in deployments}


def test_other_languages_get_article_and_places(results: dict[str, dict[str, Any]]) -> None:
    portuguese = results["pt-lusa-style.html"]
    assert portuguese["pipeline"] == ["news.places.names.v1"]
    assert {"Moscow", "Yerevan", "Khankendi"} <= {p["name"] for p in portuguese["places"]}
    assert portuguese["events"] == []
    for page in ("ko-yonhap-style.html", "ja-kyodo-style.txt"):
        assert results[page]["pipeline"] == []
        assert "the article alone" in results[page]["notes"][0]


@pytest.mark.parametrize(
    ("word", "stem", "expected"),
    [
        ("saldırı", "saldır", True),
        ("saldırdı", "saldır", True),
        ("saldırısında", "saldır", True),
        ("ederek", "et", True),  # t → d before a vowel
        ("imzaladı", "imzala", True),
        ("vurgulayarak", "vur", False),  # "vurgula" (stress) is another word
        ("saldırgan", "saldır", False),
    ],
)
def test_turkish_stems_take_suffix_chains(word: str, stem: str, expected: bool) -> None:
    assert matches_stem(word, stem) is expected


def test_suffix_chains_are_the_morpheme_sequences() -> None:
    """The linear check says what ``(?:morpheme|…)*`` says, on every short string of the
    letters the morphemes are made of."""
    letters = sorted(set("".join(tr._MORPHEMES)) | {"x"})
    chain = re.compile("(?:" + "|".join(sorted(tr._MORPHEMES, key=len, reverse=True)) + ")*")
    words = [""]
    for _ in range(3):
        words = [w + c for w in words for c in letters] + words
    samples = set(words) | {"larınızda", "lalalalar", "ıyorlardı", "lalalax", "yacağız"}
    for rest in samples:
        assert is_suffix_chain(rest) is (chain.fullmatch(rest) is not None), rest


def test_a_long_word_that_is_no_suffix_chain_is_refused() -> None:
    # "la" is "l" + "a" too: a backtracking regex tried every split (45 letters: 9 s).
    assert matches_stem("saldır" + "la" * 5_000 + "x", "saldır") is False
    assert matches_stem("saldır" + "la" * 5_000 + "r", "saldır") is True


def test_russian_sentence_mode(extractor: NewsExtractor) -> None:
    news = extractor.extract_sentence(
        "Армянские силы обстреляли Тертер из артиллерии.", day=date(2020, 10, 5), language="ru"
    )
    primary = [e for e in news.events if e.primary]
    assert [(e.event, [a.code for a in e.source]) for e in primary] == [("FIGHT", ["ARM"])]
    assert primary[0].location is not None
    assert primary[0].location["name"] == "Tartar"


def test_article_of_unknown_script_is_still_an_article(extractor: NewsExtractor) -> None:
    article = Article(
        title="ქართული სათაური",
        paragraphs=["საქართველოს მთავრობამ ცეცხლის შეწყვეტა მიესალმა."],
        published=PublicationTime(text="2020-11-10", local=datetime(2020, 11, 10)),
        language=detect_language("საქართველოს მთავრობამ ცეცხლის შეწყვეტა მიესალმა."),
    )
    result = article_result(extractor.analyse(article))
    assert result["article"]["language"] == "ka"
    assert result["article"]["paragraphs"] == article.paragraphs


@pytest.mark.parametrize(
    ("page", "language", "paragraphs", "first"),
    [
        # trafilatura finds no body in a table layout: readability-lxml's does.
        ("en-table-layout.html", "en", 3, "The Defence Ministry said on Tuesday"),
        # Paragraphs made of <br><br>, and paragraphs full of links.
        ("ru-br-paragraphs.html", "ru", 4, "Пресс-секретарь Минобороны Армении"),
        ("tr-links.html", "tr", 4, "Azerbaycan ordusu birlikleri"),
    ],
)
def test_html_bodies_of_harder_layouts(
    results: dict[str, dict[str, Any]], page: str, language: str, paragraphs: int, first: str
) -> None:
    article = results[page]["article"]
    assert article["language"] == language
    assert article["body_paragraphs"] == paragraphs
    assert article["paragraphs"][0].startswith(first)
    assert not any("©" in p or "Copyright" in p or "Borsa" in p for p in article["paragraphs"])


def test_jsonl_lines_say_their_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = tmp_path / "sentences.jsonl"
    lines.write_text(
        "\n".join(
            json.dumps(record, ensure_ascii=False)
            for record in [
                {"id": 1, "text": "Армения передала Азербайджану Кельбаджарский район.",
                 "date": "2020-11-25", "language": "ru"},
                {"id": 2, "text": "Ermenistan, Kelbecer'i Azerbaycan'a teslim etti.",
                 "language": "tr"},
                {"id": 3, "text": "Le cessez-le-feu tient.", "language": "fr"},
            ]
        ),
        encoding="utf-8",
    )  # fmt: skip
    assert main(["extract", "--jsonl", str(lines)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for result in out[:2]:
        primary = [e for e in result["events"] if e["primary"]]
        assert [(e["event"], e["source"][0]["code"]) for e in primary] == [("RETREAT", "ARM")]
    assert "language 'fr'" in out[2]["error"]["message"]

"""Quotes: direct and indirect, speakers resolved across sentences."""

from __future__ import annotations

from typing import Any

from ceasefire.news.components.quotes import _QUOTED
from ceasefire.news.extract import NewsExtractor
from tests.factories.news import sentence


def _speaker(quote: dict[str, Any]) -> str:
    speaker = quote["speaker"] or {}
    return f"{speaker.get('text')} / {speaker.get('name')}"


def test_seed_quotes_are_erdogans(seed_result: dict[str, Any]) -> None:
    quotes = seed_result["quotes"]
    for words in (
        "We have the opportunity to develop and expand this more",
        "to a different level",
        "has no worth whatsoever",
    ):
        holding = [q for q in quotes if words in q["text"]]
        assert holding, words
        assert all("Tayyip Erdogan" in _speaker(q) for q in holding), words


def test_direct_quote_spans_two_sentences(seed_result: dict[str, Any]) -> None:
    direct = [q for q in seed_result["quotes"] if q["kind"] == "direct"]
    assert direct[0]["text"].startswith("We have the opportunity")
    assert direct[0]["text"].endswith("with Putin too,")
    text = seed_result["article"]["text"]
    assert text[direct[0]["start"] : direct[0]["end"]] == direct[0]["text"]


def test_he_said_is_the_previous_speaker(seed_result: dict[str, Any]) -> None:
    quote = next(q for q in seed_result["quotes"] if "different level" in q["text"])
    assert quote["kind"] == "indirect"
    assert quote["speaker"]["id"] == "erdogan"
    assert quote["speaker_resolved_from"].startswith("He")


def test_scare_quotes_are_no_quotes(seed_result: dict[str, Any]) -> None:
    assert not any(q["text"] == "discomfort" for q in seed_result["quotes"])


def test_anonymous_source_and_agency(seed_result: dict[str, Any]) -> None:
    quote = next(q for q in seed_result["quotes"] if "at odds" in q["text"])
    assert quote["speaker"]["text"] == "Turkish source"
    assert quote["speaker"]["code"] == "TUR"
    assert all("Reuters" not in _speaker(q) for q in seed_result["quotes"])


def test_speaker_after_the_verb(extractor: NewsExtractor) -> None:
    news = sentence(
        extractor,
        "“The ceasefire is holding across the whole line,” said Russian Defence Minister "
        "Sergei Shoigu.",
    )
    assert news.quotes[0].kind == "direct"
    assert news.quotes[0].speaker is not None
    assert news.quotes[0].speaker.id == "shoigu"


def test_an_opening_mark_that_never_closes_does_not_swallow_the_next_quote(
    extractor: NewsExtractor,
) -> None:
    news = sentence(
        extractor,
        "Shoigu wrote “in brief. “The ceasefire is holding across the whole line,” said "
        "Russian Defence Minister Sergei Shoigu.",
    )
    direct = [q for q in news.quotes if q.kind == "direct"]
    assert [q.text for q in direct] == ["The ceasefire is holding across the whole line,"]


def test_a_paragraph_of_unclosed_quotation_marks_is_read_once() -> None:
    # Each opener used to scan to the paragraph's end: quadratic (20,000 of them: 3.6 s).
    for mark in "“«‘":
        assert list(_QUOTED.finditer(mark * 200_000 + "“four words in quotes”")) != []


# Turkish (news.quotes.tr.v1): sentences written for these tests.


def _turkish_quotes(extractor: NewsExtractor, text: str) -> list[tuple[str | None, str, str]]:
    article = extractor.read_bytes(text.encode("utf-8"), name="tr.txt")
    assert article.language == "tr"
    news = extractor.analyse(article)
    assert "news.quotes.tr.v1" in news.components
    return [(q.speaker.text if q.speaker else None, q.kind, q.text) for q in news.quotes]


def test_turkish_direct_quote_with_dedi_and_a_nominalised_indirect_quote(
    extractor: NewsExtractor,
) -> None:
    quotes = _turkish_quotes(
        extractor,
        "Bakanlar Moskova'da görüştü\n\n3 Aralık 2020\n\n"
        'Lavrov, "Esir takası bu hafta tamamlanacak" dedi.\n\n'
        "Çavuşoğlu, gözlem merkezinin yakında açılacağını söyledi.",
    )
    assert quotes == [
        ("Lavrov", "direct", "Esir takası bu hafta tamamlanacak"),
        ("Çavuşoğlu", "indirect", "gözlem merkezinin yakında açılacağını"),
    ]


def test_turkish_colon_speaker_and_the_lone_quotation_after_it(extractor: NewsExtractor) -> None:
    quotes = _turkish_quotes(
        extractor,
        "Aliyev'den mesaj\n\n1 Aralık 2020\n\nAliyev televizyonda şunları söyledi:\n\n"
        '"Kalbajar artık güvende. Yollar kış gelmeden onarılacak."',
    )
    assert quotes == [
        ("Aliyev", "direct", "Kalbajar artık güvende. Yollar kış gelmeden onarılacak."),
    ]


def test_turkish_diye_participle_and_according_to(extractor: NewsExtractor) -> None:
    quotes = _turkish_quotes(
        extractor,
        "Sınırda durum\n\n4 Aralık 2020\n\n"
        '"Hiçbir ihlal kabul edilmeyecek" diye uyaran Akar, sınırın sakin olduğunu belirtti.\n\n'
        "AGİT'e göre, bölgede yeni bir çatışma yaşanmadı.",
    )
    assert quotes == [
        ("Akar", "direct", "Hiçbir ihlal kabul edilmeyecek"),
        ("Akar", "indirect", "sınırın sakin olduğunu"),
        ("AGİT'e", "indirect", "bölgede yeni bir çatışma yaşanmadı"),
    ]

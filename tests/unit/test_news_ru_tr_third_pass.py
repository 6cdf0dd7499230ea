"""General rules of the Russian and Turkish coders (issue 16, third pass).

The sentences were written for these tests (other states, people and places than the gold
files): each checks one rule of grammar, vocabulary or of the PLOVER codebook, not a gold
sentence.
"""

from __future__ import annotations

from datetime import date

import pytest

from ceasefire.news.extract import NewsExtractor
from ceasefire.news.lang import tr

DAY = date(2021, 3, 2)

Coded = tuple[str, str, list[str], list[str]]


def primary(extractor: NewsExtractor, text: str, language: str) -> Coded:
    news = extractor.extract_sentence(text, day=DAY, language=language)
    events = [e for e in news.events if e.primary]
    assert len(events) == 1, [(e.event, e.trigger) for e in news.events]
    event = events[0]
    return (
        event.event,
        event.modality,
        sorted({a.code for a in event.source if a.code}),
        sorted({a.code for a in event.target if a.code}),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A reported clause without a subject takes the speaker's, when the verbs agree.
        (
            "Эрдоган заявил, что подписал с президентом Грузии соглашение о сотрудничестве.",
            ("AGREE", "occurred", ["TUR"], ["GEO"]),
        ),
        # ... but a plural without a subject is impersonal: it names no one.
        (
            "Минобороны Грузии сообщило, что обстреляли пограничный пост.",
            ("FIGHT", "occurred", [], []),
        ),
        # A military operation is FIGHT, by the adjective that qualifies it.
        (
            "Армия Турции начала военную операцию у южной границы.",
            ("FIGHT", "occurred", ["TUR"], []),
        ),
        # Vocabulary: allocating money is AID, a criminal case INVESTIGATE, recalling an
        # ambassador SANCTION, turning to someone with a request DEMAND, evacuating AID, a
        # warning THREATEN.
        (
            "Германия выделила Украине средства на восстановление школ.",
            ("AID", "occurred", ["DEU"], ["UKR"]),
        ),
        (
            "Прокуратура Грузии возбудила уголовное дело о поджоге склада.",
            ("INVESTIGATE", "occurred", ["GEO"], []),
        ),
        ("Грузия отозвала своего посла для консультаций.", ("SANCTION", "occurred", ["GEO"], [])),
        (
            "Украина обратилась к Франции с просьбой о поставках зерна.",
            ("DEMAND", "occurred", ["UKR"], ["FRA"]),
        ),
        (
            "Турецкие спасатели эвакуировали жителей прибрежных сёл.",
            ("AID", "occurred", ["TUR"], []),
        ),
        (
            "Президент Турции предупредил, что Анкара может закрыть границу.",
            ("THREATEN", "occurred", ["TUR"], []),
        ),
        # A target of the source's state stays when their sectors differ (opposition and
        # government); the state an envoy is recalled from is the target.
        (
            "Оппозиция Грузии потребовала отставки правительства Грузии.",
            ("DEMAND", "occurred", ["GEO"], ["GEO"]),
        ),
        ("Грузия отозвала посла из России.", ("SANCTION", "occurred", ["GEO"], ["RUS"])),
        # Aid sent "в + a state" goes to that state.
        (
            "Германия направила в Грузию самолёт с гуманитарной помощью.",
            ("AID", "occurred", ["DEU"], ["GEO"]),
        ),
    ],
)
def test_russian_third_pass_rules(extractor: NewsExtractor, text: str, expected: Coded) -> None:
    assert primary(extractor, text, "ru") == expected


def test_russian_humanitarian_operation_is_no_fight(extractor: NewsExtractor) -> None:
    news = extractor.extract_sentence(
        "Красный Крест продолжил гуманитарную операцию на севере Сирии.", day=DAY, language="ru"
    )
    assert "FIGHT" not in {e.event for e in news.events}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "X'in yanında ol-": to stand by X; the genitive owner is the target.
        (
            "Gürcistan, Türkiye'nin yanında olmaya devam edeceğini açıkladı.",
            ("SUPPORT", "occurred", ["GEO"], ["TUR"]),
        ),
        # Prisoner exchange and surrender are CONCEDE; delivering aid is AID.
        (
            "Ukrayna ve Rusya esir değişimi gerçekleştirdi.",
            ("CONCEDE", "occurred", ["RUS", "UKR"], []),
        ),
        ("Gürcü askerler Rus ordusuna teslim oldu.", ("CONCEDE", "occurred", ["GEO"], ["RUS"])),
        ("Almanya, Ukrayna'ya gıda yardımı ulaştırdı.", ("AID", "occurred", ["DEU"], ["UKR"])),
        # "çağır": to call on someone.
        ("Fransa, Türkiye'yi diyaloğa çağırdı.", ("DEMAND", "occurred", ["FRA"], ["TUR"])),
        # Rejecting claims is a denial: the act denied, not a REJECT.
        (
            "Gürcistan Savunma Bakanlığı, köylere saldırı düzenlediklerine dair iddiaları"
            " reddetti.",
            ("FIGHT", "denied", ["GEO"], []),
        ),
        # An accusative official before "kabul et" is received (a visit), not agreed to.
        (
            "Macron, Paris'te Gürcistan ve Ukrayna dışişleri bakanlarını kabul etti.",
            ("CONSULT", "occurred", ["FRA"], ["GEO", "UKR"]),
        ),
        # ... while accepting a proposal stays AGREE.
        ("Gürcistan, Türkiye'nin teklifini kabul etti.", ("AGREE", "occurred", ["GEO"], ["TUR"])),
        # A noun + verb entry in a relative clause on its noun: "açtığı ateş".
        (
            "Gürcistan, Rus askerlerinin sınırda açtığı ateş sonucu iki köylünün yaralandığını"
            " açıkladı.",
            ("FIGHT", "occurred", ["RUS"], []),
        ),
        # The speaker of a reported passive is not what the act befell.
        (
            "Gürcistan İçişleri Bakanlığı, sivillerin hedef alındığını bildirdi.",
            ("FIGHT", "occurred", [], []),
        ),
        # The subject of a relative clause on an earlier noun is not the main verb's target,
        # nor is an actor inside the topic of an agreement ("… konusunda anlaştı").
        (
            "Gürcistan ile Türkiye, Fransa'nın düzenlediği toplantıda ortak bildiri imzaladı.",
            ("AGREE", "occurred", ["GEO", "TUR"], []),
        ),
        (
            "Gürcistan ve Türkiye, bir Rus heyetinin bölgeye gönderilmesi konusunda anlaştı.",
            ("AGREE", "occurred", ["GEO", "TUR"], []),
        ),
        # A comment on an act is aimed at whoever did it: the genitive subject of the
        # nominalised clause, not those the act concerned.
        (
            "Almanya, Ukrayna'nın Türk tutukluları serbest bırakmasını memnuniyetle karşıladı.",
            ("SUPPORT", "occurred", ["DEU"], ["UKR"]),
        ),
        # Counter-terrorism action is the army's operation.
        (
            "Türkiye, sınır bölgesinde terörle mücadele tedbirleri başlattı.",
            ("FIGHT", "occurred", ["TUR"], []),
        ),
    ],
)
def test_turkish_third_pass_rules(extractor: NewsExtractor, text: str, expected: Coded) -> None:
    assert primary(extractor, text, "tr") == expected


@pytest.mark.parametrize(
    ("rest", "negated"),
    [("mede", False), ("mada", False), ("medi", True), ("madığı", True), ("mez", True)],
)
def test_turkish_verbal_noun_locative_is_no_negation(rest: str, negated: bool) -> None:
    # "görüşmede" (at the talks) is the verbal noun's locative, "görüşmedi" the negated past.
    assert bool(tr._NEGATED.match(rest)) is negated

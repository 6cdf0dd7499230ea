"""General rules of the Russian and Turkish coders (issue 16, second pass).

The sentences were written for these tests (other places, other people, other dates than the
gold files): each checks one rule of grammar or of the PLOVER codebook, not a gold sentence.
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
        # A denial keeps the act it denies (PLOVER), with the denier's side as source.
        (
            "Минобороны Грузии опровергло сообщения о том, что грузинские военные обстреляли"
            " пограничный пост.",
            ("FIGHT", "denied", ["GEO"], []),
        ),
        # Not observing a ceasefire is a violation.
        (
            "Киев заявил, что российская сторона не соблюдает режим прекращения огня.",
            ("FIGHT", "occurred", ["RUS"], []),
        ),
        # A handover verb with soldiers as object is a release, not a territorial handover.
        (
            "Грузия передала Турции трёх задержанных военнослужащих.",
            ("CONCEDE", "occurred", ["GEO"], ["TUR"]),
        ),
        # Resignation: CAMEO 0832, PLOVER CONCEDE.
        ("Министр обороны Грузии подал в отставку.", ("CONCEDE", "occurred", ["GEO"], [])),
        # Officials arriving in a capital visit its state.
        ("Глава МИД Франции прибыл в Анкару.", ("CONSULT", "occurred", ["FRA"], ["TUR"])),
        # An accusation of an attempted act: the act, by the accused, claimed.
        (
            "Тбилиси обвинил Москву в попытке захватить пограничное село.",
            ("FIGHT", "claimed", ["RUS"], []),
        ),
        # Civilians who block a road protest.
        (
            "Группа грузинских активистов перекрыла трассу, требуя отставки мэра.",
            ("PROTEST", "occurred", ["GEO"], []),
        ),
    ],
)
def test_russian_rules(extractor: NewsExtractor, text: str, expected: Coded) -> None:
    assert primary(extractor, text, "ru") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Coordinated names share the case of the last: both are visited.
        (
            "Dışişleri Bakanı Çavuşoğlu, Ankara'da Fransa ve Almanya'yı temsil eden heyetleri"
            " ağırladı.",
            ("CONSULT", "occurred", ["TUR"], ["DEU", "FRA"]),
        ),
        # A mediator in the genitive is no party to the event.
        (
            "Ukrayna ve Rusya, Türkiye'nin arabuluculuğuyla tahıl koridoru konusunda anlaştı.",
            ("AGREE", "occurred", ["RUS", "UKR"], []),
        ),
        # Soldiers handed over are released (CONCEDE); a place handed over is a RETREAT.
        (
            "Gürcistan, gözaltındaki iki Rus askerini Rusya'ya teslim etti.",
            ("CONCEDE", "occurred", ["GEO"], ["RUS"]),
        ),
        # A denial keeps the denied act.
        (
            "İran, ordusunun sınır köylerini bombaladığını yalanladı.",
            ("FIGHT", "denied", ["IRN"], []),
        ),
        # Not observing a ceasefire is a violation.
        (
            "Ukrayna, Rusya'nın ateşkese uymadığını açıkladı.",
            ("FIGHT", "occurred", ["RUS"], []),
        ),
        # An act named as background is not the sentence's event.
        (
            "Anlaşmanın ardından Fransa Cumhurbaşkanı Macron Ankara'ya ulaştı.",
            ("CONSULT", "occurred", ["FRA"], ["TUR"]),
        ),
        ("Gürcistan Başbakanı görevinden istifa etti.", ("CONCEDE", "occurred", ["GEO"], [])),
    ],
)
def test_turkish_rules(extractor: NewsExtractor, text: str, expected: Coded) -> None:
    assert primary(extractor, text, "tr") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A title and its holder are one actor in the case of the name: the mediator's title
        # is no source, whether the holder is in the dictionary or not.
        (
            "Ukrayna ve Rusya, Türkiye Cumhurbaşkanı Recep Tayyip Erdoğan'ın arabuluculuğuyla"
            " tahıl koridoru konusunda anlaştı.",
            ("AGREE", "occurred", ["RUS", "UKR"], []),
        ),
        (
            "Gürcistan ve Rusya, Fransa Dışişleri Bakanı Jean-Yves Le Drian'ın arabuluculuğuyla"
            " ateşkes konusunda anlaştı.",
            ("AGREE", "occurred", ["GEO", "RUS"], []),
        ),
        (
            "Ukrayna ve Rusya, İran Dışişleri Bakanı Hüseyin Emir Abdullahiyan'ın"
            " arabuluculuğuyla esir takası konusunda anlaştı.",
            ("AGREE", "occurred", ["RUS", "UKR"], []),
        ),
        # The title of a holder in the accusative is the target, not a second subject.
        (
            "Gürcistan Başbakanı, Fransa Cumhurbaşkanı Emmanuel Macron'u Tiflis'te ağırladı.",
            ("CONSULT", "occurred", ["GEO"], ["FRA"]),
        ),
        # The actors of a participle's clause are not the main verb's.
        (
            "Gürcü köylerine ateş açan Rus askerleri geri çekildi.",
            ("RETREAT", "occurred", ["RUS"], []),
        ),
        # Launching an operation is a fight (CAMEO 19); the participle's clause is not its.
        (
            "Gürcistan ordusu, Abhazya'da Gürcü köylerine saldıran Rus birliklerine karşı"
            " operasyon başlattı.",
            ("FIGHT", "occurred", ["GEO"], ["RUS"]),
        ),
        # An agentless passive has no source; its subject is what the act befell.
        ("Tiflis'te iki Rus askeri gözaltına alındı.", ("COERCE", "occurred", [], ["RUS"])),
        ("Rus askerleri Gürcistan'a teslim edildi.", ("CONCEDE", "occurred", [], ["GEO"])),
        # "tarafından" names the agent of a passive.
        (
            "Gürcü köyleri Rus topçusu tarafından bombalandı.",
            ("FIGHT", "occurred", ["RUS"], ["GEO"]),
        ),
        (
            "Sınırda Gürcü askerlerine ateş açan Rus askerleri Gürcistan tarafından gözaltına"
            " alındı.",
            ("COERCE", "occurred", ["GEO"], ["RUS"]),
        ),
        # A participle's subject may be coordinated names.
        (
            "Tiflis'te bir araya gelen Gürcistan ve Ukrayna Dışişleri Bakanları ortak bir"
            " bildiri imzaladı.",
            ("AGREE", "occurred", ["GEO", "UKR"], []),
        ),
        # A place after an unknown holder's name ends the name, it gives no case to the title.
        (
            "Gürcistan Başbakanı Irakli Garibaşvili Moskova'da Rusya Devlet Başkanı Vladimir"
            " Putin ile görüştü.",
            ("CONSULT", "occurred", ["GEO"], ["RUS"]),
        ),
        # A person of another state after a title is not its holder: both are actors.
        (
            "Gürcistan Başbakanı Macron'un teklifini kabul etti.",
            ("AGREE", "occurred", ["GEO"], ["FRA"]),
        ),
        # A state's citizens are its civilians.
        (
            "Gürcistan vatandaşları Tiflis'te Rusya'yı protesto etti.",
            ("PROTEST", "occurred", ["GEO"], ["RUS"]),
        ),
    ],
)
def test_turkish_actor_rules(extractor: NewsExtractor, text: str, expected: Coded) -> None:
    assert primary(extractor, text, "tr") == expected


def test_turkish_participle_subject_and_civilians(extractor: NewsExtractor) -> None:
    """ "-An" participles take the noun after them as subject, the oblique actors of their
    clause as targets; citizens and residents of a state are its civilians (CVL)."""
    news = extractor.extract_sentence(
        "Ukrayna vatandaşlarına ateş açan Rus birlikleri geri püskürtüldü.", day=DAY, language="tr"
    )
    fire = next(e for e in news.events if e.trigger == ["ateş", "açan"])
    assert [(a.code, a.sector) for a in fire.source] == [("RUS", "MIL")]
    assert [(a.code, a.sector) for a in fire.target] == [("UKR", "CVL")]
    repelled = next(e for e in news.events if e.primary)
    assert [a.code for a in repelled.source] == []


def test_a_title_and_its_holder_are_one_actor() -> None:
    text = "Rusya Devlet Başkanı Vladimir Putin'in arabuluculuğuyla"
    sentence = tr.tokenize(text)[0]
    actors = tr._sentence_actors(text, sentence, {"devlet başkanı": "GOV"})
    assert [(a.first, a.last, a.case, a.kind, a.ref.code) for a in actors] == [
        (0, 4, "gen", "person", "RUS")
    ]


@pytest.mark.parametrize(
    ("rest", "negated"),
    [
        ("me", False),  # çekilme süresi: the verbal noun
        ("meye", False),
        ("mesi", False),
        ("masının", False),
        ("medi", True),
        ("meyecek", True),
        ("mez", True),
        ("memiş", True),
        ("miyor", True),
        ("madığını", True),
    ],
)
def test_turkish_negation_is_not_the_verbal_noun(rest: str, negated: bool) -> None:
    assert bool(tr._NEGATED.match(rest)) is negated


def test_russian_according_to_and_pronoun_speakers(extractor: NewsExtractor) -> None:
    text = (
        "Лавров ответил на вопросы\n\n2 марта 2021\n\n"
        "Министр иностранных дел России Сергей Лавров выступил на пресс-конференции.\n\n"
        "«Мы рассчитываем на продолжение диалога со всеми партнёрами в регионе», — сказал Лавров."
        "\n\nОн также заявил, что Москва готова принять следующий раунд консультаций.\n\n"
        "По его словам, эксперты двух стран встретятся в апреле."
    )
    article = extractor.read_bytes(text.encode("utf-8"), name="lavrov.txt")
    quotes = extractor.analyse(article).quotes
    found = {(q.speaker.text if q.speaker else None, q.text[:20]) for q in quotes}
    assert ("Лавров", "Мы рассчитываем на п") in found
    assert ("Лавров", "Москва готова принят") in found
    assert ("Лавров", "эксперты двух стран ") in found

"""Suffix handling of the Azerbaijani and Armenian pipelines (news/lang/suffixed.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ceasefire.news.evaluation import evaluate_quotes
from ceasefire.news.extract import NewsExtractor
from ceasefire.news.lang import az, hy
from ceasefire.news.lang.suffixed import Coder, Grammar, tokenize

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    ("grammar", "word", "stem", "rest"),
    [
        (az.GRAMMAR, "hücuma", "hücum", "a"),
        (az.GRAMMAR, "açıb", "aç", "ıb"),
        (az.GRAMMAR, "edib", "et", "ib"),  # t → d before a vowel
        (az.GRAMMAR, "verilib", "ver", "ilib"),  # passive + perfect
        (az.GRAMMAR, "qaytaracaq", "qaytar", "acaq"),
        (az.GRAMMAR, "nazirliyi", "nazirlik", "i"),  # k → y
        (az.GRAMMAR, "vurğulayıb", "vur", None),  # "vurğula" (stress) is another word
        (hy.GRAMMAR, "հրետակոծել", "հրետակոծ", "ել"),
        (hy.GRAMMAR, "հրետակոծվել", "հրետակոծ", "վել"),  # passive -վ-
        (hy.GRAMMAR, "ստորագրեցին", "ստորագր", "եցին"),
        (hy.GRAMMAR, "Երևանում".lower(), "երևան", "ում"),
        (hy.GRAMMAR, "Մոսկվայում".lower(), "մոսկվա", "յում"),  # the glide յ
        (hy.GRAMMAR, "նախարարության", "նախարարություն", ""),  # -ություն → -ության
        (hy.GRAMMAR, "նախարարությունը", "նախարարություն", "ը"),
        (hy.GRAMMAR, "նշանակել", "նշ", None),  # "նշանակել" (appoint) is no "նշել" (note)
        # "-նել" verbs: ն is ր in the aorist and perfect and falls before the passive -վ-.
        (hy.GRAMMAR, "հասցրել", "հասցն", "ել"),
        (hy.GRAMMAR, "վերցրեցին", "վերցն", "եցին"),
        (hy.GRAMMAR, "վերադարձվի", "վերադարձն", "վի"),
        (hy.GRAMMAR, "հասցի", "հասցն", None),  # without ն only before the passive
    ],
)
def test_stems_take_the_suffix_chains_of_their_language(
    grammar: Grammar, word: str, stem: str, rest: str | None
) -> None:
    assert grammar.rest_after(word, stem) == rest


@pytest.mark.parametrize(
    ("grammar", "rest", "case"),
    [
        (az.GRAMMAR, "da", "loc"),
        (az.GRAMMAR, "ndən", "abl"),
        (az.GRAMMAR, "ın", "gen"),
        (az.GRAMMAR, "ya", "dat"),
        (az.GRAMMAR, "", "nom"),
        (hy.GRAMMAR, "ում", "loc"),
        (hy.GRAMMAR, "ից", "abl"),
        (hy.GRAMMAR, "ի", "gen"),
        (hy.GRAMMAR, "ին", "dat"),
        (hy.GRAMMAR, "ով", "com"),
        (hy.GRAMMAR, "ները", "nom"),
    ],
)
def test_case_from_the_ending(grammar: Grammar, rest: str, case: str) -> None:
    assert grammar.case_of(rest) == case


def test_a_name_loses_only_noun_suffixes() -> None:
    stems = [stem for stem, _ in hy.GRAMMAR.stems_of("ստեփանակերտից")]
    assert stems[0] == "ստեփանակերտից"
    assert "ստեփանակերտ" in stems
    assert "bakı" in [stem for stem, _ in az.GRAMMAR.stems_of("bakıda")]
    # "-təsinin" is no noun ending: "Komitəsinin" (committee's) is no Komi.
    assert "komi" not in [stem for stem, _ in az.GRAMMAR.stems_of("komitəsinin")]


def test_an_abbreviation_takes_its_suffix_after_a_hyphen() -> None:
    sentence = tokenize(hy.GRAMMAR, "ՄԱԿ-ի խոսնակը և ՊՆ-ն")[0]
    assert (sentence.tokens[0].base, sentence.tokens[0].suffix) == ("մակ", "ի")
    assert (sentence.tokens[-1].base, sentence.tokens[-1].suffix) == ("պն", "ն")


def test_an_entry_written_as_an_infinitive_matches_verb_forms_only() -> None:
    coder = Coder(hy.GRAMMAR)

    def events(text: str) -> list[str]:
        return [t.event for t in coder.find_triggers(tokenize(hy.GRAMMAR, text)[0])]

    assert events("Լեհաստանը համաձայնեց։") == ["AGREE"]
    assert events("Լեհաստանը կհամաձայնի։") == ["AGREE"]
    # "համաձայն" (according to, agreeing) is no verb form of "համաձայնել".
    assert events("Վրաստանը համաձայն է Ուկրաինայի առաջարկին։") == []
    # An "-ել" verb has no "-աց" aorist: "դիմաց" (in exchange for) is no "դիմել" (appeal).
    assert events("Գերիներին փոխանցել են զենքի դիմաց։") == ["RETREAT"]


def test_verb_prefixes_and_auxiliaries() -> None:
    coder = Coder(hy.GRAMMAR)
    future = coder.find_triggers(tokenize(hy.GRAMMAR, "Շրջանը կհանձնվի։")[0])
    assert [(t.event, t.prefix) for t in future] == [("RETREAT", "planned")]
    # "կրակ են բացել": the auxiliary stands between the words of "կրակ բաց".
    fire = coder.find_triggers(tokenize(hy.GRAMMAR, "Ուժերը կրակ են բացել։")[0])
    assert [(t.event, t.first, t.last) for t in fire] == [("FIGHT", 1, 3)]


@pytest.mark.parametrize(
    ("language", "text", "event", "source", "target", "places", "day"),
    [
        ("az", "Ermənistan silahlı qüvvələri Bərdə şəhərini atəşə tutub.",
         "FIGHT", ["ARM"], [], ["Barda"], None),
        ("az", "Azərbaycan Müdafiə Nazirliyi bəyan edib ki, erməni qüvvələri Gəncəni vurub.",
         "FIGHT", ["ARM"], [], ["Ganja"], None),
        # A capital that acts is the government's voice and still a place named.
        ("az", "Bakı Ermənistanı atəşkəsi pozmaqda günahlandırıb.",
         "FIGHT", ["ARM"], [], ["Baku"], None),
        ("hy", "Ադրբեջանական զինուժը դեկտեմբերի 11-ին հրետակոծել է Հադրութի շրջանը։",
         "FIGHT", ["AZE"], [], [], "2020-12-11"),
        ("hy", "Հայաստանի ԱԳՆ-ն հերքել է, թե հայկական ուժերը հրետակոծել են Թարթառը։",
         "REJECT", ["ARM"], [], ["Tartar"], None),
        ("hy", "Լավրովը Մոսկվայում հանդիպել է Մնացականյանի հետ։",
         "CONSULT", ["RUS"], ["ARM"], ["Moscow"], None),
        # A mediator is no party: neither source nor target.
        ("az", "Azərbaycan və Ermənistan ABŞ-ın vasitəçiliyi ilə atəşkəs barədə razılığa gəliblər.",
         "AGREE", ["AZE", "ARM"], [], [], None),
        ("hy", "Հայաստանը և Ադրբեջանը Ֆրանսիայի և ԱՄՆ-ի միջնորդությամբ համաձայնության են եկել։",
         "AGREE", ["ARM", "AZE"], [], [], None),
        # A title and its holder are one actor in the case of the name: a mediator's title
        # is no source.
        ("az", "Türkiyə Prezidenti Rəcəb Tayyib Ərdoğanın vasitəçiliyi ilə Ukrayna və Rusiya"
         " taxıl dəhlizi barədə razılaşıb.", "AGREE", ["UKR", "RUS"], [], [], None),
        ("hy", "Ֆրանսիայի նախագահ Էմանուել Մակրոնի միջնորդությամբ Վրաստանը և Ռուսաստանը"
         " համաձայնվել են։", "AGREE", ["GEO", "RUS"], [], [], None),
        # A place before a title is no first name of its holder.
        ("az", "Moskvada Rusiya Prezidenti Vladimir Putin Fransa Prezidenti ilə görüşüb.",
         "CONSULT", ["RUS"], ["FRA"], ["Moscow"], None),
        # The postposition after the last of coordinated names is theirs too.
        ("az", "Sergey Lavrov Ceyhun Bayramov və Zohrab Mnatsakanyan ilə görüşüb.",
         "CONSULT", ["RUS"], ["AZE", "ARM"], [], None),
        # People handed over: a release, not a territorial handover.
        ("az", "Ermənistan 12 hərbçini Azərbaycana qaytarıb.",
         "CONCEDE", ["ARM"], ["AZE"], [], None),
        ("hy", "Ադրբեջանը Հայաստանին է հանձնել հայ գերիներին։",
         "CONCEDE", ["AZE"], ["ARM"], [], None),
        ("az", "Ermənistan Laçın rayonunu Azərbaycana qaytarıb.",
         "RETREAT", ["ARM"], ["AZE"], ["Laçın"], None),
        # What is talked about is no target.
        ("hy", "Հայաստանը դիմել է ՄԱԿ-ին Ադրբեջանի հարձակման կապակցությամբ։",
         "DEMAND", ["ARM"], ["IGO"], [], None),
        # Third pass (2026-12-07): a verb before the rest of its phrase; -նել stems.
        ("hy", "Խերսոնի մարզն անցել է Ուկրաինայի վերահսկողության տակ։",
         "RETREAT", [], ["UKR"], [], None),
        ("hy", "Ռուսական զորքերը հրթիռային հարված են հասցրել Խարկովին։",
         "FIGHT", ["RUS"], [], ["Kharkiv"], None),
        ("hy", "Գերիները կվերադարձվեն Ուկրաինային։", "CONCEDE", [], ["UKR"], [], None),
        # An infinitive after an act, or its object, is the act's complement.
        ("hy", "Ուկրաինան և Ռուսաստանը համաձայնեցին բանակցություններ վարել Ստամբուլում։",
         "AGREE", ["UKR", "RUS"], [], ["Istanbul"], None),
        ("hy", "Ուկրաինան կոչ է արել Ռուսաստանին դադարեցնել հրետակոծությունները։",
         "DEMAND", ["UKR"], ["RUS"], [], None),
        ("hy", "Իրանը համաձայնել է ուղարկել պատվիրակություն Անկարա։",
         "AGREE", ["IRN"], [], ["Ankara"], None),
        # A title and its holder are one actor, in the holder's case, known or not.
        ("hy", "Թուրքիայի արտգործնախարարը Անկարայում հանդիպել է Ֆրանսիայի արտգործնախարար "
         "Ժան-Իվ Լե Դրիանի հետ։", "CONSULT", ["TUR"], ["FRA"], ["Ankara"], None),
        ("az", "Türkiyə Xarici İşlər Naziri Mövlud Çavuşoğlu Ankarada Fransa Xarici İşlər Naziri "
         "Jan-İv Le Drianla görüşüb.", "CONSULT", ["TUR"], ["FRA"], ["Ankara"], None),
        # A person of another state after a title is not its holder.
        ("az", "Gürcüstan Baş Naziri Makronun təklifini qəbul edib.",
         "AGREE", ["GEO"], ["FRA"], [], None),
        # A bare name before genitives takes the case of the noun they qualify.
        ("hy", "ԵԱՀԿ Մինսկի խմբի համանախագահները կոչ են արել Ռուսաստանին և Ուկրաինային։",
         "DEMAND", ["IGO"], ["RUS", "UKR"], [], None),
        # One genitive ending for coordinated names (the subject of a nominalised verb).
        ("az", "Rusiya və Ukraynanın İstanbulda danışıqlar aparmağa razılaşdığı bildirilib.",
         "AGREE", ["RUS", "UKR"], [], ["Istanbul"], None),
        ("az", "Ermənistan və Gürcüstanın nümayəndə heyətləri Tbilisidə görüşüb.",
         "CONSULT", ["ARM", "GEO"], [], ["Tbilisi"], None),
        ("az", "Gürcüstan Ukraynadakı səfirini geri çağırıb.",
         "SANCTION", ["GEO"], ["UKR"], [], None),
    ],
)  # fmt: skip
def test_sentences(
    extractor: NewsExtractor,
    language: str,
    text: str,
    event: str,
    source: list[str],
    target: list[str],
    places: list[str],
    day: str | None,
) -> None:
    news = extractor.extract_sentence(text, day=date(2020, 12, 12), language=language)
    primary = [e for e in news.events if e.primary]
    assert [e.event for e in primary] == [event]
    assert [a.code for a in primary[0].source] == source
    assert [a.code for a in primary[0].target] == target
    assert [p.name for p in news.places if p.precision != 6] == places
    assert (primary[0].date.isoformat() if primary[0].date else None) == day


def test_an_accusation_is_the_act_claimed_by_the_accuser(extractor: NewsExtractor) -> None:
    news = extractor.extract_sentence(
        "Ադրբեջանի ԱԳՆ-ն մեղադրել է Հայաստանին հրադադարը խախտելու մեջ։",
        day=date(2020, 10, 20),
        language="hy",
    )
    primary = next(e for e in news.events if e.primary)
    assert (primary.event, primary.modality) == ("FIGHT", "claimed")
    assert [a.code for a in primary.source] == ["ARM"]
    assert [a.code for a in primary.claimed_by] == ["AZE"]


def test_an_auxiliary_is_no_abbreviation(extractor: NewsExtractor) -> None:
    # "եմ" (am) is written as ԵՄ (the EU) in lower case.
    news = extractor.extract_sentence(
        "Ես ստորագրել եմ համաձայնագիրը։", day=date(2020, 11, 10), language="hy"
    )
    assert [a.ref.code for a in news.actors] == []


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("az",
         "Bəyanat\n\n2 dekabr 2020\n\n"
         "«Sülhməramlılar bütün postlarda növbə çəkir», – deyə Rüstəm Muradov bildirib.\n\n"
         "Muradov qeyd edib ki, yollar açıqdır.\n\n"
         "«Vəziyyət sakitdir və nəzarət altındadır», – o əlavə edib.\n\n"
         "Nazir deyib: «Danışıqlar gələn həftə davam edəcək.»",
         [("Muradov", "direct", "Sülhməramlılar bütün postlarda növbə çəkir"),
          ("Muradov", "indirect", "yollar açıqdır"),
          ("Muradov", "direct", "Vəziyyət sakitdir və nəzarət altındadır"),
          ("Muradov", "direct", "Danışıqlar gələn həftə davam edəcək.")]),
        ("hy",
         "Հայտարարություն\n\n2 դեկտեմբերի 2020\n\n"
         "«Խաղաղապահները պահպանում են բոլոր դիրքերը», – ասել է Ռուստամ Մուրադովը։\n\n"
         "Նա նշել է, որ ճանապարհները բաց են։\n\n"
         "ՊՆ խոսնակ Արամ Թորոսյանը հայտարարել է. «Իրավիճակը հանգիստ է ամբողջ գծով»։",
         [("Մուրադով", "direct", "Խաղաղապահները պահպանում են բոլոր դիրքերը"),
          ("Մուրադով", "indirect", "ճանապարհները բաց են"),
          ("Արամ Թորոսյան", "direct", "Իրավիճակը հանգիստ է ամբողջ գծով")]),
    ],
)  # fmt: skip
def test_quotes_with_their_speakers(
    extractor: NewsExtractor, language: str, text: str, expected: list[tuple[str, str, str]]
) -> None:
    news = extractor.analyse(extractor.read_bytes(text.encode("utf-8"), name="quotes.txt"))
    found = [
        (q.speaker.text if q.speaker else "", q.kind, q.text, q.component) for q in news.quotes
    ]
    assert len(found) == len(expected)
    for (speaker, kind, words, component), (who, how, said) in zip(found, expected, strict=True):
        assert who in speaker
        assert (kind, words, component) == (how, said, f"news.quotes.{language}.v1")


@pytest.mark.parametrize("language", ["az", "hy"])
def test_quote_gold_precision_and_recall(extractor: NewsExtractor, language: str) -> None:
    # tests/data/quotes-gold-{az,hy}.json: articles written for this test (docs/nlp.md).
    report = evaluate_quotes(extractor, DATA / f"quotes-gold-{language}.json")
    assert report.gold == 13
    assert report.precision >= 0.9
    assert report.recall >= 0.9

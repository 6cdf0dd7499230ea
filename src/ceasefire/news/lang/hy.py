"""The Armenian pipeline (``news.*.hy.v1``): suffix-aware stems in Armenian script.

Armenian declines nouns with suffixes after the stem and a definite article after them:
-ի/-ու genitive-dative, -ին dative, -ից ablative, -ով instrumental, -ում locative, -ներ/-եր
plural, -ը/-ն the article ("Երևանում", "Ստեփանակերտից", "Հայաստանի", "ուժերը"); "-ություն"
nouns are "-ության" before a case ending. Verbs put aspect on a participle with the
auxiliary apart (հրետակոծել է, խախտել են, տեղակայվելու են), -վ- makes the passive and "չի",
"չեն" before the participle the negation; "-նել" verbs change their stem (հասցնել,
հասցրել, հասցվել), a verb may stand before the rest of its phrase ("անցել է X-ի
վերահսկողության տակ") and an infinitive after a verb is its complement. Names in capitals
take their suffixes after a hyphen ("ՄԱԿ-ի", "ՊՆ-ն"). The lexicon is ``lang/data/hy.yaml``,
the actors the ``hy`` stems of ``lang/data/actors.yaml``; places go through the gazetteer's
Armenian alternate names (``lookup_native``); the engine is news/lang/suffixed.py.
"""

from __future__ import annotations

import re

from ceasefire.news.lang.suffixed import Grammar, register_language

# Nominal suffixes (plural, case, article, possessive) and verbal ones (participles, aorist,
# passive -վ-, causative -ցն-, person).
_MORPHEME_TEXT = """
ներ եր ի ու վա ին ից ով ում ը ն ս դ յ
ել ալ ելու ալու ած աց եց ցին ցի ան վ ող ացր ցն են ենք եք եմ է
"""
# What a name may take: plural, case, the article, possessive, the glide յ ("Մոսկվայում").
_NOUN_MORPHEME_TEXT = "ներ եր ի ու վա ին ից ով ում ը ն ս դ յ"
# Case endings (the article -ը/-ն may follow), the first that matches wins.
_CASES = (
    ("abl", re.compile(r"ից[ըն]?$")),
    ("com", re.compile(r"ով[ըն]?$")),
    ("loc", re.compile(r"ում$")),
    ("dat", re.compile(r"ին$")),
    ("gen", re.compile(r"(ի|ու|վա)$")),
)
GRAMMAR = Grammar(
    language="hy",
    data="hy.yaml",
    morphemes=frozenset(_MORPHEME_TEXT.split()),
    mutations={"ություն": "ության"},
    cases=_CASES,
    noun_cases=_CASES,  # no possessive to tell apart: a qualified noun declines alike
    postpositions={"հետ": "com", "դեմ": "dat", "վրա": "dat", "կողմից": "agent"},
    coordinators=frozenset({"և", "եւ", "ու"}),
    passive=re.compile(r"վ"),
    future=re.compile(r"(ելու|ալու)$"),
    negation=None,
    negators=frozenset({"չի", "չեն", "չէ", "չեմ", "չենք", "չեք", "չէր", "չէին"}),
    accused_cases=frozenset({"dat", "acc"}),
    place_cases=frozenset({"loc", "abl"}),
    verb_prefixes={"կ": "planned", "չ": "negated"},
    complementizers=frozenset({"որ", "թե"}),
    auxiliaries=frozenset({"է", "են", "եմ", "ենք", "եք", "էր", "էին", "էինք"}),
    months=(
        "հունվար",
        "փետրվար",
        "մարտ",
        "ապրիլ",
        "մայիս",
        "հունիս",
        "հուլիս",
        "օգոստոս",
        "սեպտեմբեր",
        "հոկտեմբեր",
        "նոյեմբեր",
        "դեկտեմբեր",
    ),
    relative_days={"երեկ": -1, "այսօր": 0},
    noun_morphemes=frozenset(_NOUN_MORPHEME_TEXT.split()),
    pronouns=frozenset({"նա"}),
    nominalised=None,
    # "-նել" verbs: the ն is ր in the aorist and perfect and falls before the passive -վ-
    # (հասցնել → հասցրել, հասցրեց, հասցվել; վերցնել → վերցրել; վերադարձնել → վերադարձվի).
    alternations={"դարձն": ("դարձր", "դարձ"), "ցն": ("ցր", "ց")},
    infinitive=re.compile(r"(ել|ալ)$"),
    # How a verb's suffixes start: infinitive and perfect, aorist (ել, եց of an "-ել" verb;
    # ալ, աց of an "-ալ" one), present, resultative and subject participles, subjunctive,
    # passive.
    verb_rest="({v}լ|{v}ց|ում|ած|ող|ի|վ)",
    verb_first_gap=2,
    bare_modifiers=True,
)
PIPELINE = register_language(GRAMMAR)

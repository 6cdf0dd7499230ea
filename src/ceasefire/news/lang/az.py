"""The Azerbaijani pipeline (``news.*.az.v1``): the Turkish method in Azerbaijani spelling.

Azerbaijani is Turkish's close relative: the same agglutinating suffixes under vowel harmony,
written with ə, x and q (-dı/-di past, -ıb/-ib perfect, -acaq/-əcək future, -dan/-dən
ablative). Unlike Turkish it writes a name's suffixes without an apostrophe ("Bakıda",
"Ermənistanın"), so names are found by their stem too. The lexicon is
``lang/data/az.yaml``, the actors the ``az`` stems of ``lang/data/actors.yaml``; the engine is
news/lang/suffixed.py.
"""

from __future__ import annotations

import re

from ceasefire.news.lang import tr
from ceasefire.news.lang.suffixed import Grammar, register_language

# Azerbaijani suffixes with their vowel-harmony and buffer-consonant variants: voice
# (passive, causative, reciprocal), tense, aspect and mood, converbs and participles,
# nominalisation, person, possessive, plural and case.
_MORPHEME_TEXT = """
ıl il ul ül l ın in un ün n ış iş uş üş ş t dır dir dur dür
ma mə mı mi mu mü dı di du dü mış miş muş müş ıb ib ub üb b y
ır ir ur ür r ar ər acaq əcək yacaq yəcək acağ əcəy yacağ yəcəy
araq ərək yaraq yərək an ən yan yən dıq dik duq dük dığ diy duğ düy
maq mək ması məsi maqda məkdə q k m nız niz lar lər sı si su sü ı i u ü yı yi yu yü
a ə ya yə da də dan dən ın nın nin nun nün la lə yla ylə ki kı malı məli
sın sin ca cə lıq lik luq lük lığ liy luğ lüy ım im um üm
ız iz uz üz mız miz muz müz nı ni nu nü na nə nda ndə ndan ndən
"""
# What a name may take: plural, possessive, case, the buffers y and n, -ki.
_NOUN_MORPHEME_TEXT = """
lar lər ı i u ü sı si su sü nı ni nu nü ın in un ün nın nin nun nün y n
a ə ya yə na nə da də nda ndə dan dən ndan ndən la lə yla ylə ki kı
"""
# Case endings: (case, buffer consonant after a bare name, buffer after a possessive, ending),
# the first that matches wins. After a qualifier the noun has its possessive ("Ermənistan
# qüvvələri"), so its case needs the buffer: qüvvələrinə is dative, qüvvələri nominative.
_ENDINGS = (
    ("abl", "n?", "n", "d(an|ən)"),
    ("loc", "n?", "n", "d(a|ə)"),
    ("gen", "n?", "n", "(ın|in|un|ün)"),
    ("com", "y?", "y", "l(a|ə)"),
    ("dat", "[yn]?", "n", "(a|ə)"),
    ("acc", "[yn]?", "n", "(ı|i|u|ü)"),
)
GRAMMAR = Grammar(
    language="az",
    data="az.yaml",
    morphemes=frozenset(_MORPHEME_TEXT.split()),
    mutations={"t": "d", "q": "ğ", "k": "y"},
    cases=tuple((case, re.compile(f"{bare}{ending}$")) for case, bare, _, ending in _ENDINGS),
    noun_cases=tuple(
        (case, re.compile(f"{after}{ending}$")) for case, _, after, ending in _ENDINGS
    ),
    postpositions={"ilə": "com", "tərəfindən": "agent"},
    coordinators=frozenset({"və", "ilə"}),
    passive=re.compile(r"(ıl|il|ul|ül|n)(?!d)"),
    future=re.compile(r"(acaq|əcək|acağ|əcəy)"),
    negation=re.compile(r"m(a|ə)(y|d|z|ş|q|m)"),
    negators=frozenset(),
    accused_cases=frozenset({"acc"}),
    place_cases=frozenset({"loc", "abl", "dat"}),
    verb_prefixes={},
    complementizers=frozenset({"ki"}),
    auxiliaries=frozenset(),
    months=(
        "yanvar",
        "fevral",
        "mart",
        "aprel",
        "may",
        "iyun",
        "iyul",
        "avqust",
        "sentyabr",
        "oktyabr",
        "noyabr",
        "dekabr",
    ),
    relative_days={"dünən": -1, "bu gün": 0, "bugün": 0},
    noun_morphemes=frozenset(_NOUN_MORPHEME_TEXT.split()),
    pronouns=frozenset({"o"}),
    nominalised=re.compile(r"(dığ|diy|duğ|düy|dık|dik|duk|dük|acağ|əcəy|ma|mə)"),
    lower=tr.lower,
)
PIPELINE = register_language(GRAMMAR)

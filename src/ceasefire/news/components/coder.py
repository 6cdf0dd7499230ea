"""news.events.v2: the events of v1, with every verb of the CAMEO dictionary as a trigger.

What changes from ``news.events.v1``:

1. **Default type for every verb.** A verb that our lexicon lists under one PLOVER type
   only (with closed object lists) has that type. Else a verb of the CAMEO verb dictionary
   (PETRARCH2's ``CAMEO.2.0.txt``, shipped in ``data/eventdata``) has a CAMEO code of its
   own or of its block, which the official CAMEO → PLOVER table turns into a PLOVER type,
   mode and context; a block without a code gives the PLOVER type that most of its patterns
   agree on (three in five, of five patterns at least); else the verb is no trigger. Verbs of
   thinking, expecting and aspect, light verbs, speech verbs and framing verbs are never
   triggers, and an event that a default alone made (no pattern, no listed object) needs a
   coded source or target.
2. **Objects refine.** The block's verb + object / preposition patterns ("``SIGN *
   &CEASEFIRE``", "``ASK * (FOR HELP)``") are matched on the parse: words of the direct
   object, prepositional phrases, particle, and the subject side for patterns that name it.
   The pattern matching most words sets the code; a pattern coded "---" says "no event".
   An entry of our own trigger lexicon that names the verb's object still wins, and a bare
   entry of it comes before CAMEO's patterns and defaults (it is written for PLOVER, CAMEO
   is not).
3. **Framing** from the PLOVER codebook, on top of v1's: "fail to / refuse to / decline to"
   + act is REJECT; "demand / call on … to" is DEMAND (v1's lexicon); future or conditional
   hostile acts are THREATEN and reported speech keeps the reported act with its modality
   (v1's framing). A PROTEST with no stated target is aimed at the source's own state
   (its authorities), a COERCE at its own population: PLOVER's convention for domestic
   events.
4. **Targets the verb does not name.** A threat or demand is aimed at the party whose
   conduct its condition names ("threatened to close the pipeline if Georgia raised transit
   fees": GEO; "unless Minsk complied": BLR). An act whose object is aimed at someone
   ("tariffs against Chinese steel", "a ban on Moldovan wine") has
   that someone as its target; so has an act allowed, refused or asked for ("refused to
   allow OSCE monitors to enter"); a measure "in X" (a curfew imposed or lifted) is
   aimed at X's state. All only where the verb itself gives no coded target.
5. **Second pass (issue 16)**, general rules found on our own check set 3: a DEMAND verb
   with a clause is DEMAND before its object lists; an unlisted verb takes the type of the
   protest or demand noun it governs; verbal nouns after aspect verbs; "claimed
   responsibility for"; hostile intent of uncoded parties and "could" under their own speech
   is THREATEN; attacks by state forces on armed parties or places are FIGHT; an act as the
   subject takes the state marking it; one phrase naming both sides is a joint source;
   responses are aimed at whoever made what they answer (docs/nlp.md, *Events v2*).
6. **Third pass (issue 16)**: CAMEO intent codes on verbs of doing stand for the act; who
   acts decides between COERCE, ASSAULT, PROTEST and MOBILIZE (repression, irregular
   coercion, crowds, solo drills); announced measures, vows, disclaimed intents and
   condemning names are framed; nouns of action after verbs of doing or aspect; re- verbs;
   places of withdrawals, deployments and aid; the agent of a passive harm's when-clause.
7. **Fourth pass (issue 16)**: the matter of a demand, inquiry, agreement or judgement names
   its target; ultimatums of untyped acts; condemning names in reported copular clauses;
   "in protest"; outbreaks of event nouns; a state's threat never aimed at itself; conjoined
   targets; attacks by no state's forces on civilian places are ASSAULT (docs/nlp.md).
8. **Sixth pass (issue 16)**: conditional deployments are threats and a condition's own
   target is not the threat's; forces leaving a place retreat from it; decisions by vote;
   "call for" + noun; orders to leave; captives given back; boycotts and riots by crowds;
   apposed lists of states, possessive organs and domestic coercion name actors.
9. **WordNet fallback (fourteenth pass, issue 16)**: a sentence that gets no event at all,
   whose verbs neither our lexicon nor CAMEO lists ("balked at", "brushed aside"), is coded
   again with each such verb read as the nearest verb the dictionaries do list among its
   WordNet synonyms and hypernyms (``news.wordnet``; most frequent senses first, two
   hypernym steps at most); the dictionaries' own logic (objects refine, framing, coded
   parties for defaults) then decides. Its events name ``news.events.v2+wordnet`` as their
   component. A sentence with an event is never changed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from itertools import pairwise
from typing import Any

from spacy.tokens import Doc, Span, Token

from ceasefire.news.components.actors import ActorResolver, alpha3
from ceasefire.news.components.events import (
    POSSIBLE,
    PROTESTERS,
    Candidate,
    EventsComponent,
    _complements,
    _conditional,
    _is_passive,
    _lemma_keys,
    _object_words,
    _with_compounds,
    inverted_condition,
)
from ceasefire.news.components.lexicon import (
    BARE,
    COOPERATIVE,
    MATERIAL_HOSTILE,
    NAMED_OBJECT,
    VIOLENT,
    Lexicon,
    TriggerEntry,
    lexicon,
)
from ceasefire.news.components.syntax import (
    NP_MODIFIERS,
    agents,
    conjuncts,
    is_pronoun,
    modal_words,
    particle,
    subjects,
)
from ceasefire.news.eventdata import EventIndex, Pattern, event_index
from ceasefire.news.model import ActorRef, Event
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register
from ceasefire.news.sources import load_package_yaml
from ceasefire.news.wordnet import WordNetIndex, load_wordnet

NAME = "news.events.v2"
# The component named by events that only the WordNet fallback coded.
WORDNET_NAME = "news.events.v2+wordnet"
# How far the fallback looks: the most frequent senses of a verb, and hypernym steps up.
WORDNET_SENSES = 4
WORDNET_DEPTH = 2
# A listed verb counts only where WordNet reaches it in one of its own most frequent senses:
# "shake" is a hypernym-sibling of "agitate" (stir a liquid), which CAMEO lists for
# agitating politically.
WORDNET_TARGET_SENSES = 3
# WordNet's lexicographer files of senses that are no act of one party on another: the body,
# states, perception, feelings, thought, eating, weather. A verb whose most frequent sense is
# one of them is not read through WordNet ("breathed a sigh"), and senses in them are skipped.
WORDNET_NOT_ACTS = frozenset(
    {"verb.body", "verb.stative", "verb.perception", "verb.emotion", "verb.cognition",
     "verb.consumption", "verb.weather"}
)  # fmt: skip
# "failed to", "refused to", "declined to" + an act: the act rejected (PLOVER REJECT).
REJECTING = frozenset({"fail", "refuse", "decline"})
# Verbs by which a body takes a decision ("voted to lift the state of emergency", "authorised
# the army to deploy"): with a clause, what they decide is the event; alone ("voted in
# favour", "voted against") their CAMEO patterns code them.
DECIDING = frozenset({"vote", "authorize", "authorise"})
# Verbs that are never events on their own whatever CAMEO says: auxiliaries, light verbs,
# verbs of thinking, expecting and aspect ("is expected to", "faces charges", "led by").
# Speech verbs and the framing verbs of the lexicon ("plan to", "decide to") are excluded
# too: what they report or frame is the event (v1's framing).
NOT_TRIGGERS = frozenset(
    {"be", "have", "do", "get", "make", "take", "give", "go", "come", "see", "know", "think",
     "become", "seem", "include", "use", "expect", "believe", "consider", "feel", "mean",
     "face", "point", "lead", "hope", "wish", "remain", "continue", "begin", "start", "try",
     # light and many-sense verbs whose CAMEO block is one narrow sense ("held a news
     # conference" is no detention, "broke the record" no attack)
     "hold", "keep", "put", "place", "bring", "stay", "remove", "close", "break", "match",
     "master", "best", "ring", "circle", "pit", "engage", "overshadow", "dominate", "overcome",
     "struggle", "tear", "spoil", "mar", "tarnish", "corrupt", "impair", "inhabit", "reside",
     "tax", "bill", "extract", "tap", "contain", "moderate",
     # happenings with no agent: "died in hospital" is nobody's act
     "die", "suffer"}
)  # fmt: skip
# PLOVER's convention for events inside one state: a protest with no stated target is aimed
# at the state's own authorities, a coercion at its own population.
DOMESTIC = {"PROTEST": "GOV", "COERCE": "CVL"}
NON_STATE_CODES = frozenset({"IGO", "NGO", "IMG", "MNC"})
MAJORITY = 0.6
MIN_PATTERNS = 5
# An object list naming "troops" is a list of armed forces: it takes the armed sectors' nouns.
ARMED_OBJECT_MARK = "troops"
ARMED_OBJECT_SECTORS = ("MIL", "REB")
# Prepositions of taking a party's side: "stand by / behind", "side / stand with".
SIDING = frozenset({"by", "behind", "with"})
# Conjunctions of a condition: "if / unless Y does W" names the party a threat is aimed at.
SELF_PRONOUNS = frozenset({"it", "they", "its", "their", "itself", "themselves"})
CONDITIONS = frozenset({"if", "unless"})
CONDITIONAL_TYPES = frozenset({"THREATEN", "DEMAND"})
# Prepositions by which an object names whom it is aimed at ("tariffs against Chinese
# steel", "a ban on Moldovan wine", "aid to Syrian refugees").
AIMED = frozenset({"against", "on", "to", "toward", "towards"})
# Verbs that report that an event named by their subject happened or spread.
HAPPENING = frozenset(
    {"break out", "erupt", "flare", "flare up", "rage", "escalate", "spread", "occur",
     "ensue", "spill over"}
)  # fmt: skip
# A verb's own phrases that say at whom its act is aimed ("fired toward Guam").
AIMED_AT = frozenset({"against", "toward", "towards"})
# Answers to what another party proposed, asked or offered.
RESPONSES = frozenset({"REJECT", "AGREE", "SUPPORT", "CONCEDE"})
# Measures a state applies to a territory: "imposed / lifted a curfew in Kyrgyzstan" is aimed
# at the state of the place (the place is the target only where nothing else is).
MEASURES = frozenset({"COERCE", "CONCEDE", "RETREAT", "SANCTION", "THREATEN", "ASSAULT", "FIGHT"})
# Movements aimed at the state of a place: a withdrawal from it ("pulled its troops out of
# eastern Congo" → COD), forces moved to or along it ("massed troops on its border with
# Syria" → SYR), aid brought into it ("flew supplies into Misrata" → LBY).
MOVEMENT_PLACES = {
    "RETREAT": frozenset({"from"}),
    "MOBILIZE": frozenset({"to", "into", "on", "along", "near"}),
    "AID": frozenset({"to", "into"}),
}
# Verbs of aspect whose object is a verbal noun standing for the act: "resumed intelligence
# sharing", "began shelling" (a noun in the small model's parse), "stepped up patrolling".
ASPECT = frozenset({"begin", "start", "resume", "continue", "intensify", "expand", "step"})
# "claimed / took / admitted responsibility for the bombing": the bombing, by the claimant.
RESPONSIBILITY = frozenset({"claim", "take", "admit", "accept", "bear"})
# Verbs of attack that say nothing of the means: by state forces on no civilian target they
# are conventional force (PLOVER FIGHT), not irregular violence (ASSAULT).
GENERIC_ATTACK = frozenset(
    {"attack", "strike", "pound", "hit", "bomb", "target", "raid", "bombard", "shoot", "fire"}
)
ARMED_SECTORS = frozenset({"MIL", "REB", "COP"})
# Verbs of doing and aspect whose object names the act ("completed its investigation").
SUPPORT_VERBS = frozenset(
    {"begin", "start", "resume", "continue", "complete", "conclude", "finish", "undertake",
     "conduct", "pursue", "launch", "intensify", "perform", "carry", "step", "announce",
     "tender", "submit", "order", "approve", "authorize", "authorise", "decree"}
)  # fmt: skip
# Units of time given to another party to act: "gave the rebels 72 hours to surrender" is an
# ultimatum (CAMEO 139, PLOVER THREATEN).
TIME_GIVEN = frozenset({"hour", "hours", "day", "days", "week", "weeks", "month", "months"})
# Nouns of action and the verb endings they derive from: investigation → investigate,
# withdrawal → withdraw, deployment → deploy, invasion → invade, assistance → assist.
NOMINAL_SUFFIXES = (
    ("ation", ("ate", "e", "")),
    ("ition", ("e",)),
    ("sion", ("de", "d", "t")),
    ("tion", ("t", "te")),
    ("al", ("", "e")),
    ("ment", ("",)),
    ("ance", ("", "e")),
)
# ASSAULT by its nature (PLOVER: abduction, torture, physical and sexual assault, killing of
# the defenceless), never turned into combat.
ONE_SIDED = frozenset(
    {"assault", "massacre", "murder", "assassinate", "behead", "lynch", "execute", "torture",
     "rape", "abuse", "stab", "mutilate", "abduct", "kidnap", "beat", "whip", "flog",
     "slaughter", "butcher"}
)  # fmt: skip
# Nouns that, with a possessive, name the possessor's state: "his country", "its government".
OWN_STATE_NOUNS = frozenset({"country", "government", "nation", "state", "administration"})
# Calling something by a name ("called the plan a provocation"); condemning names.
CHARACTERIZING = frozenset({"call", "describe", "brand", "term", "label", "dub"})
CONDEMNING = frozenset(
    {"unacceptable", "illegal", "illegitimate", "baseless", "groundless", "unfounded",
     "provocation", "provocative", "aggression", "mistake", "error", "interference",
     "violation", "crime", "criminal", "terrorism", "terrorist", "fraud", "farce", "lie",
     "lies", "absurd", "irresponsible", "hostile", "invalid", "null", "outrageous",
     "unjustified", "betrayal", "blackmail", "propaganda", "threat", "insult", "injustice",
     "outrage", "disgrace", "shameful", "unlawful", "barbaric", "atrocity", "scandal"}
)  # fmt: skip
# "no intention of withdrawing", "no plans to send troops": the act disclaimed.
INTENT_NOUNS = frozenset({"intention", "plan", "desire", "wish", "interest", "need"})
# Verbs of vowing: a threat when what is vowed is hostile, a promise when it is cooperative.
VOWING = frozenset({"vow", "swear"})
# Verbs that make a decided measure public: what they frame is the measure, not a threat.
ANNOUNCING = frozenset({"announce", "decide", "declare", "order", "approve", "vote"})
# Giving people back, and soldiers: another state's soldiers given back are captives.
GIVING_BACK = frozenset({"return", "hand", "release", "free", "exchange", "swap", "repatriate"})
SOLDIERS = frozenset({"soldier", "troop", "serviceman", "servicemen", "fighter", "sailor"})
# Ordering a party out: "ordered the ambassador to leave", "gave the envoys 72 hours to leave".
ORDERING = frozenset({"order", "tell", "instruct", "give", "direct"})
LEAVING = frozenset({"leave", "depart", "quit", "exit"})
# Verbs of entering a place: armed forces doing it move (MOBILIZE).
ENTERING = frozenset({"enter", "cross", "move", "push", "roll", "pour"})
# Prepositions of circumstance: their phrases give a reason or a time, never the object.
CIRCUMSTANCE = frozenset(
    {"over", "after", "before", "despite", "amid", "during", "since", "until", "following",
     "because", "due", "as", "ahead"}
)  # fmt: skip
# Repression: authorities' violence on a crowd ("opened fire on demonstrators").
AUTHORITIES = frozenset({"COP", "MIL", "GOV"})
CROWDS = frozenset(
    {"demonstrator", "demonstrators", "protester", "protesters", "protestor", "protestors",
     "crowd", "crowds", "rioter", "rioters", "marcher", "marchers", "demonstration",
     "demonstrations", "protest", "protests", "rally", "rallies", "mob", "mobs"}
)  # fmt: skip
# Sectors that bear no arms (the opposition may: "opposition forces captured the town").
UNARMED = PROTESTERS - {"OPP"}
# Verbs of a brawl: a crowd doing it with police riots.
CLASHING = frozenset({"clash", "scuffle", "brawl", "fight", "battle", "riot"})
# A crowd's seizing or storming of a place is obstruction.
OBSTRUCTING = frozenset({"occupy", "seize", "storm", "capture", "take", "besiege", "block"})
CIVILIANS = frozenset(
    {"demonstrator", "protester", "protestor", "student", "worker", "farmer", "villager",
     "resident", "crowd", "mob", "youth", "rioter", "activist", "supporter", "striker",
     "miner", "people", "civilian"}
)  # fmt: skip
# Places and gatherings of civilians: an attack on them by no state's forces is ASSAULT.
CIVILIAN_PLACES = frozenset(
    {"bus", "market", "marketplace", "mosque", "church", "synagogue", "temple", "school",
     "hospital", "hotel", "restaurant", "cafe", "wedding", "funeral", "concert", "shop",
     "passenger", "pilgrim", "worshipper", "worshiper", "shopper", "tourist", "commuter",
     "train", "hall", "stadium", "theatre", "theater", "cinema", "nightclub", "mall",
     "festival", "parade", "concertgoer", "spectator", "audience", "guest", "diner",
     "student", "pupil", "schoolchild"}
)  # fmt: skip
TIME_WORDS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "day",
     "night", "morning", "evening", "weekend", "eve"}
)  # fmt: skip
# Military drills (COOPERATE with a partner, a show of force without one).
EXERCISES = frozenset({"exercise", "exercises", "drill", "drills", "manoeuvre", "maneuver"})
# Armed parties that are no authority: their coercion is irregular violence (ASSAULT).
IRREGULAR = frozenset({"REB", "CRM"})
# CAMEO "express intent to …" (03x) codes and the act each stands for: 031x material
# cooperation (06x), 032 diplomatic cooperation (05), 033x material aid (07x), 034 reform and
# 035 yielding (08), 036 meeting (04), 038 / 039 mediation (045). 030 and 037 (settle a
# dispute) stay intents (AGREE).
INTENT_ACTS = {
    "031": "06", "032": "050", "033": "07", "034": "080", "035": "080", "036": "040",
    "038": "045", "039": "045",
}  # fmt: skip
# Event nouns whose type a verb not listed with them takes ("enforced a general strike").
CARRIED_NOUNS = frozenset({"PROTEST", "DEMAND"})
# Verbs that end what their event-noun object names ("ended the strike", "called off the
# march"): the noun's type is not theirs.
ENDING = frozenset(
    {"end", "stop", "halt", "cancel", "suspend", "abandon", "postpone", "delay", "break",
     "call", "disperse", "quell", "suppress", "crush", "ban", "prohibit", "prevent", "avert",
     "condemn", "deny", "reject"}
)  # fmt: skip
# Types whose target, where the verb names none, is the party the matter concerns ("an
# inquiry into the killings by Ruritanian troops", "welcomed the truce signed by Graustark's
# parties"), and those of them whose matter a place can name ("an investigation into the
# deaths of protesters in Ruritania"). Not meetings or cooperation (a dyad of their joint
# source) and not violence (where an attack happened says nothing of whom it was aimed at).
MATTER_TYPES = frozenset({"AGREE", "SUPPORT", "DEMAND", "DISAPPROVE", "REJECT", "INVESTIGATE"})
# Participles that say what a vehicle carries ("a ship carrying food", "trucks laden with").
CARGO = frozenset({"carry", "load", "laden", "lade", "bear", "transport", "ferry"})
# Acts that parties do with one another ("Chile and Peru agreed to resume talks"): with two or
# more parties as their source they are reciprocal, coded as a joint source, no target.
RECIPROCAL = frozenset({"AGREE", "CONSULT", "COOPERATE"})
# Phrases of where, whose object can carry the town or state in turn ("outside a bank in
# the city of Quetta").
LOCATIVES = frozenset({"outside", "near", "at", "inside", "around", "by", "beside"})
# Kinds of organisation by which a text names one it has named before ("the bloc").
BODIES = frozenset({"bloc", "alliance", "organisation", "organization", "union"})
# Searches, which done for an inquiry are the investigation, and the nouns of inquiries.
SEARCHES = frozenset({"search", "raid"})
# Adverbs that complete a verb to a phrase of its own when the parser does not tag them a
# particle ("got together", "brushed aside"); only phrases the CAMEO dictionary lists count.
PHRASE_ADVERBS = frozenset(
    {"together", "aside", "apart", "back", "down", "off", "out", "up", "away", "over"}
)  # fmt: skip
# Bodies named for what they do ("a commission of inquiry", "a board of investigation").
INQUIRY_BODIES = frozenset(
    {"commission", "committee", "board", "court", "panel", "team", "tribunal", "body"}
)  # fmt: skip
# Handing a person to another state's justice ("deported him to Jordan to stand trial").
TRANSFERS = frozenset(
    {"deport", "hand", "send", "return", "transfer", "expel", "repatriate", "turn", "fly"}
)  # fmt: skip
TRIAL_WORDS = frozenset({"trial", "charge", "charges", "prosecution", "justice"})
# Verbs that put someone under a measure ("placed her under investigation").
PLACING = frozenset({"place", "put", "keep", "bring"})
# Quantities of people: a crowd ("tens of thousands of Sri Lankans").
MULTITUDES = frozenset({"thousand", "thousands", "hundred", "hundreds", "dozens", "scores"})
# Participles that say what a crowd asks for ("…, demanding that he resign").
CROWD_CALLS = frozenset({"demand", "call", "chant", "shout", "urge"})
INQUIRIES = frozenset({"inquiry", "enquiry", "investigation", "probe"})
# Verbs of speech that, with an addressee and an act to do, say a demand ("told X to").
DIRECTING = frozenset({"tell"})
# Attacks, and where around the object they hit the place is named.
ATTACKS = frozenset({"FIGHT", "ASSAULT"})
HIT_PLACES = frozenset({"near", "around", "outside", "inside"})
PLACE_MATTERS = frozenset({"DEMAND", "DISAPPROVE", "REJECT", "INVESTIGATE", "SUPPORT"})
# Prepositions whose phrase after the verb holds its matter ("called for", "an inquiry into").
MATTER_PREPS = frozenset({"into", "for", "on", "about", "to", "with", "against", "of", "as"})
# Links followed down a matter's phrase: of-phrases, possessives, modifiers, the clause a noun
# carries ("the deal signed by …"), conjuncts. Not relative clauses or reported speech.
MATTER_LINKS = frozenset(
    {"prep", "pobj", "poss", "compound", "amod", "nmod", "acl", "agent", "appos", "conj",
     "npadvmod", "dobj", "xcomp", "nsubj", "nsubjpass"}
)  # fmt: skip
# Prepositions that make a state named in their phrase a place ("in Ruritania").
PLACE_PREPS = frozenset({"in", "at", "near", "outside", "around", "across", "inside", "from"})
MATTER_DEPTH = 6
# Sectors of a state's own organs (a threat by them is the state's).
STATE_SIDE = frozenset({None, "GOV", "MIL", "COP", "LEG", "JUD", "SPY"})
# Mention kinds that name a state itself.
STATE_NAMES = frozenset({"state", "capital", "metonym"})
# Inside a matter, whom an act was aimed at ("the war against Iraq") comes after whoever the
# matter names as its party ("the US-led war"): the refusal is aimed at the party.
PATIENT_PREPS = frozenset({"against", "on"})


@register(NAME, requires=["doc", "actors", "times"], assigns=["events"])
def make_events_v2(resources: PipelineResources) -> CoderComponent:
    """PLOVER events: v1's framing with CAMEO defaults and patterns for every verb."""
    lex = lexicon()
    lex = replace(
        lex,
        content_takers=lex.content_takers | REJECTING | DIRECTING,
        verbs=_armed_objects(lex.verbs),
    )
    return CoderComponent(lex, event_index(), load_wordnet())


def _armed_objects(
    verbs: dict[str, tuple[TriggerEntry, ...]],
) -> dict[str, tuple[TriggerEntry, ...]]:
    """Object lists that name armed forces ("withdrew its troops") take every noun that the
    actor dictionary files under an armed sector ("pulled its fighters out", "sent
    peacekeepers"): objects refine a verb by their class, not by a closed list of words."""
    sectors: dict[str, list[str]] = load_package_yaml("actors.yaml").get("sectors") or {}
    armed = frozenset(str(n).lower() for s in ARMED_OBJECT_SECTORS for n in sectors.get(s, []))
    return {
        verb: tuple(
            replace(e, objects=e.objects | armed)
            if e.objects and ARMED_OBJECT_MARK in e.objects
            else e
            for e in entries
        )
        for verb, entries in verbs.items()
    }


class CoderComponent(EventsComponent):
    def __init__(
        self, lex: Lexicon, index: EventIndex, wordnet: WordNetIndex | None = None
    ) -> None:
        super().__init__(lex)
        self.index = index
        self.wordnet = wordnet
        # While a sentence is coded again through WordNet: token index → the listed verbs
        # the token's verb may be read as, nearest first.
        self._wordnet_words: dict[int, list[str]] = {}
        self._wordnet_cache: dict[str, list[str]] = {}
        self._block_defaults: dict[str, str | None] = {}
        # Triggers that a default alone made (no pattern, no listed object), by token.
        self._from_default: set[int] = set()
        # Triggers that are events only with an armed source ("troops entered Mali").
        self._armed_only: set[int] = set()
        # Orders to leave (expulsions unless the party orders its own people out).
        self._expelled: set[int] = set()
        # What each word element of the CAMEO patterns may be spelled as (``_alternatives``).
        self._spellings: dict[tuple[str, ...], tuple[frozenset[str], ...]] = {}
        # A verb our lexicon lists under one PLOVER type only (with a closed object list)
        # has that type as its default when none of the listed objects is there.
        self._lexicon_defaults: dict[str, tuple[str, str | None, str | None]] = {}
        for verb, entries in lex.verbs.items():
            if len({e.event for e in entries}) == 1 and all(e.particle is None for e in entries):
                first = entries[0]
                self._lexicon_defaults[verb] = (first.event, first.mode, first.context)

    def __call__(self, news: NewsDoc) -> NewsDoc:
        self._from_default = set()
        self._armed_only = set()
        self._expelled = set()
        if news.doc is not None:
            for sent in news.doc.sents:
                self._adjectival_verb(sent)
        news = super().__call__(news)
        for event in news.events:
            if event.component != WORDNET_NAME:
                event.component = NAME
            if event.event in DOMESTIC and not event.target:
                event.target = _own_state(event.source, DOMESTIC[event.event])
            elif event.event == "COERCE" and not any(t.code for t in event.target):
                # "police detained an opposition leader": a person or group of no state of
                # their own, coerced by a state's organs, is of that state (PLOVER's
                # convention for domestic events); named, they keep their words and role.
                event.target = _of_own_state(event.target, event.source)
            if event.event in RECIPROCAL and _joint(event.source):
                _reciprocal(event)
        return news

    def _sentence(self, news: NewsDoc, doc: Doc, sent: Span, *context: Any) -> list[Event]:
        out = super()._sentence(news, doc, sent, *context)
        if out or self.wordnet is None:
            return out
        mapped = {t.i: words for t in sent if (words := self._wordnet_verbs(t))}
        if not mapped:
            return out
        self._wordnet_words = mapped
        try:
            out = super()._sentence(news, doc, sent, *context)
        finally:
            self._wordnet_words = {}
        for event in out:
            event.component = WORDNET_NAME
        return out

    def _wordnet_verbs(self, token: Token) -> list[str]:
        """The verbs of our lexicon or CAMEO that WordNet relates to a verb neither lists,
        nearest first: for each of its most frequent senses (its phrase's, "brush aside",
        "shake hands", before its own), the sense's other words, then its hypernyms' up to
        ``WORDNET_DEPTH`` steps, where that synset is one of the listed verb's own most
        frequent senses. Known, light, speech and framing verbs get none, nor a verb whose
        most frequent sense is no act (``WORDNET_NOT_ACTS``)."""
        if self.wordnet is None or token.pos_ != "VERB" or token.dep_ in {"amod", "prep"}:
            return []
        lemma = token.lemma_.lower()
        keys = _lemma_keys(token, lemma)
        if not self._wordnet_target(lemma) or any(
            k in self.lex.verbs or k in self.index.verbs for k in keys
        ):
            return []
        completing = [
            w.lower_ for w in token.children
            if w.dep_ == "prt"
            or (w.dep_ == "advmod" and w.i > token.i and w.lower_ in PHRASE_ADVERBS)
        ]  # fmt: skip
        # Idioms of a verb and its bare object are WordNet lemmas too ("shake hands").
        completing += [w.lower_ for w in token.children if w.dep_ == "dobj"]
        bases = [f"{k} {w}" for w in completing for k in keys] + keys
        base = next((b for b in map(self.wordnet.base, bases) if b is not None), None)
        if base is None:
            return []
        found = self._wordnet_cache.get(base)
        if found is None:
            found = self._wordnet_related(self.wordnet, base)
            self._wordnet_cache[base] = found
        return found

    def _wordnet_related(self, wordnet: WordNetIndex, base: str) -> list[str]:
        out: list[str] = []
        senses = wordnet.senses(base)[:WORDNET_SENSES]
        if not senses or senses[0].lexfile in WORDNET_NOT_ACTS:
            return out
        for sense in senses:
            if sense.lexfile in WORDNET_NOT_ACTS:
                continue
            level = [sense]
            for _ in range(WORDNET_DEPTH + 1):
                for synset in level:
                    out.extend(
                        w for w in synset.words
                        if w != base and w not in out and self._wordnet_target(w)
                        and (w in self.lex.verbs or w in self.index.verbs)
                        and synset.offset in wordnet.lemmas.get(w, [])[:WORDNET_TARGET_SENSES]
                    )  # fmt: skip
                level = [wordnet.synset(h) for s in level for h in s.hypernyms]
        return out

    def _wordnet_target(self, verb: str) -> bool:
        """A verb the fallback may read another as: no light, speech or framing verb."""
        return not (
            verb in NOT_TRIGGERS
            or verb in self.lex.speech_verbs
            or verb in self.lex.content_takers
            or verb in DECIDING
            or verb in REJECTING
        )

    def _adjectival_verb(self, sent: Span) -> None:
        """ "Kazakhstan relaxed restrictions on travel": the small model can read a past
        form after a proper-noun subject as an adjective on the noun that follows, leaving
        a sentence with no verb. When that form is the sentence's only verb candidate, comes
        right after a proper noun of the noun phrase and is a verb of the dictionaries, the
        tree is rebuilt as subject, verb and direct object (the noun's other phrases stay)."""
        root = sent.root
        if root.pos_ != "NOUN" or any(t.pos_ in {"VERB", "AUX"} for t in sent):
            return
        form = next(
            (c for c in root.lefts if c.dep_ == "amod" and c.tag_ in {"JJ", "VBN", "VBD"}), None
        )
        if form is None or not form.lower_.endswith("ed") or form.i == sent.start:
            return
        subject = form.doc[form.i - 1]
        between = form.doc[form.i + 1 : root.i]
        if (
            subject.pos_ != "PROPN"
            or subject.head.i != root.i
            or any(t.head.i != root.i or t.dep_ not in NP_MODIFIERS | {"det"} for t in between)
        ):
            return
        keys = _lemma_keys(form, form.lower_)[2:]
        lemma = next((k for k in keys if k in self.index.verbs or k in self.lex.verbs), None)
        if lemma is None:
            return
        before = [t for t in form.doc[sent.start : subject.i] if t.head.i == root.i]
        after = [t for t in root.rights if t.dep_ == "punct"]
        form.head = form
        form.dep_, form.pos_, form.tag_, form.lemma_ = "ROOT", "VERB", "VBD", lemma
        subject.head = form
        subject.dep_ = "nsubj"
        root.head = form
        root.dep_ = "dobj"
        for token in before:
            token.head = subject
        for token in after:
            token.head = form

    # --- targets -----------------------------------------------------------------------

    def _arguments(self, candidate: Candidate, resolver: ActorResolver) -> None:
        super()._arguments(candidate, resolver)
        token = candidate.token
        if token.pos_ == "NOUN" and not candidate.nominal and token.dep_ == "nsubj":
            if not candidate.source:
                # "Fighting broke out between the army and rebels": the phrase on the verb.
                between = _prep_objects([token.head], {"between"})
                candidate.source = self._actors(between, resolver)
            return
        if token.pos_ != "VERB":
            return
        if (
            token.lower_ in self.lex.adjectives
            and _is_passive(token)
            and not agents(token)
            and not candidate.source
        ):
            # "Ukraine is committed to reforming its courts": the adjective (committed,
            # prepared, determined) describes its subject, who commits; it is no act done
            # to the subject, as a passive verb's would be.
            candidate.source = self._actors(subjects(token)[0], resolver)
            codes = {s.code for s in candidate.source if s.code}
            candidate.target = [t for t in candidate.target if t.code not in codes]
        self._ethnic_sources(candidate, resolver)
        if _misread_main_verb(token):
            # "Saudi-led coalition aircraft bombed Houthi positions": the small model can
            # read a sentence's verb as a clause on its subject noun (left as the root); a
            # reduced relative takes no direct object, so this one is the sentence's own
            # verb and the noun (which subjects() returns for it) its subject.
            candidate.own_subject = True
        if not candidate.source and _is_passive(candidate.token):
            self._agent_of_clause(candidate, resolver)
        self._listed_subjects(candidate, resolver)
        if not candidate.source and self._disclaimed(candidate):
            # "Croatia said it had no intention of withdrawing": whoever has no intention.
            noun = candidate.token.head
            noun = noun.head if noun.lower_ == "of" else noun
            candidate.source = self._actors(subjects(noun.head)[0], resolver)
            codes = {s.code for s in candidate.source if s.code}
            candidate.target = [t for t in candidate.target if t.code not in codes]
        # "An Israeli air strike killed …", "Russian shelling hit …": an act as the subject
        # is carried out by the state that marks it, never by the place its "on / against"
        # phrase names ("an air strike on Gaza": Gaza is struck).
        for subject in subjects(candidate.token)[0]:
            lemma = subject.lemma_.lower()
            if lemma not in self.lex.nouns and lemma not in self.lex.verbs:
                continue
            act = self.lex.nouns.get(lemma) or self.lex.nouns.get(subject.lower_)
            if candidate.event == "ASSAULT" and act is not None and act.event == "FIGHT":
                # "Fighting between militias killed 30", "shelling wounded five": the harm
                # is the combat's, not irregular violence.
                candidate.event, candidate.mode = "FIGHT", act.mode
            aimed = {t.i for pobj in _prep_objects([subject], AIMED | {"at"}) for t in pobj.subtree}
            own = [s for s in candidate.source if not self._inside(s, aimed)]
            if own:
                candidate.source = own
                continue
            ref = resolver.resolve_loose(subject)
            candidate.source = [ref] if ref and ref.code and not self._inside(ref, aimed) else []

    def _ethnic_sources(self, candidate: Candidate, resolver: ActorResolver) -> None:
        """ "ethnic Hungarians rallied in the Romanian city of Cluj": a demonym under
        "ethnic" names a people, not a state; its people act for the state of the place
        where they live or act ("ethnic Russians in Estonia"), if named, else for none."""
        doc = candidate.token.doc
        ethnic = [
            s
            for s in candidate.source
            if s.code
            and any(
                t.lower_ == "ethnic"
                for t in doc.char_span(s.start, s.end, alignment_mode="expand") or ()
            )
        ]
        if not ethnic:
            return
        state = None
        for pobj in _prep_objects([*subjects(candidate.token)[0], candidate.token], {"in"}):
            ref = self._actor(pobj, resolver) or resolver.resolve_loose(pobj)
            ref = ref if ref is not None and ref.code else self._state_of(pobj)
            if ref is not None and ref.code:
                state = ref.code
                break
        candidate.source = [
            replace(s, code=state) if any(s is e for e in ethnic) else s for s in candidate.source
        ]

    def _listed_subjects(self, candidate: Candidate, resolver: ActorResolver) -> None:
        """ "Saudi Arabia, the United Arab Emirates, Bahrain and Egypt severed ties": the
        parser can read a list of states as an apposition of the first; a state's
        apposition that names another state (and its conjuncts) is one more subject."""
        codes = {s.code for s in candidate.source if s.code}
        if not codes:
            return
        for subject in subjects(candidate.token)[0]:
            first = resolver.resolve_loose(subject)
            if first is None or first.code not in codes or first.sector is not None:
                continue
            for appos in (c for c in subject.children if c.dep_ == "appos"):
                listed = [resolver.resolve_loose(t) for t in conjuncts(appos)]
                if not all(
                    ref is not None and ref.code and ref.sector is None and ref.code not in codes
                    for ref in listed
                ):
                    continue
                for ref in listed:
                    if ref is not None and ref.code and ref.code not in codes:
                        candidate.source.append(ref)
                        codes.add(ref.code)

    def _actor(self, head: Token, resolver: ActorResolver) -> ActorRef | None:
        found = super()._actor(head, resolver)
        if found is not None and found.code and _backer_only(head, found):
            found = None
        if found is None or not found.code:
            led = self._led_by(head, resolver)
            if led is not None:
                return led
        if found is not None and not found.code and found.sector is not None:
            # "its navy", "their police": a state's organ named by a possessive pronoun is
            # the state of the party the pronoun stands for.
            state = self._possessor(head, resolver)
            return replace(found, code=state) if state else found
        if (found is None or not found.code) and _definite_body(head):
            # "rejecting the bloc's proposal", "the alliance said": a body named by its kind
            # alone is the organisation named last before it.
            body = _earlier_organisation(head, resolver)
            if body is not None:
                end = head.idx + len(head.text)
                return ActorRef(head.text, body.code, body.sector, head.idx, end)
        if found is not None or head.lemma_.lower() not in OWN_STATE_NOUNS:
            return found
        # "his country would never accept", "their government": the state of the person
        # or party the possessive stands for.
        for poss in head.children:
            if poss.dep_ == "poss" and is_pronoun(poss):
                owner = self._pronoun(poss, resolver)
                if owner is not None and owner.code:
                    end = head.idx + len(head.text)
                    return ActorRef(head.doc.text[poss.idx : end], owner.code, "GOV", poss.idx, end)
        return None

    def _possessor(self, head: Token, resolver: ActorResolver) -> str | None:
        """The state code of the party a possessive pronoun on ``head`` stands for."""
        for poss in head.children:
            if poss.dep_ == "poss" and is_pronoun(poss) and poss.lower_ in SELF_PRONOUNS:
                owner = self._pronoun(poss, resolver)
                if owner is not None and owner.code and owner.code not in NON_STATE_CODES:
                    return owner.code
        return None

    def _led_by(self, head: Token, resolver: ActorResolver) -> ActorRef | None:
        """ "the Saudi-led coalition", "a US-led force": a party named as the leader of a
        coalition, force or mission acts for it (CAMEO and PLOVER code the leading state)."""
        for led in head.children:
            if led.dep_ != "amod" or led.lower_ != "led":
                continue
            for leader in led.children:
                if leader.i >= led.i or leader.dep_ not in {"npadvmod", "compound", "nmod"}:
                    continue
                ref = resolver.resolve_loose(leader)
                if ref is not None and ref.code:
                    end = head.idx + len(head.text)
                    text = head.doc.text[leader.idx : end]
                    return ActorRef(text, ref.code, ref.sector, leader.idx, end)
        return None

    def _inside(self, ref: ActorRef, indices: set[int]) -> bool:
        """Whether an actor's words lie among the tokens ``indices``."""
        return any(t.i in indices for t in self._current or () if ref.start <= t.idx < ref.end)

    def _agent_of_clause(self, candidate: Candidate, resolver: ActorResolver) -> None:
        """ "Three soldiers were killed when rebels ambushed their convoy": a harm said in
        the passive without its agent was done by the subject of the violent act its
        when / as / after clause reports."""
        if candidate.event not in VIOLENT:
            return
        for clause in candidate.token.children:
            if clause.dep_ != "advcl" or not any(
                c.dep_ in {"advmod", "mark"} and c.lower_ in {"when", "as", "after", "while"}
                for c in clause.children
            ):
                continue
            if clause.lemma_.lower() not in self.lex.verbs and clause.lemma_.lower() not in (
                self.index.verbs
            ):
                continue
            found = [a for a in self._actors(subjects(clause)[0], resolver) if a.code]
            if found:
                candidate.source = found
                return

    def _targets(
        self,
        verb: Token,
        object_heads: list[Token],
        candidate: Candidate,
        resolver: ActorResolver,
    ) -> list[ActorRef]:
        source_codes = {s.code for s in candidate.source if s.code}
        state_codes = {s.code for s in candidate.source if s.code and s.sector in STATE_SIDE}

        def self_named(ref: ActorRef) -> bool:
            # "Iran warned that Tehran would respond": a state's threat names itself.
            return (
                candidate.event == "THREATEN"
                and ref.code in state_codes
                and self._names_state(ref, resolver)
            )

        # "rolled out of Iraq into Kuwait": a withdrawal is aimed at the place left, not at
        # where the forces go.
        destinations = (
            {p.idx for p in _prep_objects([verb], {"into", "to", "toward", "towards"})}
            if candidate.event == "RETREAT"
            else set()
        )
        found = [
            t
            for t in super()._targets(verb, object_heads, candidate, resolver)
            if t.start not in destinations
            # "Uzbekistan warned it would cut supplies": the source speaking of itself.
            if not (t.code in source_codes and t.text.lower() in SELF_PRONOUNS)
            # "massed tanks and troops on its border": the forces moved are the source's own.
            and not (t.code in source_codes and candidate.event in MOVEMENT_PLACES)
            and not self_named(t)
        ]
        if candidate.event in ATTACKS:
            # "Russian artillery pounded villages near Izium": what is hit, with no state in
            # its own words, took the sentence's nearest state, the attacker's own mark. A
            # state's forces are not their own state's target unless the words say so
            # ("shelled Syrian villages"): where the object lies decides (below), else the
            # target stays unknown. Rebels and militants fight inside their own state.
            found = [
                replace(t, code=None)
                if t.code in state_codes and not self._code_in_words(t, resolver)
                else t
                for t in found
            ]
        if any(t.code for t in found):
            return self._with_conjuncts(found, verb, resolver, source_codes)
        objects = [*object_heads, *(c for c in verb.children if c.dep_ == "dobj")]
        aimed = AIMED | {"for"} if candidate.event in {"SUPPORT", "AID"} else AIMED
        # "fire missiles toward the U.S. territory of Guam": the act's own aim too.
        aimed_pobjs = _prep_objects(objects, aimed) + [
            p for p in _prep_objects([verb], AIMED_AT) if p.i > verb.i
        ]
        for pobj in aimed_pobjs:
            ref = self._actor(pobj, resolver) or resolver.resolve_loose(pobj)
            if ref is not None and ref.code and ref.code not in source_codes:
                found.append(ref)
        if candidate.event == "SUPPORT" and not any(t.code for t in found):
            # "stood by Syria", "sided with Kyiv": the party whose side is taken, named
            # itself (not a party merely mentioned in the phrase, "the UN-backed government").
            for pobj in _prep_objects([verb], SIDING):
                ref = self._actor(pobj, resolver) if pobj.i > verb.i else None
                if ref is not None and ref.code and ref.code not in source_codes:
                    found.append(ref)
        if candidate.event == "CONSULT" and not any(t.code for t in found):
            # "made a stopover in Lahore for talks with his Pakistani counterpart": the party
            # the meeting is with, named on the meeting's own noun.
            nouns = [w for w in candidate.words if w.i != verb.i and w.pos_ == "NOUN"]
            for pobj in _prep_objects(nouns, {"with"}):
                ref = self._actor(pobj, resolver) or resolver.resolve_loose(pobj)
                if ref is not None and ref.code and ref.code not in source_codes:
                    found.append(ref)
        if candidate.event == "DEMAND":
            # "insisted on its demand that the government grant …", "renewed its call for
            # Armenia to withdraw": the subject of the clause the demand's noun carries.
            nouns = [*objects, *_prep_objects([verb], {"on", "in", "with"})]
            for subject in _clause_subjects(nouns):
                ref = self._actor(subject, resolver) or resolver.resolve_loose(subject)
                if ref is not None and ref.code and ref.code not in source_codes:
                    found.append(ref)
        if candidate.event in RESPONSES:
            # "dismissed an appeal from the president", "accepted an offer by Baku": the
            # response is aimed at whoever made what it answers.
            for pobj in _prep_objects(objects, {"from", "by"}):
                ref = self._actor(pobj, resolver) or resolver.resolve_loose(pobj)
                if ref is not None and ref.code and ref.code not in source_codes:
                    found.append(ref)
        if candidate.event == "SANCTION" and not any(t.code for t in found):
            # "banned imports of Moldovan wine", "froze the assets of a Russian tycoon": a
            # measure on goods, trade or property is aimed at their owner or origin.
            for pobj in _prep_objects(objects, {"of"}):
                ref = self._actor(pobj, resolver) or resolver.resolve_loose(pobj)
                if ref is not None and ref.code and ref.code not in source_codes:
                    found.append(ref)
        # "refused to allow OSCE monitors to enter", "allowed Armenian lorries to
        # cross": the subject of the act allowed, forced or asked for, named loosely; not
        # inside a purpose ("stepped down to let the elections go ahead").
        for subject in _complement_subjects(verb) if verb.dep_ != "advcl" else []:
            if is_pronoun(subject):
                continue
            ref = resolver.resolve_loose(subject)
            if ref is None or not ref.code:
                inner = self._actors_in_subtree([subject], resolver, max_depth=2)
                ref = inner[0] if inner else None
            if ref is not None and ref.code and not self_named(ref):
                found.append(ref)
        if any(t.code for t in found):
            return found
        preps = set(MOVEMENT_PLACES.get(candidate.event, ()))
        if candidate.event in MEASURES:
            preps.add("in")
        if not preps:
            return found + self._matter_targets(verb, candidate, resolver)
        # "attacked two hotels and a station in Mumbai": the conjoined objects' places too;
        # "pulled its soldiers out of Congo": the particle's phrase.
        spread = [t for o in objects for t in conjuncts(o)]
        out = [
            c for c in verb.children if c.dep_ in {"prt", "advmod", "prep"} and c.lower_ == "out"
        ]
        pobjs = _prep_objects([verb, *spread], preps)
        if candidate.event in MEASURES:
            # "set off a bomb outside a bank in the city of Quetta": the place of a
            # locative phrase's object.
            # "at a music hall near Moscow": a locative phrase inside one, too.
            pobjs += _prep_objects(
                _prep_objects([verb, *spread], LOCATIVES), {"in"} | LOCATIVES - {"at", "by"}
            )
            # "missile strikes on cities across Ukraine": the place of what the act hits.
            pobjs += _prep_objects(
                _prep_objects(spread, {"on", "against"}), {"in", "across", "throughout"}
            )
        if candidate.event in ATTACKS:
            # "struck dozens of Iranian military targets": what is hit, named in the object's
            # of-phrase, names the party hit.
            for pobj in _prep_objects(spread, {"of"}):
                ref = self._actor(pobj, resolver) or resolver.resolve_loose(pobj)
                if ref is not None and ref.code and ref.code not in source_codes:
                    return [*found, ref]
            # "bombed targets near the Georgian town of Gori", "shelled districts of the
            # city of Kharkiv": else where the object lies, or the place it is part of, is
            # the state hit (the place's state, through the gazetteer).
            pobjs += [
                p
                for p in _prep_objects([verb, *spread], HIT_PLACES) + _prep_objects(spread, {"of"})
                if self._state_of(p) is not None
            ]
        if candidate.event == "RETREAT":
            pobjs += _prep_objects(out, {"of"})
        for pobj in pobjs:
            if pobj.i < verb.i:
                continue  # "In Georgia, the police …": the scene, said before the act
            ref = self._actor(pobj, resolver) or resolver.resolve_loose(pobj)
            ref = ref or self._state_of(pobj)
            if ref is None or not ref.code:
                continue
            if candidate.event in MOVEMENT_PLACES and ref.code in source_codes:
                continue  # "pulled back from positions near Zolote": its own ground
            found.append(ref)
        return found

    def _names_state(
        self, ref: ActorRef, resolver: ActorResolver, kinds: frozenset[str] = STATE_NAMES
    ) -> bool:
        """Whether an actor's words name a state itself (its name, capital or metonym)."""
        doc = self._current.doc if self._current is not None else None
        span = doc.char_span(ref.start, ref.end, alignment_mode="expand") if doc else None
        mention = resolver.mention_at.get(span.root.i) if span is not None else None
        return mention is not None and mention.kind in kinds

    def _code_in_words(self, ref: ActorRef, resolver: ActorResolver) -> bool:
        """Whether a name in the actor's own words carries its code."""
        doc = self._current.doc if self._current is not None else None
        span = doc.char_span(ref.start, ref.end, alignment_mode="expand") if doc else None
        return span is not None and any(
            (mention := resolver.mention_at.get(t.i)) is not None and mention.ref.code == ref.code
            for t in span
        )

    def _names_country(self, ref: ActorRef, resolver: ActorResolver) -> bool:
        return self._names_state(ref, resolver, frozenset({"state"}))

    def _with_conjuncts(
        self,
        found: list[ActorRef],
        verb: Token,
        resolver: ActorResolver,
        source_codes: set[str],
    ) -> list[ActorRef]:
        """ "a joint task force with Chad and Niger": a party found takes the parties
        coordinated with it (the dictionary search stops at the first name of a phrase)."""
        out = list(found)
        doc = verb.doc
        for ref in found:
            span = doc.char_span(ref.start, ref.end, alignment_mode="expand")
            if span is None or not ref.code:
                continue
            for other in conjuncts(span.root)[1:]:
                extra = resolver.resolve(other)
                if (
                    extra is not None
                    and extra.code
                    and extra.code not in source_codes
                    and not any(o.code == extra.code for o in out)
                ):
                    out.append(extra)
        return out

    def _matter_targets(
        self, verb: Token, candidate: Candidate, resolver: ActorResolver
    ) -> list[ActorRef]:
        """The party the matter of a demand, inquiry, agreement or judgement concerns.

        Searched down the verb's object and its matter phrases (for / into / on / to …,
        through the complements it frames): a state, people or organisation named there, by
        name, demonym or possessive ("the Libyan capital", "Venezuela's interim president",
        "the US-led war"); else, for PLACE_MATTERS, the state of a place named there ("the
        deaths of protesters in Bahrain", "the explosion at Beirut port"). The nearest first;
        never the source's own words.
        """
        if candidate.event not in MATTER_TYPES or (
            candidate.event in RECIPROCAL and _joint(candidate.source)
        ):
            # "Zambia and Malawi agreed to reopen their border in a deal brokered by South
            # Africa": what two parties agree on together is aimed at neither, nor at a
            # third party its matter names (a mediator, a place).
            return []
        sources = [(s.start, s.end) for s in candidate.source]
        roots: list[Token] = []
        heads = [verb]
        while heads:
            head = heads.pop(0)
            for child in head.children:
                if child.i < verb.i:
                    continue
                if child.dep_ in {"dobj", "dative", "attr", "oprd"}:
                    roots.extend(conjuncts(child))
                elif child.dep_ == "prep" and child.lower_ in MATTER_PREPS:
                    roots.extend(_prep_objects([head], {child.lower_}))
                elif child.dep_ == "xcomp":
                    heads.append(child)
                elif child.dep_ == "ccomp" and child.lemma_.lower() == "be":
                    # "said the remarks by the Czech speaker were an interference"
                    roots.extend(t for c in subjects(child)[0] for t in conjuncts(c))
        named: list[tuple[int, ActorRef]] = []
        aimed: list[tuple[int, ActorRef]] = []
        placed: list[tuple[int, ActorRef]] = []
        seen: set[int] = set()
        queue = [(root, 0, False) for root in roots]
        while queue:
            token, depth, under_aim = queue.pop(0)
            if token.i in seen or depth > MATTER_DEPTH:
                continue
            seen.add(token.i)
            if any(start <= token.idx < end for start, end in sources):
                continue
            found = self._matter_actor(token, resolver)
            if found is not None:
                kind = placed if found[0] else aimed if under_aim else named
                kind.append((depth, found[1]))
            under_aim = under_aim or (token.dep_ == "prep" and token.lower_ in PATIENT_PREPS)
            queue.extend(
                (c, depth + 1, under_aim) for c in token.children if c.dep_ in MATTER_LINKS
            )
        for tier in (named, aimed):
            if tier:
                nearest = min(depth for depth, _ in tier)
                return _dedupe_codes([ref for depth, ref in tier if depth == nearest])
        if placed and candidate.event in PLACE_MATTERS:
            return [placed[0][1]]
        # Other matters take a country named as a place ("the force in Lebanon"), never a
        # town, where talks or signings are held.
        states = [ref for _, ref in placed if self._names_country(ref, resolver)]
        return states[:1]

    def _matter_actor(self, token: Token, resolver: ActorResolver) -> tuple[bool, ActorRef] | None:
        """(is a place, the actor) that a token of a matter's phrase names, if any."""
        if is_pronoun(token):
            return None  # "the detention of its nationals": the speaker's own
        mention = resolver.mention_at.get(token.i)
        place = token.head.dep_ == "prep" and token.head.lower_ in PLACE_PREPS
        if mention is not None and mention.ref.code and mention.kind != "place":
            if mention.head != token.i and token.dep_ not in {"poss", "amod", "compound"}:
                return None  # the mention is counted at its head or its marking word
            is_place = mention.kind == "capital" or (place and mention.kind == "state")
            return is_place, mention.ref
        if token.pos_ in {"PROPN", "NOUN"} and (ref := self._place_state(token)) is not None:
            return True, ref
        if mention is None and _definite_body(token):
            body = _earlier_organisation(token, resolver)
            return (False, body) if body is not None else None
        return None

    def _place_state(self, token: Token) -> ActorRef | None:
        """The state of the gazetteer place a token is part of."""
        for place in self._places:
            if place.start <= token.idx < place.end and (code := alpha3(place.country)):
                return ActorRef(place.text, code, None, place.start, place.end)
        return None

    def _state_of(self, head: Token) -> ActorRef | None:
        """The state of the gazetteer place a phrase names ("in the city of Tomsk": RUS)."""
        for token in head.subtree:
            if (ref := self._place_state(token)) is not None:
                return ref
        return None

    def _infer_missing_codes(
        self, candidate: Candidate, sent: Span, resolver: ActorResolver
    ) -> None:
        super()._infer_missing_codes(candidate, sent, resolver)
        if candidate.event not in CONDITIONAL_TYPES:
            return
        # "would strike Israel if Israel launched a war on Lebanon": whom the condition's own
        # act is aimed at is not whom the threat is; the condition's subject is.
        inside = {t.idx for clause in _conditions(candidate.token) for t in clause.subtree}
        coded = [t for t in candidate.target if t.code]
        if coded and all(t.start in inside for t in coded):
            candidate.target = [t for t in candidate.target if t.start not in inside]
        if any(t.code for t in candidate.target):
            return
        source_codes = {s.code for s in candidate.source if s.code}
        aimed = [
            ref
            for ref in self._actors(_condition_subjects(candidate.token), resolver)
            if ref.code and ref.code not in source_codes
        ]
        if aimed:
            candidate.target = [*candidate.target, *aimed]

    # --- triggers ----------------------------------------------------------------------

    def _trigger(self, token: Token) -> Candidate | None:
        found = super()._trigger(token)
        if token.pos_ == "VERB":
            death = _to_death(token)
            if death is not None and (found is None or found.event not in ATTACKS):
                # "beaten / burned / hacked / stoned to death": a killing (PLOVER ASSAULT),
                # whatever else the verb means ("burned", "stoned", "set ablaze").
                return Candidate(token, "ASSAULT", None, None, NAMED_OBJECT, [token, death])
            if found is not None:
                self._named_act(found, token)
        if found is not None and found.event == "COERCE" and token.lemma_.lower() in SEARCHES:
            # "searched the home of the former president in an inquiry into …", "raided
            # the offices as part of a corruption investigation": a search made for an
            # inquiry is the investigation (PLOVER INVESTIGATE, CAMEO 09).
            inquiry = _inquiry_of(token)
            if inquiry is not None:
                found.event, found.mode, found.context = "INVESTIGATE", None, "legal"
                found.words.append(inquiry)
        if found is None and token.pos_ == "NOUN":
            return self._verbal_noun(token)
        if found is None and token.pos_ == "VERB":
            found = (
                self._ultimatum(token)
                or self._in_protest(token)
                or self._for_talks(token)
                or self._crowd_call(token)
            )
        if found is None and token.i in self._wordnet_words:
            # The WordNet fallback: the nearest listed verb that makes an event here.
            for verb in self._wordnet_words[token.i]:
                found = self._verb_trigger(token, verb)
                if found is not None:
                    break
        return found

    def _named_act(self, found: Candidate, token: Token) -> None:
        """Acts a verb's object or purpose names beyond the verb's own type: a body named
        for an inquiry ("set up a commission of inquiry") is the inquiry (PLOVER
        INVESTIGATE, CAMEO 09); a person handed to another state "to stand trial / to face
        charges" is judicial cooperation (PLOVER COOPERATE, CAMEO 063), not an expulsion."""
        for body in (c for c in token.children if c.dep_ in {"dobj", "nsubjpass"}):
            if body.lemma_.lower() not in INQUIRY_BODIES:
                continue
            for act in _prep_objects([body], {"of"}):
                if act.lemma_.lower() in INQUIRIES and found.event != "INVESTIGATE":
                    found.event, found.mode, found.context = "INVESTIGATE", None, "legal"
                    found.words.append(act)
                    return
        if found.event in {"COERCE", "RETREAT", "CONCEDE", "SANCTION"} and any(
            k in TRANSFERS for k in _lemma_keys(token, token.lemma_.lower())
        ):
            for clause in token.children:
                if clause.dep_ not in {"advcl", "xcomp"} or clause.lemma_.lower() not in {
                    "face",
                    "stand",
                }:
                    continue
                if any(
                    c.lemma_.lower() in TRIAL_WORDS or c.lower_ in TRIAL_WORDS
                    for c in clause.children
                    if c.dep_ in {"dobj", "attr", "npadvmod", "advmod", "prep"}
                ):
                    found.event, found.mode, found.context = "COOPERATE", None, "legal"
                    found.words.append(clause)
                    return

    def _for_talks(self, token: Token) -> Candidate | None:
        """ "made a stopover in Lahore for talks with Sharif", "sat down for peace talks":
        an act with no type of its own done for a meeting is the consultation (PLOVER
        CONSULT; CAMEO 04, travelling to meet). Needs a coded party, like a default."""
        heads = [token, *(c for c in token.children if c.dep_ == "dobj")]
        for pobj in _prep_objects(heads, {"for"}):
            entry = self.lex.nouns.get(pobj.lower_) or self.lex.nouns.get(pobj.lemma_.lower())
            if entry is not None and entry.event == "CONSULT":
                self._from_default.add(token.i)
                return Candidate(token, "CONSULT", entry.mode, None, BARE, [token, pobj])
        return None

    def _in_protest(self, token: Token) -> Candidate | None:
        """ "walked out of parliament in protest at the vote": an act with no type of its
        own done "in protest" is a protest (PLOVER PROTEST; CAMEO 14). Needs a coded party,
        like a default."""
        for pobj in _prep_objects([token], {"in"}):
            # "in protest", "in a nationwide strike" (a protest noun of the lexicon); not
            # "in the protests", where the act only happened.
            noun = self.lex.nouns.get(pobj.lemma_.lower())
            if (
                pobj.lemma_.lower() in {"protest", "protests"}
                or (noun is not None and noun.event == "PROTEST")
            ) and not any(c.dep_ == "det" and c.lower_ not in {"a", "an"} for c in pobj.children):
                self._from_default.add(token.i)
                return Candidate(token, "PROTEST", None, None, BARE, [token, pobj])
        return None

    def _ultimatum(self, token: Token) -> Candidate | None:
        """ "said it would resume nuclear tests unless Washington dropped its policy": a
        party's future act made to depend on another's compliance is a threat (PLOVER
        THREATEN, CAMEO 13 ultimatum) whatever the act, typed or not. Like a default, it
        needs a coded source or target (v1's framing makes typed acts ultimatums already)."""
        if not modal_words(token) & {"will", "would", "'ll", "shall"}:
            return None
        for clause in _condition_clauses(token):
            if inverted_condition(clause):
                self._from_default.add(token.i)
                return Candidate(token, "THREATEN", None, None, BARE, [token, clause.left_edge])
            mark = next((c for c in clause.children if c.dep_ == "mark"), None)
            if mark is None:
                continue
            # "would take countermeasures if Manila kept sending ships": an untyped act
            # made to hang on what another party does is a warning too (CAMEO 13); "if
            # necessary", with no party of its own, is no condition set on anyone.
            if mark.lower_ == "unless" or (
                mark.lower_ == "if"
                and any(c.dep_ in {"nsubj", "nsubjpass"} for c in clause.children)
            ):
                self._from_default.add(token.i)
                return Candidate(token, "THREATEN", None, None, BARE, [token, mark])
        return None

    def _noun_trigger(self, token: Token, lemma: str) -> Candidate | None:
        """v1's event nouns as subjects of "take place / begin / continue …", and of the
        verbs that report an outbreak ("fighting broke out", "clashes erupted", "protests
        spread"): the noun is the event, the verb only says that it happened."""
        found = super()._noun_trigger(token, lemma)
        head = token.head
        if (
            found is not None
            or token.dep_ != "nsubj"
            or head.pos_ != "VERB"
            or not any(
                key in HAPPENING or f"{key} {particle(head) or ''}".strip() in HAPPENING
                for key in _lemma_keys(head, head.lemma_.lower())
            )
        ):
            return found
        entry = self.lex.nouns[lemma]
        return Candidate(token, entry.event, entry.mode, None, 1, [token, head])

    def _verbal_noun(self, token: Token) -> Candidate | None:
        """ "resumed intelligence sharing": the noun's verb, the governing verb's actors."""
        head = token.head
        if (
            token.dep_ != "dobj"
            or not token.lower_.endswith("ing")
            or head.lemma_.lower() not in ASPECT
        ):
            return None
        lemma = next((k for k in _lemma_keys(token, token.lower_) if k in self.lex.verbs), None)
        if lemma is None:
            return None
        modifiers = [c for c in token.children if c.dep_ in {"compound", "amod"}]
        words = {w for c in modifiers for w in (c.lower_, c.lemma_.lower())}
        best = None
        for entry in self.lex.verbs[lemma]:
            if entry.particle is not None:
                continue
            if entry.objects is None and best is None:
                best = entry
            elif entry.objects and entry.objects & words:
                best = entry
                break
        if best is None:
            return None
        found = Candidate(
            token,
            best.event,
            best.mode,
            best.context,
            best.specificity(),
            [head, *modifiers, token],
        )
        found.nominal = True
        return found

    def _object_words(self, verb: Token) -> tuple[set[str], list[Token]]:
        """v1's object words, less the phrases of circumstance ("suspended lending over a
        new law": the law is the reason, not the object), with hyphenated words whole
        ("sit-in", which the tokenizer splits)."""
        words, tokens = _object_words(verb, CIRCUMSTANCE)
        # "handed in their weapons": the parser hangs the object on the particle.
        for particle_token in (c for c in verb.children if c.dep_ == "prt"):
            for pobj in (c for c in particle_token.children if c.dep_ == "pobj"):
                tokens.append(pobj)
                words |= {pobj.lower_, pobj.lemma_.lower()}
        words |= {
            f"{t.nbor(-2).lower_}-{t.lower_}"
            for t in tokens
            if t.i >= 2 and t.nbor(-1).text == "-" and not t.nbor(-1).whitespace_
        }
        # "flew search and rescue teams and field hospitals": every coordinated object, and
        # the coordinated modifiers of one, is an object.
        for obj in (c for c in verb.children if c.dep_ == "dobj"):
            for item in conjuncts(obj)[1:]:
                for word in _with_compounds(item):
                    tokens.append(word)
                    words |= {word.lower_, word.lemma_.lower()}
            for modifier in (c for c in obj.children if c.dep_ in {"nmod", "compound", "amod"}):
                for item in conjuncts(modifier)[1:]:
                    tokens.append(item)
                    words |= {item.lower_, item.lemma_.lower()}
        # "sent a ship carrying food and medicine", "trucks loaded with fuel": a vehicle
        # sent stands for its cargo.
        for obj in (c for c in verb.children if c.dep_ == "dobj"):
            for acl in (c for c in obj.children if c.dep_ == "acl" and c.lemma_ in CARGO):
                cargo = [c for c in acl.children if c.dep_ == "dobj"]
                for head in [*cargo, *_prep_objects([acl], {"with"})]:
                    for item in conjuncts(head):
                        tokens.append(item)
                        words |= {item.lower_, item.lemma_.lower()}
        # "gave 50 million dollars in emergency relief": an amount in a kind names the kind.
        for obj in (c for c in verb.children if c.dep_ == "dobj"):
            if any(c.dep_ == "nummod" or c.like_num for c in obj.children):
                for pobj in _prep_objects([obj], {"in"}):
                    tokens.append(pobj)
                    words |= {pobj.lower_, pobj.lemma_.lower()}
        # "staged a sit-in outside army headquarters": the parser can split a hyphenated
        # object and hang its first half on the next noun as a modifier.
        for token in list(tokens):
            for child in token.children:
                if (
                    child.dep_ in {"nmod", "compound", "amod"}
                    and child.i + 2 < len(child.doc)
                    and child.nbor(1).text == "-"
                    and not child.whitespace_
                    and not child.nbor(1).whitespace_
                ):
                    words.add(f"{child.lower_}-{child.nbor(2).lower_}")
                    tokens.append(child)
        return words, tokens

    def _direct_words(self, verb: Token) -> frozenset[str]:
        """ "launched an inquiry into abuses … in the last years of the civil war": of two
        entries matched on as many words, the one matched on the verb's own object (and
        the words it is compounded with) wins over one matched in a phrase further down."""
        heads = [c for c in verb.children if c.dep_ in {"dobj", "nsubjpass", "attr"}]
        tokens = [t for head in heads for t in (head, *head.children) if t.dep_ != "prep"]
        return frozenset(w for t in tokens for w in (t.lower_, t.lemma_.lower()))

    def _verb_trigger(self, token: Token, lemma: str) -> Candidate | None:
        demand = self._demand_frame(token, lemma) or self._responsibility(token, lemma)
        if demand is not None:
            return demand
        expulsion = self._expulsion(token, lemma)
        if expulsion is not None:
            return expulsion
        verdict = self._characterization(token, lemma)
        if verdict is not None:
            return verdict if isinstance(verdict, Candidate) else None
        # "backed down", "wound up": a phrase the CAMEO dictionary lists as a verb of its
        # own is not its base verb; our lexicon decides only where it lists the phrase.
        phrase = self._cameo_phrase(token, lemma)
        own = None if phrase is not None else super()._verb_trigger(token, lemma)
        if (
            own is None
            and phrase is None
            and lemma.startswith("re")
            and lemma not in self.lex.verbs
        ):
            # "reopened the crossing", "reimposed the curfew": the verb's entries again.
            base = lemma[3:] if lemma.startswith("re-") else lemma[2:]
            own = super()._verb_trigger(token, base) if base in self.lex.verbs else None
        if own is not None and own.specificity >= NAMED_OBJECT:
            return own
        if lemma in REJECTING and any(c.dep_ == "xcomp" for c in token.children):
            return Candidate(token, "REJECT", None, None, NAMED_OBJECT, [token])
        placed = self._placed_under(token, lemma)
        if placed is not None:
            return placed
        nominal = self._support_verb(token, lemma)
        if nominal is not None:
            return nominal
        if own is not None:
            return own
        if phrase is None and (lemma in NOT_TRIGGERS or lemma in self.lex.speech_verbs):
            return None  # a light verb; its CAMEO phrases ("get together") are verbs
        if lemma in self.lex.content_takers and lemma not in self.lex.verbs:
            return None  # "plans to send troops": the sending is the event
        if lemma in DECIDING and any(c.dep_ in {"xcomp", "ccomp"} for c in token.children):
            return None  # "voted to lift the curfew": the lifting is the event
        noun = self._event_noun_object(token, lemma)
        if noun is not None:
            return noun
        entry = self._entering(token, lemma)
        if entry is not None:
            return entry
        return self._cameo_trigger(token, lemma)

    def _expulsion(self, token: Token, lemma: str) -> Candidate | None:
        """ "ordered the French ambassador to leave the country", "gave the envoys 72 hours to
        leave": ordering another party out is an expulsion (CAMEO 166, PLOVER SANCTION); a
        party ordering its own forces out withdraws them (see ``_keep``)."""
        if lemma not in ORDERING:
            return None
        ultimatum = self._time_given(token)
        if ultimatum is not None:
            return ultimatum
        ordered = [c for c in token.children if c.dep_ in {"dobj", "dative"}]
        for clause in token.children:
            if clause.dep_ in {"xcomp", "ccomp", "advcl"} and clause.lemma_.lower() in LEAVING:
                ordered += [c for c in clause.children if c.dep_ in {"nsubj"}]
                if ordered:
                    self._expelled.add(token.i)
                    return Candidate(token, "SANCTION", None, None, NAMED_OBJECT, [token, clause])
        return None

    def _time_given(self, token: Token) -> Candidate | None:
        """ "gave the rebels 72 hours to surrender", "gave Kyiv a week to respond": a time
        given to another party to act is an ultimatum (CAMEO 139, PLOVER THREATEN) aimed at
        that party; a time given to leave stays an expulsion (see ``_expulsion``)."""
        given = [c for c in token.children if c.dep_ == "dative"]
        time = [
            c for c in token.children if c.dep_ == "dobj" and c.lower_ in TIME_GIVEN
            and any(n.dep_ == "nummod" or n.like_num or n.dep_ == "det" for n in c.children)
        ]  # fmt: skip
        act = [
            c for c in token.children
            if c.dep_ in {"xcomp", "advcl"} and c.pos_ == "VERB" and c.lemma_.lower() not in LEAVING
            and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
        ]  # fmt: skip
        if not (given and time and act) or any(
            c.dep_ == "poss" and is_pronoun(c) for g in given for c in g.children
        ):
            return None  # "gave his ministers two weeks": no ultimatum to one's own people
        self._from_default.add(token.i)  # like a default, it needs a coded party
        return Candidate(token, "THREATEN", None, None, NAMED_OBJECT, [token, *time])

    def _cameo_phrase(self, token: Token, lemma: str) -> tuple[str, Token] | None:
        """The CAMEO multi-word verb ("back down", "get together") that the verb forms with
        its particle or a completing adverb, where our lexicon does not list that phrase
        (the lexicon, written for PLOVER, keeps the phrases it lists: "pull out")."""
        if token.pos_ != "VERB":
            return None
        keys = _lemma_keys(token, lemma)
        for word in token.children:
            if not (
                word.dep_ == "prt"
                or (word.dep_ == "advmod" and word.i > token.i and word.lower_ in PHRASE_ADVERBS)
            ):
                continue
            phrase = next(
                (f"{k} {word.lower_}" for k in keys if f"{k} {word.lower_}" in self.index.verbs),
                None,
            )
            if phrase is None:
                return None
            if any(e.particle == word.lower_ for k in keys for e in self.lex.verbs.get(k, ())):
                return None
            return phrase, word
        return None

    def _placed_under(self, token: Token, lemma: str) -> Candidate | None:
        """ "placed the president under investigation", "put the town under curfew": a
        measure a party is put under is the act of that measure (its event noun, or the verb
        its noun of action derives from)."""
        if lemma not in PLACING:
            return None
        for pobj in _prep_objects([token], {"under"}):
            noun = self.lex.nouns.get(pobj.lemma_.lower()) or self.lex.nouns.get(pobj.lower_)
            if noun is not None:
                return Candidate(token, noun.event, noun.mode, None, NAMED_OBJECT, [token, pobj])
            entry = self._nominal_entry(pobj)
            if entry is not None:
                return Candidate(
                    token, entry.event, entry.mode, entry.context, NAMED_OBJECT, [token, pobj]
                )
        return None

    def _crowd_call(self, token: Token) -> Candidate | None:
        """ "Tens of thousands of Sri Lankans thronged the residence, demanding that he
        resign": a crowd's act with no type of its own, done calling for something, is a
        demonstration (PLOVER PROTEST, CAMEO 141), not only the demand it voices. Needs a
        coded party, like a default."""
        crowd = any(
            s.lemma_.lower() in CROWDS | MULTITUDES or s.lower_ in CROWDS | MULTITUDES
            for s in token.children
            if s.dep_ == "nsubj"
        )
        if not crowd:
            return None
        for clause in token.children:
            if (
                clause.dep_ in {"advcl", "xcomp"}
                and clause.tag_ == "VBG"
                and clause.lemma_.lower() in CROWD_CALLS
            ):
                self._from_default.add(token.i)
                return Candidate(token, "PROTEST", None, None, BARE, [token, clause])
        return None

    def _support_verb(self, token: Token, lemma: str) -> Candidate | None:
        """ "completed its investigation", "undertook a mediation mission", "began the
        withdrawal": a verb of doing or aspect whose object is the noun of an act stands
        for that act (the noun's verb, by its derivation, with its bare lexicon type)."""
        if lemma not in SUPPORT_VERBS:
            return None
        for child in token.children:
            if child.dep_ != "dobj":
                continue
            nouns = [*(c for c in child.children if c.dep_ == "compound"), child]
            kinds: list[Token] = []
            if any(c.dep_ == "nummod" or c.like_num for c in (child, *child.children)):
                # "announced $800 million in military aid": an amount in a kind names the kind.
                kinds = _prep_objects([child], {"in"})
            for kind in kinds:
                entry = next(
                    (e for e in self.lex.verbs.get(kind.lemma_.lower(), ()) if e.objects is None),
                    None,
                )  # "aid", a verb of its own
                if entry is not None and not entry.particle:
                    return Candidate(
                        token, entry.event, entry.mode, entry.context, NAMED_OBJECT, [token, kind]
                    )
            for noun in (*nouns, *kinds):
                # "ordered the deployment of troops": the noun's own object counts as the
                # derived verb's ("deploy + troops").
                of_words = {
                    w for o in _prep_objects([noun], {"of"}) for t in _with_compounds(o)
                    for w in (t.lower_, t.lemma_.lower())
                }  # fmt: skip
                entry = self._nominal_entry(noun, of_words)
                if entry is not None:
                    return Candidate(
                        token, entry.event, entry.mode, entry.context, NAMED_OBJECT,
                        [token, noun],
                    )  # fmt: skip
        return None

    def _nominal_entry(
        self, noun: Token, objects: frozenset[str] | set[str] = frozenset()
    ) -> TriggerEntry | None:
        """The bare lexicon entry of the verb a noun of action derives from, else one whose
        object list the noun's own object (``objects``) is on."""
        word = noun.lower_
        for suffix, replacements in NOMINAL_SUFFIXES:
            if not word.endswith(suffix) or len(word) <= len(suffix) + 2:
                continue
            for replacement in replacements:
                verb = word[: -len(suffix)] + replacement
                entries = [e for e in self.lex.verbs.get(verb, ()) if not e.particle]
                entry = next((e for e in entries if e.objects is None), None) or next(
                    (e for e in entries if e.objects and e.objects & objects), None
                )
                if entry is not None:
                    return entry
        return None

    def _entering(self, token: Token, lemma: str) -> Candidate | None:
        """ "Chadian troops entered Mali", "tanks crossed into Georgia": armed forces
        entering a named place (MOBILIZE, CAMEO 15x); kept only for an armed source."""
        if lemma not in ENTERING:
            return None
        out = [
            c for c in token.children if c.dep_ in {"prt", "advmod", "prep"} and c.lower_ == "out"
        ]
        left = [
            t
            for t in (*_prep_objects(out, {"of"}), *_prep_objects([token], {"from"}))
            if any(p.start <= t.idx < p.end for p in self._places)
        ]
        if left:
            # "the brigade rolled out of Iraq into Kuwait": forces leaving a place withdraw
            # from it (CAMEO 0874, RETREAT), wherever they go.
            self._armed_only.add(token.i)
            return Candidate(token, "RETREAT", None, "military", NAMED_OBJECT, [token, *left])
        places = [
            t
            for t in (
                *(c for c in token.children if c.dep_ == "dobj"),
                *_prep_objects([token], {"into"}),
            )
            if any(p.start <= t.idx < p.end for p in self._places)
        ]
        if not places:
            return None
        self._armed_only.add(token.i)
        return Candidate(token, "MOBILIZE", "troops", "military", NAMED_OBJECT, [token, *places])

    def _demand_frame(self, token: Token, lemma: str) -> Candidate | None:
        """ "called on Libya to halt attacks", "urged X to", "demanded that": a DEMAND.

        The demanded act is the demand's content (v1's framing absorbs it); the verb's own
        object lists ("call a halt") do not apply to a clausal complement.
        """
        if lemma in DIRECTING and _directive(token):
            # "told Burundi's government to accept the force": telling a party to act is a
            # demand (CAMEO 10), as "called on … to" is; the act told is its content.
            return Candidate(token, "DEMAND", None, None, NAMED_OBJECT, [token])
        part = particle(token)
        preps = {c.lower_ for c in token.children if c.dep_ == "prep"}
        if not any(c.dep_ in {"xcomp", "ccomp"} for c in token.children):
            return self._call_for(token, lemma, preps)
        for entry in self.lex.verbs.get(lemma, ()):
            if entry.event != "DEMAND" or entry.objects:
                continue
            if (
                entry.particle is not None
                and entry.particle != part
                and entry.particle not in preps
            ):
                continue
            words = [token]
            if entry.particle is not None:
                words.extend(
                    c
                    for c in token.children
                    if c.dep_ in {"prt", "prep"} and c.lower_ == entry.particle
                )
            return Candidate(token, "DEMAND", entry.mode, entry.context, NAMED_OBJECT, words)
        return None

    def _call_for(self, token: Token, lemma: str, preps: set[str]) -> Candidate | None:
        """ "called for a halt to the fighting", "called for an immediate ceasefire": a
        phrase verb of demanding ("call for") with its object is a DEMAND, whatever the
        object's own type ("call a ceasefire" declares one, "call for" one demands it)."""
        if any(c.dep_ == "dobj" for c in token.children):
            return None
        for entry in self.lex.verbs.get(lemma, ()):
            if entry.event == "DEMAND" and not entry.objects and entry.particle in preps:
                words = [token, *(c for c in token.children if c.lower_ == entry.particle)]
                return Candidate(token, "DEMAND", entry.mode, entry.context, NAMED_OBJECT, words)
        return None

    def _responsibility(self, token: Token, lemma: str) -> Candidate | None:
        """ "Al-Shabaab claimed responsibility for the bombing": the bombing, by them."""
        if lemma not in RESPONSIBILITY:
            return None
        for duty in token.children:
            if duty.dep_ != "dobj" or duty.lemma_.lower() != "responsibility":
                continue
            for act in _prep_objects([duty], {"for"}):
                key = act.lemma_.lower()
                noun = self.lex.nouns.get(key)
                if noun is not None:
                    return Candidate(token, noun.event, noun.mode, None, NAMED_OBJECT, [token, act])
                bare = next((e for e in self.lex.verbs.get(key, ()) if e.objects is None), None)
                if bare is not None:
                    return Candidate(token, bare.event, bare.mode, None, NAMED_OBJECT, [token, act])
        return None

    def _violence_type(self, candidate: Candidate, news: NewsDoc, sent: Span) -> None:
        if candidate.event == "ASSAULT" and candidate.token.lemma_.lower() in ONE_SIDED:
            # Beating, torturing, abducting, executing: PLOVER ASSAULT whoever does it to
            # whom, never combat between armed parties.
            return
        super()._violence_type(candidate, news, sent)
        sources = {s.sector for s in candidate.source}
        if (
            candidate.event == "ASSAULT"
            and candidate.token.lemma_.lower() in GENERIC_ATTACK
            and "MIL" in sources
            and all(self._military_target(t, news) for t in candidate.target)
        ):
            mode = candidate.mode if candidate.mode != "violence" else None
            candidate.event, candidate.mode = "FIGHT", mode
        if (
            candidate.event == "FIGHT"
            and candidate.token.pos_ == "VERB"
            # someone does it ("artillery fire killed 46 civilians" stays combat) …
            and candidate.source
            # … and no state's forces
            and not any(s.code and s.sector in {"MIL", "GOV", None} for s in candidate.source)
            and self._civilian_objects(
                candidate, places_only=any(s.sector == "MIL" for s in candidate.source)
            )
        ):
            # Violence by no state's forces on civilians or their places: PLOVER ASSAULT
            # (unconventional violence), not combat, whatever weapon the text names.
            candidate.event, candidate.mode = "ASSAULT", None

    def _civilian_objects(self, candidate: Candidate, *, places_only: bool = False) -> bool:
        """Whether a violent act is aimed only at civilians or civilian places: its objects
        and the objects of its at / on phrases ("opened fire on a bus carrying pilgrims",
        "struck churches and hotels"). ``places_only`` for an unnamed armed force: the
        civilians it kills may be victims of combat ("artillery fire killed 46 civilians"),
        the churches and markets it strikes are targets chosen."""
        kinds = CIVILIAN_PLACES if places_only else CIVILIAN_PLACES | CIVILIANS
        verb = candidate.token
        objects = [t for c in verb.children if c.dep_ == "dobj" for t in conjuncts(c)]
        objects += _prep_objects([verb], {"at", "on", "upon"})
        means = {t.i for t in candidate.words}  # "opened fire": the fire is the means
        objects = [
            t
            for t in objects
            if t.i not in means
            and t.ent_type_ not in {"DATE", "TIME"}
            and t.lower_ not in TIME_WORDS  # "on Easter Sunday": when, not whom
        ]
        return bool(objects) and all(t.lemma_.lower() in kinds for t in objects)

    def _military_target(self, target: ActorRef, news: NewsDoc) -> bool:
        """An armed party, or a place or state: what conventional force is aimed at."""
        if target.sector is not None:
            return target.sector in ARMED_SECTORS
        resolver = news.scratch.get("resolver")
        if news.doc is None or not isinstance(resolver, ActorResolver):
            return False
        span = news.doc.char_span(target.start, target.end, alignment_mode="expand")
        mention = resolver.mention_at.get(span.root.i) if span is not None else None
        return mention is not None and mention.kind in {"state", "place", "capital"}

    def _event_noun_object(self, token: Token, lemma: str) -> Candidate | None:
        """ "enforced a general strike", "organised a sit-in": a verb the lexicon does not
        list with this object takes the type of the event noun it governs."""
        if lemma in ENDING:
            return None
        for child in token.children:
            if child.dep_ != "dobj":
                continue
            entry = self.lex.nouns.get(child.lemma_.lower()) or self.lex.nouns.get(child.lower_)
            # Only acts a verb can carry out by organising them; "mourned the killings",
            # "survived the bombing" are no acts of violence by their subject.
            if entry is not None and entry.event in CARRIED_NOUNS:
                return Candidate(token, entry.event, entry.mode, None, NAMED_OBJECT, [token, child])
        return None

    def _frame_content_takers(
        self, candidates: list[Candidate], by_token: dict[int, Candidate]
    ) -> None:
        """ "vowed to deepen their partnership" is a promise (AGREE); "vowed to retaliate"
        stays a threat: a verb of vowing takes the side of what it vows."""
        for candidate in candidates:
            if candidate.event != "THREATEN" or candidate.token.lemma_.lower() not in VOWING:
                continue
            inner = [
                by_token[t.i]
                for c in _complements(candidate.token)
                for t in (c, *c.children)
                if t.i in by_token and by_token[t.i] is not candidate
            ]
            if inner and all(i.event in COOPERATIVE for i in inner):
                candidate.event = "AGREE"
        super()._frame_content_takers(candidates, by_token)

    def _dyad(self, subject_heads: list[Token]) -> bool:
        """ "Israeli and Palestinian negotiators met": one phrase names both sides, joint
        sources; "Israel and Jordan met" (two subjects) is a dyad, as v1 codes it."""
        return len(subject_heads) > 1

    def _keep(self, candidate: Candidate) -> bool:
        if candidate.token.i in self._armed_only and not any(
            s.sector in ARMED_SECTORS for s in candidate.source
        ):
            return False  # "the president entered Mali" is no deployment
        if candidate.token.i in self._from_default and not any(
            a.code for a in (*candidate.source, *candidate.target)
        ):
            # CAMEO's verb lists are WordNet synonym sets, many-sensed: as in PETRARCH, a verb
            # coded by its block's default alone is an event only between coded actors.
            return False
        if self._disclaimed(candidate):
            # "said it had no intention of withdrawing", "has no plans to send troops": an
            # act disclaimed is negated (a cooperative one is REJECT, v1's framing).
            candidate.negated = True
            candidate.own_subject = True
        if _embedded(candidate.token) and not candidate.own_subject and not candidate.reported:
            # "the opportunity to develop and expand": a conjunct shares its head's place.
            return False
        if (
            candidate.token.head.i in self._expelled
            and candidate.token.head.i != candidate.token.i
            and candidate.token.dep_ != "conj"
        ):
            return False  # the leaving ordered is the expulsion's content
        if candidate.token.i in self._expelled:
            source = {s.code for s in candidate.source if s.code}
            target = {t.code for t in candidate.target if t.code}
            ordered = [
                w
                for w in (
                    *candidate.token.children,
                    *(t for c in candidate.token.children for t in c.children),
                )
                if w.dep_ in {"dobj", "dative"}
                or (w.dep_ == "nsubj" and w.head.i != candidate.token.i)
            ]
            own = (
                target <= source
                if target
                else any(t.sector in ARMED_SECTORS for t in candidate.target)
                or any(c.dep_ == "poss" and is_pronoun(c) for w in ordered for c in w.children)
            )
            if own:
                # "ordered its troops to leave the town": a withdrawal of its own.
                candidate.event, candidate.context = "RETREAT", "military"
        before = candidate.event
        keep = super()._keep(candidate)
        if before == "SUPPORT" and candidate.event == "AGREE":
            # "said it would stand by Azerbaijan", "will back the bid": support is a stance
            # stated, and stating it is the act (PLOVER SUPPORT, CAMEO 05x); v1's promise
            # rule is for acts still to be done ("will release", "will allow").
            candidate.event = before
        if before in {"SANCTION", "COERCE"} and self._announced(candidate):
            # "announced it would freeze the assets", "decided to expel the envoys": a measure
            # decided and made public is the measure (planned), not a threat; an ultimatum
            # ("… unless …") stays one.
            candidate.event = before
        elif keep and (self._hostile_intent(candidate) or self._conditional_force(candidate)):
            # PLOVER THREATEN: a hostile act a party says it will or could carry out, "would
            # shell rebel positions if …", "said it could block shipping": not the act itself.
            candidate.event = "THREATEN"
            candidate.confidence_delta -= 0.05
        sectors = {s.sector for s in candidate.source}
        if (
            keep
            and candidate.event == "COERCE"
            and candidate.mode not in {"arrest", "curfew", "martial-law", "censor"}
            and sectors
            and sectors <= PROTESTERS
        ):
            # Coercion is what authorities do; civilians blocking roads protest (PLOVER
            # PROTEST, mode obstruct).
            candidate.event, candidate.mode = "PROTEST", "obstruct"
        if (
            keep
            and candidate.event in {"FIGHT", "ASSAULT"}
            and sectors
            and sectors <= UNARMED
            and candidate.token.lemma_.lower() in OBSTRUCTING
            and any(h.lemma_.lower() in CIVILIANS for h in subjects(candidate.token)[0])
        ):
            # Demonstrators occupying an airport or students storming a building wage no
            # war: PLOVER PROTEST (obstruction). A people named by its demonym ("Bosnian
            # Serbs shelled …") is a party to the war, not a crowd.
            candidate.event, candidate.mode = "PROTEST", "obstruct"
        if (
            keep
            and candidate.event == "FIGHT"
            and candidate.token.lemma_.lower() in CLASHING
            and any(h.lemma_.lower() in CIVILIANS | CROWDS for h in subjects(candidate.token)[0])
            and not sectors & (ARMED_SECTORS | {"GOV"})
        ):
            # Demonstrators or students clashing with police riot (PLOVER PROTEST, mode
            # riot; ACLED's riots): a crowd is no armed party to a battle.
            candidate.event, candidate.mode = "PROTEST", "riot"
        if (
            keep
            and candidate.event in {"FIGHT", "ASSAULT"}
            and sectors & AUTHORITIES
            and _aimed_at_crowd(candidate.token)
        ):
            # Police or troops firing on or beating demonstrators: violent repression, CAMEO
            # 175, which the 2016-2019 types code as COERCE.
            candidate.event, candidate.mode = "COERCE", "repression"
        if (
            keep
            and candidate.token.lemma_.lower() == "boycott"
            and sectors
            and sectors <= PROTESTERS
        ):
            # The opposition, workers or students boycotting a vote or talks protest (CAMEO
            # 143, conduct strike or boycott); a state's boycott stays an embargo (163).
            candidate.event, candidate.mode = "PROTEST", None
        if keep and candidate.event == "RETREAT" and self._captives(candidate):
            # "returned five Armenian soldiers", "handed over 40 Russian troops": another
            # state's soldiers given back are captives released (CAMEO 0841, CONCEDE).
            candidate.event, candidate.mode, candidate.context = "CONCEDE", None, None
        if keep and candidate.event == "COOPERATE" and self._solo_exercise(candidate):
            # Drills held by one state's forces alone show force (CAMEO 15x, MOBILIZE); joint
            # exercises with a partner are military cooperation.
            candidate.event, candidate.mode = "MOBILIZE", "troops"
        if keep and candidate.event == "COERCE" and sectors and sectors <= IRREGULAR:
            # Rebels, gunmen or pirates who seize people or ships, or burn houses, are no
            # authority: PLOVER codes their coercion as ASSAULT (abduction for a seizure).
            abduct = candidate.mode in {"arrest", "seize", None}
            candidate.event, candidate.mode = "ASSAULT", "abduct" if abduct else None
        return keep

    def _captives(self, candidate: Candidate) -> bool:
        """Soldiers of another state as the object of a verb of giving back."""
        token = candidate.token
        if token.lemma_.lower() not in GIVING_BACK:
            return False
        source = {s.code for s in candidate.source if s.code}
        people = [
            t
            for c in token.children
            if c.dep_ == "dobj"
            for t in conjuncts(c)
            if t.lemma_.lower() in SOLDIERS
        ]
        return bool(source) and any(
            t.code and t.code not in source and any(t.start <= p.idx < t.end for p in people)
            for t in candidate.target
        )

    def _solo_exercise(self, candidate: Candidate) -> bool:
        """Military drills of one party, with no partner named."""
        words = {w.lemma_.lower() for w in candidate.words}
        if not words & EXERCISES or any(t.code for t in candidate.target):
            return False
        if len({s.code for s in candidate.source if s.code}) != 1:
            return False
        token = candidate.token
        near = [*token.children, *(c for w in candidate.words for c in w.children)]
        return not any(
            c.lower_ in {"joint", "combined", "together", "with"} or c.dep_ == "conj" for c in near
        )

    def _characterization(self, token: Token, lemma: str) -> Candidate | bool | None:
        """ "called the demands unacceptable", "described the vote as a farce": calling
        something by a name is no phone call; a condemning name is DISAPPROVE (CAMEO 11).

        None where the verb does not characterise; False where it does but not harshly.
        """
        if lemma in self.lex.speech_verbs:
            return self._condemning_report(token)
        if lemma not in CHARACTERIZING:
            return None
        predicates = [
            c
            for c in token.children
            if c.dep_ == "oprd" or (c.dep_ in {"xcomp", "ccomp"} and c.pos_ in {"ADJ", "NOUN"})
        ]
        predicates += _prep_objects([token], {"as"})
        if not predicates:
            return None
        words = [t for p in predicates for t in p.subtree]
        if any(t.lemma_.lower() in CONDEMNING or t.lower_ in CONDEMNING for t in words):
            return Candidate(token, "DISAPPROVE", None, None, NAMED_OBJECT, [token, *predicates])
        return False

    def _condemning_report(self, token: Token) -> Candidate | None:
        """ "said the execution was a grave injustice", "said the remarks were a gross
        interference": a speaker giving something a condemning name in a reported copular
        clause disapproves of it (CAMEO 11), as "called it a provocation" does."""
        for clause in token.children:
            if clause.dep_ != "ccomp" or clause.lemma_.lower() != "be":
                continue
            predicates = [c for c in clause.children if c.dep_ in {"attr", "acomp"}]
            if any(c.dep_ == "neg" for c in clause.children) or not predicates:
                continue
            words = [t for p in predicates for t in p.subtree]
            if any(t.lemma_.lower() in CONDEMNING or t.lower_ in CONDEMNING for t in words):
                return Candidate(
                    token, "DISAPPROVE", None, None, NAMED_OBJECT, [token, clause, *predicates]
                )
        return None

    def _disclaimed(self, candidate: Candidate) -> bool:
        """An act under "no intention / plan / desire (of | to)"."""
        token = candidate.token
        head = token.head
        if token.dep_ == "pcomp" and head.lower_ == "of":
            head = head.head
        elif token.dep_ not in {"acl", "relcl"}:
            return False
        return head.lemma_.lower() in INTENT_NOUNS and any(
            c.dep_ == "det" and c.lower_ == "no" for c in head.children
        )

    def _announced(self, candidate: Candidate) -> bool:
        """A measure under a verb of deciding or announcing, with no condition."""
        token = candidate.token
        while token.dep_ == "conj":
            token = token.head
        return (
            token.dep_ in {"ccomp", "xcomp"}
            and token.head.lemma_.lower() in ANNOUNCING
            and not (self._current is not None and _conditional(self._current))
        )

    def _hostile_intent(self, candidate: Candidate) -> bool:
        """A future or possible hostile act of a named party, said by that party.

        v1 turns a future hostile act into a threat when its source is coded; here an
        uncoded actor ("the army said it would shell …") counts too, and "could / might /
        may" under the party's own speech verb is a threat as well.
        """
        token = candidate.token
        if (
            candidate.event not in MATERIAL_HOSTILE - {"MOBILIZE"}
            or candidate.negated
            or not candidate.source
            or any(c.dep_ in {"auxpass", "nsubjpass"} for c in token.children)
        ):
            return False
        words = modal_words(token)
        if words & {"will", "would", "'ll"}:
            return True
        head = token.head
        return bool(
            words & POSSIBLE
            and token.dep_ == "ccomp"
            and head.lemma_.lower() in self.lex.speech_verbs
        )

    def _conditional_force(self, candidate: Candidate) -> bool:
        """ "would send troops into Syria if the attacks did not stop": a show or use of force
        a party says it will make if (or unless) another acts is a threat (PLOVER THREATEN,
        CAMEO 138 threaten with military force); an unconditional future deployment stays a
        planned MOBILIZE."""
        token = candidate.token
        if (
            candidate.event != "MOBILIZE"
            or candidate.negated
            or not candidate.source
            or not modal_words(token) & {"will", "would", "'ll", "shall"}
        ):
            return False
        return any(
            clause.dep_ == "advcl"
            and any(c.dep_ == "mark" and c.lower_ in CONDITIONS for c in clause.children)
            for clause in token.children
        )

    def _cameo_trigger(self, token: Token, lemma: str) -> Candidate | None:
        if token.dep_ in {"prep", "mark", "case", "agent"}:
            return None  # "according to", "following", "regarding": prepositions
        part = particle(token)
        keys = _lemma_keys(token, lemma)
        verb = None
        phrase = self._cameo_phrase(token, lemma)
        phrase_word = [phrase[1]] if phrase is not None else []
        if phrase is not None:
            verb = phrase[0]
        elif part:
            verb = next((f"{k} {part}" for k in keys if f"{k} {part}" in self.index.verbs), None)
        verb = verb or next((k for k in keys if k in self.index.verbs), None)
        if verb is None:
            found = self._lexicon_defaults.get(lemma)
            if found is None:
                return None
            self._from_default.add(token.i)
            return Candidate(token, *found, BARE, [token])
        block = self.index.block_of(verb)
        pattern, words = self._best_pattern(token, block) if block else (None, [])
        if pattern is not None:
            if pattern.code == "---":
                return None
            code = self._act_code(pattern.code, verb, lemma) if pattern.code else None
            coded = self.index.to_plover(code)
            if coded is None:
                return None
            kind, mode, context = coded
            words = [token, *phrase_word, *words]
            return Candidate(token, kind, mode, context, NAMED_OBJECT, words)
        # Our lexicon's single type first (written for PLOVER; not for a phrase of the verb
        # it does not list), then CAMEO's default code, then the type most of the block's
        # patterns agree on.
        code = self.index.default_code(verb)
        code = self._act_code(code, verb, lemma) if code is not None else None
        coded = self._lexicon_defaults.get(lemma) if phrase is None else None
        if coded is None and code is not None:
            coded = self.index.to_plover(code)
        if coded is None and block is not None and code is None:
            coded = self._block_default(block)
        if coded is None:
            return None
        kind, mode, context = coded
        self._from_default.add(token.i)
        return Candidate(token, kind, mode, context, BARE, [token, *phrase_word])

    def _act_code(self, code: str, verb: str, lemma: str) -> str:
        """The act a CAMEO "express intent to …" (03x) code stands for, where the verb is one
        of doing rather than of promising.

        CAMEO codes some act verbs with their objects as intents ("send + team" 036 intent
        to meet, "send + warships to" 0332 intent to give military aid), which the table
        turns into AGREE. PLOVER's AGREE is a commitment; "sent a team", "sent warships"
        report the act itself (CAMEO 04, 07 …). A verb of commitment (a content taker or an
        AGREE verb of our lexicon, or a block whose own code is an intent) keeps the code; a
        cooperative act in the future tense is still AGREE (v1's framing, PLOVER's rule).
        """
        if not code.startswith("03") or len(code) < 3:
            return code
        if lemma in self.lex.content_takers or any(
            e.event == "AGREE" for e in self.lex.verbs.get(lemma, ())
        ):
            return code
        block = self.index.block_of(verb)
        own = self.index.block_codes.get(block) if block else None
        if own is not None and own.startswith("03"):
            return code
        act = INTENT_ACTS.get(code[:3])
        if act is None:
            return code
        return act + (code[3:] or "0") if act in {"06", "07"} else act

    def _block_default(self, block: str) -> tuple[str, str | None, str | None] | None:
        """The PLOVER type most of a block's patterns agree on (three in five), if any."""
        if block not in self._block_defaults:
            kinds: Counter[str] = Counter()
            for pattern in self.index.patterns(block):
                coded = self.index.to_plover(pattern.code)
                if coded is not None:
                    kinds[coded[0]] += 1
            total = sum(kinds.values())
            best = kinds.most_common(1)
            self._block_defaults[block] = (
                best[0][0]
                if best and total >= MIN_PATTERNS and best[0][1] / total >= MAJORITY
                else None
            )
        kind = self._block_defaults[block]
        return (kind, None, None) if kind else None

    def _best_pattern(self, token: Token, block: str) -> tuple[Pattern | None, list[Token]]:
        after, preps = _verb_phrases(token)
        before = _subject_words(token)
        best: Pattern | None = None
        best_score = (0, 0)
        best_words: list[Token] = []
        direct = {t.i for t in after.values()}
        # The words after the verb and in its prepositional phrases, for every pattern.
        everything = dict(after)
        for _, inner in preps:
            everything.update(inner)
        for pattern in self.index.patterns(block):
            score, words = self._match(pattern, preps, before, everything)
            # Of patterns that match as many words, the one whose words are the verb's own
            # object wins over one that reaches into a phrase below it: "launched an inquiry
            # into abuses … in the civil war" is an inquiry launched, not a war.
            ranked = (score, sum(w.i in direct for w in words))
            if score and ranked > best_score:
                best, best_score, best_words = pattern, ranked, words
        return best, best_words

    def _match(
        self,
        pattern: Pattern,
        preps: list[tuple[str, dict[str, Token]]],
        before: dict[str, Token],
        everything: dict[str, Token],
    ) -> tuple[int, list[Token]]:
        if not pattern.after and not pattern.before:
            return 0, []
        score = 0
        words: list[Token] = []
        for element in pattern.before:
            hit = self._words_in(element, before)
            if hit is None:
                return 0, []
            score += len(hit)
        for element in pattern.after:
            if element[0] == "p":
                hit = None
                for prep, inner in preps:
                    if prep != element[1]:
                        continue
                    rest = self._words_in(("w", *element[2:]), inner) if element[2:] else []
                    if rest is not None:
                        hit = rest
                        break
                if hit is None:
                    return 0, []
                score += 1 + len(hit)
                words.extend(hit)
                continue
            hit = self._words_in(element, everything)
            if hit is None:
                return 0, []
            score += len(hit)
            words.extend(hit)
        return score, words

    def _words_in(self, element: tuple[str, ...], pool: dict[str, Token]) -> list[Token] | None:
        """The tokens of ``pool`` that spell every word of the element, or None."""
        found: list[Token] = []
        for alternatives in self._alternatives(element):
            hit = None
            for word in alternatives:
                hit = pool.get(word) or (pool.get(word[:-1]) if word.endswith("s") else None)
                if hit is not None:
                    break
            if hit is None:
                return None
            found.append(hit)
        return found

    def _alternatives(self, element: tuple[str, ...]) -> tuple[frozenset[str], ...]:
        """The spellings of each word of a pattern element, worked out once per element."""
        known = self._spellings.get(element)
        if known is not None:
            return known
        if element[0] == "s":
            out = [self.index.synsets.get(element[1], frozenset())]
        else:
            out = []
            for word in element[1:]:
                if word.startswith("&"):
                    out.append(self.index.synsets.get(word[1:], frozenset()))
                else:
                    out.append(frozenset({word}))
        self._spellings[element] = known = tuple(out)
        return known


def _backer_only(head: Token, ref: ActorRef) -> bool:
    """ "the UN-recognised government", "a Russian-backed militia": the party named before a
    participle other than "led" backs or recognises the one named by the head, which is not
    that party ("X-led" is, see ``_led_by``)."""
    for child in head.children:
        if (
            child.dep_ in {"amod", "compound", "nmod", "npadvmod"}
            and child.idx == ref.start
            and child.i + 2 < head.i
            and child.nbor(1).text == "-"
            and child.nbor(2).tag_ == "VBN"
            and child.nbor(2).lower_ != "led"
            and child.nbor(2).head.i == head.i
        ):
            return True
    return False


def _aimed_at_crowd(verb: Token) -> bool:
    """Whether a violent act is aimed at a crowd of demonstrators: its object, the object of
    its at / on / into / against phrase, or the object of its purpose ("to disperse …")."""
    heads = [verb, *(c for c in verb.children if c.dep_ in {"xcomp", "advcl"})]
    objects = [c for h in heads for c in h.children if c.dep_ == "dobj"]
    objects += _prep_objects(heads, {"at", "on", "into", "against", "upon"})
    return any(t.lemma_.lower() in CROWDS or t.lower_ in CROWDS for t in objects)


def _own_state(source: list[ActorRef], sector: str) -> list[ActorRef]:
    """The target of a domestic event with none stated: the source's own state (the
    reference repeats the source's words, since the text names the state there)."""
    out: list[ActorRef] = []
    for actor in source:
        if actor.code and actor.code not in NON_STATE_CODES:
            if any(a.code == actor.code for a in out):
                continue
            out.append(ActorRef(actor.text, actor.code, sector, actor.start, actor.end))
    return out


def _of_own_state(target: list[ActorRef], source: list[ActorRef]) -> list[ActorRef]:
    """Uncoded targets coded by the source's single state, if the source is one state's."""
    states = {s.code for s in source if s.code and s.code not in NON_STATE_CODES}
    if len(states) != 1 or not all(s.sector in STATE_SIDE for s in source if s.code):
        return target
    code = states.pop()
    return [replace(t, code=code) for t in target]


def _reciprocal(event: Event) -> None:
    """ "Chile and Peru agreed to resume talks on their maritime border": the parties of a
    reciprocal act are not its target as well. Two subjects of a meeting or of cooperation
    ("Chile and Peru met", separate names) stay a dyad, A → B, as where no target was found;
    one phrase naming both ("Chilean and Peruvian officials") is a joint source."""
    codes = {s.code for s in event.source}
    if not any(t.code in codes for t in event.target):
        return
    event.target = [t for t in event.target if t.code not in codes]
    spans = sorted((s.start, s.end) for s in event.source)
    separate = all(end <= start for (_, end), (start, _) in pairwise(spans))
    if event.event != "AGREE" and not event.target and separate:
        event.source, event.target = event.source[:1], event.source[1:]


def _joint(source: list[ActorRef]) -> bool:
    """Whether a source names two parties or more (distinct codes)."""
    return len({s.code for s in source if s.code}) > 1


def _dedupe_codes(refs: list[ActorRef]) -> list[ActorRef]:
    """The first actor of each code."""
    out: list[ActorRef] = []
    for ref in refs:
        if not any(o.code == ref.code for o in out):
            out.append(ref)
    return out


def _prep_objects(heads: list[Token], preps: frozenset[str] | set[str]) -> list[Token]:
    """The objects (with their conjuncts) of the heads' prepositional phrases ``preps``."""
    return [
        token
        for head in heads
        for prep in head.children
        if prep.dep_ == "prep" and prep.lower_ in preps
        for pobj in prep.children
        if pobj.dep_ == "pobj"
        for token in conjuncts(pobj)
    ]


def _misread_main_verb(verb: Token) -> bool:
    """A verb parsed as a clause on the root noun of a sentence with no verb of its own,
    with a direct object and no agent: the sentence's main verb, misread."""
    head = verb.head
    return (
        verb.dep_ == "acl"
        and head.dep_ == "ROOT"
        and head.pos_ in {"NOUN", "PROPN"}
        and head.i < verb.i
        and any(c.dep_ == "dobj" for c in verb.children)
        and not any(c.dep_ == "agent" for c in verb.children)
    )


def _definite_body(head: Token) -> bool:
    """ "the bloc", "the alliance": an organisation named by its kind, with no other words."""
    return (
        head.lemma_.lower() in BODIES
        and any(c.dep_ == "det" and c.lower_ == "the" for c in head.children)
        and not any(c.dep_ in {"amod", "compound", "poss", "nmod"} for c in head.children)
    )


def _earlier_organisation(head: Token, resolver: ActorResolver) -> ActorRef | None:
    """The coded organisation mentioned last before ``head`` in its sentence."""
    for index in range(head.i - 1, head.sent.start - 1, -1):
        mention = resolver.mention_at.get(index)
        if mention is not None and mention.kind == "organisation" and mention.ref.code:
            return mention.ref
    return None


def _inquiry_of(verb: Token) -> Token | None:
    """The inquiry an act is done in or for ("in an inquiry into", "as part of a probe")."""
    heads = _prep_objects([verb], {"in", "for", "during", "as"})
    heads += _prep_objects([h for h in heads if h.lemma_.lower() == "part"], {"of"})
    return next((h for h in heads if h.lemma_.lower() in INQUIRIES), None)


def _directive(verb: Token) -> bool:
    """ "told the militia to hand over its heavy weapons": an addressee and the act to do."""
    return any(c.dep_ in {"dobj", "dative"} for c in verb.children) and any(
        c.dep_ == "xcomp" and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
        for c in verb.children
    )


def _complement_subjects(verb: Token) -> list[Token]:
    """The subjects (with conjuncts) of a verb's clausal complements."""
    return [
        token
        for child in verb.children
        if child.dep_ in {"ccomp", "xcomp"}
        for subject in child.children
        if subject.dep_ in {"nsubj", "nsubjpass"}
        for token in conjuncts(subject)
    ]


def _clause_subjects(nouns: list[Token]) -> list[Token]:
    """The subjects (with conjuncts) of the clauses that nouns carry ("a call for X to …")."""
    return [
        token
        for noun in nouns
        for clause in noun.children
        if clause.dep_ in {"acl", "ccomp", "advcl"}
        for subject in clause.children
        if subject.dep_ in {"nsubj", "nsubjpass"}
        for token in conjuncts(subject)
    ]


def _conditions(trigger: Token) -> list[Token]:
    """The "if / unless" clauses of a trigger and of the acts it frames."""
    clauses: list[Token] = []
    queue = [trigger]
    while queue:
        verb = queue.pop()
        for child in verb.children:
            if child.dep_ in {"xcomp", "ccomp", "conj"} or _infinitive_clause(child):
                queue.append(child)
            elif child.dep_ == "advcl" and any(
                c.dep_ == "mark" and c.lower_ in CONDITIONS for c in child.children
            ):
                clauses.append(child)
        clauses.extend(c for c in _condition_clauses(verb) if inverted_condition(c))
    return clauses


def _to_death(verb: Token) -> Token | None:
    """The "death" of "beaten / burned / stoned to death", if the verb has it."""
    for prep in verb.children:
        if prep.dep_ == "prep" and prep.lower_ == "to":
            for pobj in prep.children:
                if pobj.dep_ == "pobj" and pobj.lemma_.lower() == "death":
                    return pobj
    return None


def _condition_clauses(verb: Token) -> list[Token]:
    """The clauses after a verb that may set it a condition: its adverbial clauses, and a
    clause opening with an inverted auxiliary ("would act should Chad keep …") that the
    parser hangs beside it on the verb of speech that reports both."""
    out = [c for c in verb.children if c.dep_ == "advcl" and c.i > verb.i]
    if verb.dep_ == "ccomp" and verb.head.i > verb.i and inverted_condition(verb.head):
        out.append(verb.head)  # "would close … should Chad continue": hung under it
    if verb.dep_ == "ccomp":
        out += [
            c
            for c in verb.head.children
            if c.dep_ == "ccomp" and c.i > verb.i and inverted_condition(c)
        ]
    return out


def _infinitive_clause(token: Token) -> bool:
    """ "threatened on Thursday to open the gates": a to-infinitive the parser hangs on the
    verb as an adverbial clause, which is what the verb frames."""
    return token.dep_ == "advcl" and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in token.children
    )


def _condition_subjects(trigger: Token) -> list[Token]:
    """The subjects of the "if / unless" clauses of a trigger and of the acts it frames."""
    return [
        t
        for clause in _conditions(trigger)
        for c in clause.children
        if c.dep_ in {"nsubj", "nsubjpass"}
        for t in conjuncts(c)
    ]


def _embedded(token: Token) -> bool:
    """A verb conjoined to one that modifies a noun or a preposition ("to develop and expand")."""
    if token.dep_ != "conj":
        return False
    head = token.head
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head
    return head.dep_ in {"acl", "relcl", "pcomp", "pobj", "amod"}


def _word_keys(token: Token) -> list[str]:
    return [token.lower_, token.lemma_.lower()]


def _verb_phrases(verb: Token) -> tuple[dict[str, Token], list[tuple[str, dict[str, Token]]]]:
    """Words after the verb (objects, particle, complements) and its prepositional phrases."""
    after: dict[str, Token] = {}
    preps: list[tuple[str, dict[str, Token]]] = []

    def add(pool: dict[str, Token], token: Token) -> None:
        for key in _word_keys(token):
            pool.setdefault(key, token)

    kinds = {"dobj", "dative", "attr", "oprd", "prt", "acomp", "xcomp", "ccomp", "advmod"}
    heads = [c for c in verb.children if c.dep_ in kinds]
    if _is_passive(verb):
        heads.extend(subjects(verb)[0])
    for head in heads:
        for token in head.subtree:
            if token.dep_ == "prep" and token.head.i != head.i and token.i != head.i:
                continue
            add(after, token)
    for child in verb.children:
        if child.dep_ in {"prep", "agent"} or (child.dep_ == "prt" and child.i > verb.i):
            inner: dict[str, Token] = {}
            for token in child.subtree:
                if token.i != child.i:
                    add(inner, token)
            preps.append((child.lower_, inner))
        if child.dep_ in {"dobj", "xcomp"}:
            for grand in child.children:
                if grand.dep_ == "prep":
                    inner = {}
                    for token in grand.subtree:
                        if token.i != grand.i:
                            add(inner, token)
                    preps.append((grand.lower_, inner))
    return after, preps


def _subject_words(verb: Token) -> dict[str, Token]:
    pool: dict[str, Token] = {}
    heads, _ = subjects(verb)
    for head in heads:
        for token in head.subtree:
            for key in _word_keys(token):
                pool.setdefault(key, token)
    return pool


__all__ = ["NAME", "CoderComponent"]

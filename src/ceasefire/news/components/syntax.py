"""Dependency-tree helpers shared by the components (spaCy's English labels)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from typing import Literal

from spacy.tokens import Doc, Span, Token

SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
OBJECTS = frozenset({"dobj", "dative", "attr", "oprd"})
NP_MODIFIERS = frozenset({"amod", "compound", "poss", "nmod", "npadvmod", "nummod", "quantmod"})
PRONOUNS_PERSON = frozenset({"he", "she", "him", "her", "his"})
PRONOUNS_GROUP = frozenset({"they", "them", "their", "it", "its", "we", "our", "us"})
PERSONAL_PRONOUNS = PRONOUNS_PERSON | PRONOUNS_GROUP | frozenset({"i", "me", "my", "you"})


def is_pronoun(token: Token) -> bool:
    """A personal pronoun ("US" the country is not "us")."""
    return token.pos_ == "PRON" and token.lower_ in PERSONAL_PRONOUNS


LOCATIVE_PREPS = frozenset(
    {"in", "near", "at", "outside", "inside", "around", "across", "along", "on", "into",
     "within", "throughout", "off", "from", "towards", "toward", "over"}
)  # fmt: skip


def sentence_starts(doc: Doc) -> list[int]:
    """Start token of every sentence (``Token.sent`` rescans the Doc on every call)."""
    return [sent.start for sent in doc.sents]


def sentence_of(token: Token, starts: list[int]) -> Span:
    """The sentence holding ``token``, from :func:`sentence_starts`."""
    index = bisect_right(starts, token.i) - 1
    end = starts[index + 1] if index + 1 < len(starts) else len(token.doc)
    return token.doc[starts[index] : end]


def conjuncts(token: Token) -> list[Token]:
    """The token and the tokens coordinated with it ("Jordan and Britain")."""
    out = [token]
    stack = [token]
    while stack:
        current = stack.pop()
        for child in current.children:
            if child.dep_ == "conj" and child not in out:
                out.append(child)
                stack.append(child)
    return out


def clause_head(verb: Token) -> Token:
    """The verb whose subject a conjoined/controlled verb shares ("agreed to undertake")."""
    current = verb
    for _ in range(6):
        if any(c.dep_ in SUBJECTS for c in current.children):
            return current
        if (
            current.dep_ in {"conj", "xcomp", "advcl", "acomp", "pcomp", "prep"}
            and current.head.i != current.i
        ):
            current = current.head
            continue
        return current
    return current


def subjects(verb: Token) -> tuple[list[Token], bool]:
    """Subject heads of the verb (with conjuncts) and whether the clause is passive."""
    holder = clause_head(verb)
    heads = [c for c in holder.children if c.dep_ in SUBJECTS and c.dep_ != "expl"]
    passive = any(c.dep_ in {"nsubjpass", "auxpass", "csubjpass"} for c in verb.children) or any(
        c.dep_ == "nsubjpass" for c in holder.children
    )
    found: list[Token] = []
    for head in heads:
        found.extend(conjuncts(head))
    if not found and verb.dep_ in {"relcl", "acl"} and verb.head.pos_ in {"NOUN", "PROPN"}:
        found = conjuncts(verb.head)
    return found, passive


def agents(verb: Token) -> list[Token]:
    """The "by" phrase of a passive verb."""
    found: list[Token] = []
    for child in verb.children:
        if child.dep_ == "agent":
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    found.extend(conjuncts(pobj))
    return found


def objects(verb: Token) -> list[tuple[str, Token]]:
    """(relation, head) of the verb's objects: direct objects and prepositional objects."""
    found: list[tuple[str, Token]] = []
    for child in verb.children:
        if child.dep_ in OBJECTS:
            found.extend(("dobj", t) for t in conjuncts(child))
        elif child.dep_ == "prep":
            for pobj in child.children:
                if pobj.dep_ in {"pobj", "pcomp"}:
                    found.extend((child.lower_, t) for t in conjuncts(pobj))
    return found


def particle(verb: Token) -> str | None:
    for child in verb.children:
        if child.dep_ == "prt":
            return child.lower_
    return None


def np_tokens(head: Token) -> list[Token]:
    """The noun phrase of ``head`` without determiners, relative clauses or long PPs."""
    keep = [head]
    for child in head.lefts:
        if child.dep_ in NP_MODIFIERS or child.dep_ in {"amod", "compound", "poss"}:
            keep.extend(t for t in child.subtree)
    # Each token once, in text order (by index: a set of Tokens hashes and compares each).
    unique = {t.i: t for t in keep}
    tokens = [unique[i] for i in sorted(unique)]
    while tokens and (tokens[0].pos_ in {"DET", "PUNCT"} or tokens[0].dep_ == "case"):
        tokens = tokens[1:]
    return tokens or [head]


def span_of(tokens: list[Token]) -> Span:
    doc = tokens[0].doc
    start = min(t.i for t in tokens)
    end = max(t.i for t in tokens) + 1
    return doc[start:end]


def depth(token: Token) -> int:
    steps = 0
    current = token
    while current.head.i != current.i and steps < 50:
        current = current.head
        steps += 1
    return steps


def ancestors_within(token: Token, root: Token) -> bool:
    """Whether ``token`` lies in the subtree of ``root``."""
    return root.left_edge.i <= token.i <= root.right_edge.i and (
        token.i == root.i or root in token.ancestors
    )


def iter_children_bfs(root: Token) -> Iterator[Token]:
    queue = list(root.children)
    while queue:
        token = queue.pop(0)
        yield token
        queue.extend(token.children)


def is_negated(verb: Token) -> bool:
    return any(c.dep_ == "neg" for c in verb.children)


def modal_words(verb: Token) -> set[str]:
    """Auxiliaries and markers of the verb and the verbs governing it inside its clause."""
    words: set[str] = set()
    current = verb
    for _ in range(4):
        for child in current.children:
            if child.dep_ in {"aux", "auxpass", "neg", "mark"}:
                words.add(child.lower_)
        if current.dep_ in {"xcomp", "conj"} and current.head.i != current.i:
            current = current.head
            words.add(current.lemma_.lower())
            continue
        break
    return words


def tense_of(verb: Token) -> Literal["past", "present", "future"]:
    """'future' for will/would/shall/going to/due to, 'past' for past forms, else 'present'."""
    words = modal_words(verb)
    if words & {"will", "shall", "'ll", "wo", "would", "going", "due", "plan", "intend"}:
        return "future"
    if verb.tag_ in {"VBD", "VBN"} or words & {"had", "did", "was", "were", "has", "have"}:
        return "past"
    return "present"

"""A faster matcher for the spaCy model's attribute ruler, with the same matches.

The ``attribute_ruler`` of ``en_core_web_sm`` maps tags to parts of speech and morphology with
179 token patterns run through spaCy's general ``Matcher``: about a tenth of the CPU the
English pipeline spends per article (profile in bench/RESULTS.md). Almost all of its patterns
are one token long and test only a few attributes with plain values (``{"TAG": "NN"}``,
``{"TAG": "PRP", "LOWER": "me"}``), so they can be looked up by the token's tag and lower-case
form instead of being tried one by one.

``speed_up_attribute_ruler`` keeps the component and its ``set_annotations`` and replaces only
its ``match`` method with one that returns the identical sorted list of matches: one-token
patterns through that index, longer ones (a handful: "gon na", "let 's") through a ``Matcher``
of their own. When a pattern uses anything the index does not handle, the ruler is left as
it is. ``tests/unit/test_news_attribute_rules.py`` checks the matches against spaCy's on
varied text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import AttributeRuler
    from spacy.tokens import Doc

Match = tuple[int, int, int, int]  # (pattern number, match id, start, end), as spaCy sorts them
_Test = Callable[[Any], bool]
# The token attributes the index reads, in this order (``FastAttributeMatcher._token_matches``).
_KEYS = ("TAG", "LOWER", "DEP", "IS_SPACE")


# Most combinations of those values ``FastAttributeMatcher`` remembers the matches of (a few
# thousand arise in a thousand articles); past this it forgets them all and starts again.
MEMO_LIMIT = 200_000


def _value_test(spec: Any) -> _Test | None:
    """A test of one attribute value as the Matcher reads ``spec``; None if unsupported."""
    if isinstance(spec, str | bool):
        return lambda value: value == spec
    if not isinstance(spec, dict) or len(spec) != 1:
        return None
    ((operator, argument),) = spec.items()
    if operator == "IN" and isinstance(argument, list):
        members = frozenset(argument)
        return lambda value: value in members
    if operator == "NOT_IN" and isinstance(argument, list):
        excluded = frozenset(argument)
        return lambda value: value not in excluded
    if operator == "REGEX" and isinstance(argument, str):
        pattern = re.compile(argument)
        return lambda value: bool(pattern.search(value))
    return None


def _members(spec: Any) -> list[str] | None:
    """The values an attribute may take under ``spec`` when it lists them, else None."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and list(spec) == ["IN"] and isinstance(spec["IN"], list):
        return [str(member) for member in spec["IN"]]
    return None


class _TokenPattern:
    """A one-token pattern: its number, and the tests its index does not already make."""

    __slots__ = ("number", "tests")

    def __init__(self, number: int, tests: list[tuple[int, _Test]]) -> None:
        self.number = number
        self.tests = tests


class FastAttributeMatcher:
    """The matches of an ``AttributeRuler``'s patterns, indexed by tag and lower-case form."""

    def __init__(self, ruler: AttributeRuler) -> None:
        from spacy.matcher import Matcher

        self.vocab = ruler.vocab
        self.by_tag_lower: dict[tuple[str, str], list[_TokenPattern]] = defaultdict(list)
        self.by_tag: dict[str, list[_TokenPattern]] = defaultdict(list)
        self.by_lower: dict[str, list[_TokenPattern]] = defaultdict(list)
        self.others: list[_TokenPattern] = []
        self.longer = Matcher(ruler.vocab)
        self.key_of: dict[int, int] = {}
        self.supported = True
        self._memo: dict[tuple[int, int, int, int], tuple[tuple[int, int], ...]] = {}
        for number, entry in enumerate(ruler.patterns):
            key = ruler.vocab.strings.add(str(number))
            self.key_of[number] = key
            longer: list[Any] = []
            patterns: list[Any] = cast("list[Any]", entry["patterns"])
            for pattern in patterns:
                if len(pattern) != 1:
                    longer.append(pattern)
                elif not self._add(number, pattern[0]):
                    self.supported = False
                    return
            if longer:
                self.longer.add(key, longer)

    def _add(self, number: int, spec: Mapping[str, Any]) -> bool:
        if any(name not in _KEYS or _value_test(value) is None for name, value in spec.items()):
            return False
        tags = _members(spec["TAG"]) if isinstance(spec.get("TAG"), str) else None
        lowers = _members(spec.get("LOWER"))
        indexed = {name for name, listed in (("TAG", tags), ("LOWER", lowers)) if listed}
        tests = [
            (_KEYS.index(name), test)
            for name, value in spec.items()
            if name not in indexed and (test := _value_test(value)) is not None
        ]
        pattern = _TokenPattern(number, tests)
        if tags and lowers:
            for lower in lowers:
                self.by_tag_lower[(tags[0], lower)].append(pattern)
        elif tags:
            self.by_tag[tags[0]].append(pattern)
        elif lowers:
            for lower in lowers:
                self.by_lower[lower].append(pattern)
        else:
            self.others.append(pattern)
        return True

    def __call__(self, doc: Doc) -> list[Match]:
        from spacy.attrs import DEP, IS_SPACE, LOWER, TAG

        found: set[Match] = set()
        memo, strings = self._memo, self.vocab.strings
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        # The four attributes as ids, without a Token object or a string per token: the
        # patterns a token matches depend on nothing else, so they are looked up once per
        # combination of values and remembered.
        rows: list[list[int]] = doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()
        for i, row in enumerate(rows):
            ids = (row[0], row[1], row[2], row[3])
            hits = memo.get(ids)
            if hits is None:
                values = (strings[ids[0]], strings[ids[1]], strings[ids[2]], bool(ids[3]))
                hits = memo[ids] = self._token_matches(values)
            for number, key in hits:
                found.add((number, key, i, i + 1))
        for key, start, end in self.longer(doc, allow_missing=True):
            found.add((int(self.vocab.strings[key]), key, start, end))
        return sorted(found)

    def _token_matches(self, values: tuple[str, str, str, bool]) -> tuple[tuple[int, int], ...]:
        """(pattern number, match id) of every one-token pattern a token with ``values`` (the
        ``_KEYS`` attributes) matches."""
        tag, lower = values[0], values[1]
        hits: list[tuple[int, int]] = []
        for candidates in (
            self.by_tag_lower.get((tag, lower)),
            self.by_tag.get(tag),
            self.by_lower.get(lower),
            self.others,
        ):
            if not candidates:
                continue
            for pattern in candidates:
                if all(test(values[index]) for index, test in pattern.tests):
                    hits.append((pattern.number, self.key_of[pattern.number]))
        return tuple(hits)


def speed_up_attribute_ruler(nlp: Language) -> bool:
    """Give the model's ``attribute_ruler`` the indexed matcher; whether it was done."""
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    ruler = cast("AttributeRuler", nlp.get_pipe("attribute_ruler"))
    matcher = FastAttributeMatcher(ruler)
    if not matcher.supported:
        return False
    ruler.match = matcher  # type: ignore[method-assign]
    return True

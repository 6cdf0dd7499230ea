"""The spaCy model's named-entity decoder, run a batch of documents at a time in numpy.

``en_core_web_sm``'s ``ner`` chooses its entities one token at a time: for each token a
small network scores the model's BILUO actions (``B-ORG``, ``I-ORG``, ``L-ORG``, ``U-ORG``,
``O``...) and the best valid one is taken. spaCy runs that loop in Cython, but built with
Cython's profiling hooks on Python 3.11 every small function of its transition system takes
and releases the interpreter lock, so the loop cost about a quarter of the English
pipeline's CPU per article (bench/RESULTS.md, *news extraction: the entity decoder*).

:class:`EntityDecoder` takes the component's place in the pipeline and runs the same
arithmetic on the same numbers: the model's own layers give the token vectors and the
precomputed features (the same batches as ``Parser.pipe`` makes, so the same floats), the
features are summed in spaCy's order, the hidden-to-output product goes through the same
BLIS routine, and the first best-scoring valid action is taken, as ``arg_max_if_valid``
does; only the loop over tokens is numpy's, one step for every document of a batch at once.
Each action reads one token (BILUO), so every document of a batch advances together.

Where the documents hold anything the vectorised rules do not cover (entities set before
the component runs, a score that is not finite, a model whose classes are masked), the
batch goes through spaCy's own ``predict``. ``tests/unit/test_news_entity_decoder.py``
compares the entities with the stock component's on varied text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import EntityRecognizer
    from spacy.tokens import Doc

# One found entity: (document index in the batch, start, end, label id).
_Entity = tuple[int, int, int, int]

_KINDS = {"B": 0, "I": 1, "L": 2, "U": 3, "O": 4}


class _Decoded:
    """The entities found for a batch of documents, in spaCy's order for each."""

    __slots__ = ("entities",)

    def __init__(self, entities: list[list[tuple[int, int, int]]]) -> None:
        self.entities = entities


class EntityDecoder:
    """A spaCy ``ner`` component whose greedy decoding runs in numpy (see the module)."""

    def __init__(self, ner: EntityRecognizer) -> None:
        from thinc.api import NumpyOps

        self.ner = ner
        model = ner.model
        self._tok2vec, self._lower, self._upper = model.layers[0], model.layers[1], model.layers[-1]
        # The hidden-to-output product as spaCy's decoder computes it (BLIS's sgemm).
        self._blis = NumpyOps(use_blis=True)
        moves = ner.moves
        strings = ner.vocab.strings
        kinds: list[int] = []
        labels: list[int] = []
        for index in range(moves.n_moves):
            name = moves.get_class_name(index)
            move, _, label = name.partition("-")
            kinds.append(_KINDS.get(move, -1))
            labels.append(int(strings[label]) if label else 0)
        self._kind = np.array(kinds)
        self._label = np.array(labels, dtype=np.uint64)
        # Per kind, the actions' columns; I and L are valid only for the open entity's label.
        self._columns = [np.flatnonzero(self._kind == k) for k in range(5)]
        self._n_actions = moves.n_moves
        self.supported = (
            bool(model.attrs.get("has_upper"))
            and not model.attrs.get("unseen_classes")
            and ner.cfg.get("beam_width", 1) == 1
            and all(k >= 0 for k in kinds)
            and self._lower.get_dim("nF") == 3
        )

    # What spaCy's pipeline calls -------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        self._annotate([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256) -> Iterator[Doc]:
        """As ``Parser.pipe``: batches, each sorted by length and cut in quarters (the
        same sub-batches, so the model's layers see the same matrices)."""
        error_handler = self.ner.get_error_handler()
        for batch_in_order in _batches(docs, batch_size):
            try:
                by_length = sorted(batch_in_order, key=len)
                for subbatch in _batches(by_length, max(batch_size // 4, 2)):
                    self._annotate(subbatch)
                yield from batch_in_order
            except Exception as exc:  # spaCy's error handler decides (it re-raises)
                error_handler(self.ner.name, self.ner, batch_in_order, exc)

    def __getattr__(self, name: str) -> Any:
        # Everything else (labels, moves, serialisation, scoring) is the stock component's.
        if name == "ner":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self.ner, name)

    # The decoding ------------------------------------------------------------------------------

    def _annotate(self, docs: list[Doc]) -> None:
        found = self.predict(docs)
        self.set_annotations(docs, found)

    def predict(self, docs: list[Doc]) -> Any:
        if not self.supported or not any(len(doc) for doc in docs) or _preset(docs):
            return self.ner.predict(docs)
        decoded = self._decode(docs)
        return decoded if decoded is not None else self.ner.predict(docs)

    def set_annotations(self, docs: list[Doc], found: Any) -> None:
        from spacy.tokens import Span

        if not isinstance(found, _Decoded):
            self.ner.set_annotations(docs, found)
            return
        for doc, entities in zip(docs, found.entities, strict=True):
            spans = [
                Span(doc, start, end, label=label, kb_id=doc[start].ent_kb_id)
                for start, end, label in entities
            ]
            # No token had an entity value before (``_preset``): "outside" is what spaCy's
            # "unmodified" and its loop setting every other token to O give.
            doc.set_ents(spans, default="outside")
            for hook in cast("list[Callable[[Doc], None]]", self.ner.postprocesses):
                hook(doc)

    def _decode(self, docs: list[Doc]) -> _Decoded | None:
        from spacy.attrs import IS_SPACE, SENT_START

        tokvecs = self._tok2vec.predict(docs)
        cached = self._lower.predict(tokvecs)  # (tokens + 1, nF, nO, nP): row 0 the padding
        n_rows, n_features, n_out, n_pieces = cached.shape
        cached = cached.reshape((n_rows, n_features, n_out * n_pieces))
        bias = self._lower.get_param("b").reshape(n_out * n_pieces)
        weights, upper_bias = self._upper.get_param("W"), self._upper.get_param("b")

        lengths = np.array([len(doc) for doc in docs])
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        # Per token of the batch: whether it is a space, and whether the next one (in its
        # document) starts a sentence; the last token of a document has no next one.
        space = np.zeros(n_rows - 1, dtype=bool)
        next_starts = np.zeros(n_rows - 1, dtype=bool)
        for doc, offset in zip(docs, offsets, strict=True):
            if len(doc):
                values = doc.to_array([IS_SPACE, SENT_START]).astype(np.int64)
                space[offset : offset + len(doc)] = values[:, 0] != 0
                next_starts[offset : offset + len(doc) - 1] = values[1:, 1] == 1

        active = np.flatnonzero(lengths > 0)
        position = np.zeros(len(docs), dtype=np.int64)
        open_start = np.full(len(docs), -1, dtype=np.int64)
        open_label = np.zeros(len(docs), dtype=np.uint64)
        entities: list[_Entity] = []
        columns = self._columns
        i_labels, l_labels = self._label[columns[1]], self._label[columns[2]]
        b_has_label = self._label[columns[0]] != 0
        u_has_label = self._label[columns[3]] != 0
        while active.size:
            b = offsets[active] + position[active]  # B(0), the batch's token index
            is_open = open_start[active] >= 0
            ids = np.empty((active.size, 3), dtype=np.int64)
            ids[:, 0] = b + 1  # +1: row 0 of ``cached`` is the padding
            ids[:, 1] = np.where(is_open, offsets[active] + open_start[active] + 1, 0)
            ids[:, 2] = np.where(is_open, b, 0)  # B(0) - 1, + 1
            unmaxed = np.zeros((active.size, n_out * n_pieces), dtype=np.float32)
            for feature in range(n_features):
                unmaxed += cached[ids[:, feature], feature]
            unmaxed += bias
            pieces = unmaxed.reshape((active.size, n_out, n_pieces))
            hidden = pieces[:, :, 0]
            for piece in range(1, n_pieces):
                hidden = np.where(pieces[:, :, piece] > hidden, pieces[:, :, piece], hidden)
            scores = self._blis.gemm(np.ascontiguousarray(hidden), weights, trans2=True)
            scores += upper_bias
            if not np.isfinite(scores).all():
                return None

            remaining = lengths[active] - position[active]
            label_now = open_label[active]
            space_now = space[b]
            next_start = next_starts[b]
            valid = np.zeros((active.size, self._n_actions), dtype=bool)
            begin = ~is_open & (remaining >= 2) & ~next_start & ~space_now
            valid[:, columns[0]] = begin[:, None] & b_has_label[None, :]
            inside = is_open & (remaining >= 2) & ~next_start
            valid[:, columns[1]] = inside[:, None] & (i_labels[None, :] == label_now[:, None])
            valid[:, columns[2]] = is_open[:, None] & (l_labels[None, :] == label_now[:, None])
            unit = ~is_open & ~space_now
            valid[:, columns[3]] = unit[:, None] & u_has_label[None, :]
            valid[:, columns[4]] = ~is_open[:, None]
            if not valid.any(axis=1).all():
                return None
            guess = np.where(valid, scores, -np.inf).argmax(axis=1)

            kind = self._kind[guess]
            label = self._label[guess]
            here = position[active]
            for row in np.flatnonzero(kind == 0):
                state = active[row]
                open_start[state], open_label[state] = here[row], label[row]
            for row in np.flatnonzero(kind == 2):
                state = active[row]
                entities.append(
                    (state, int(open_start[state]), int(here[row]) + 1, int(label[row]))
                )
                open_start[state] = -1
            for row in np.flatnonzero(kind == 3):
                entities.append((active[row], int(here[row]), int(here[row]) + 1, int(label[row])))
            position[active] += 1
            active = active[position[active] < lengths[active]]
        by_doc: list[list[tuple[int, int, int]]] = [[] for _ in docs]
        for state, start, end, label_id in entities:
            by_doc[state].append((start, end, label_id))
        return _Decoded(by_doc)


def _batches(docs: Iterable[Doc], size: int) -> Iterator[list[Doc]]:
    """``docs`` in lists of ``size`` (the last one shorter), as ``spacy.util.minibatch``."""
    items = iter(docs)
    while batch := list(islice(items, size)):
        yield batch


def _preset(docs: list[Doc]) -> bool:
    """Whether any token already has an entity value (spaCy's rules then differ)."""
    from spacy.attrs import ENT_IOB

    return any(len(doc) and doc.to_array([ENT_IOB]).any() for doc in docs)


def speed_up_entity_recognizer(nlp: Language) -> bool:
    """Run the model's ``ner`` through :class:`EntityDecoder`; whether it was done."""
    if "ner" not in nlp.pipe_names:
        return False
    ner = nlp.get_pipe("ner")
    if isinstance(ner, EntityDecoder):
        return True
    decoder = EntityDecoder(cast("EntityRecognizer", ner))
    if not decoder.supported:
        return False
    # spaCy has no public way to put another object in a component's place.
    components = nlp._components
    index = [name for name, _ in components].index("ner")
    components[index] = ("ner", decoder)
    return True

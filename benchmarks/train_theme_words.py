"""Train the theme word model (rules/theme-words.json; msglint/wordthemes.py) on text we wrote.

Rows: those the semantic head learns from (train_semantic_head.training_rows: each theme's
match and no-match examples, semantic examples and negatives, the background sentences and the
written dev items with their readers' themes). Never real copy, the test split or the
measure-only probes. One logistic regression per theme over msglint.wordvoice.terms (words and
adjacent pairs found in at least MIN_DF rows), classes weighted to equal totals, L2 penalty 1/C,
minimised by L-BFGS (train_voice_words.fit_matrix). Self-praise (PATTERNS_ONLY) is left to the
patterns, as for the head.

Thresholds are chosen on the dev items (semantic_calibrate.load_dev: the dev split and the
dev-only files, measure-only files left out), replaying how msglint adds the model's themes: an
item gets a theme when the patterns find it or when one of its sentences of MIN_WORDS words or
more scores over the theme's threshold. Written items are scored by a model trained without
their own file (their group), so a threshold is not chosen on rows the model has learnt; real
copy is never trained on and is scored by the full model. Per theme, in two coordinate passes,
the threshold on GRID that gives the best mean of two micro F1s of patterns plus model, the real
copy's and the written copy's (ties to the higher threshold); a theme no threshold helps is
left out of the file, and msglint never adds it. Only thresholds whose additions to real copy
are wrong at most SLACK times more often than right are candidates: on real copy the model's
additions are mostly wrong (session 12: 4 right, 23 wrong on the dev real items without this
rule), while on written copy they are mostly right.

    python benchmarks/train_theme_words.py                  # writes rules/theme-words.json
    python benchmarks/train_theme_words.py --out /tmp/t.json --C 0.3

Needs scipy (the semantic extra brings it) and the shared corpus (for the real dev items).
Session 12's study (figures in docs/quality.md, "Session 12"): C 0.3 / 1 / 3 gave the same
written and real figures within 0.004.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from semantic_calibrate import load_dev, patterns_analyzer  # noqa: E402
from train_semantic_head import PATTERNS_ONLY, Row, data_digest, training_rows  # noqa: E402
from train_voice_words import (  # noqa: E402
    MIN_DF,
    fit_matrix,
    has_scipy,
    term_matrix,
    vocabulary,
)

from msglint import wordthemes  # noqa: E402
from msglint.catalogue import load_catalogue  # noqa: E402
from msglint.evaluation import EvalItem  # noqa: E402

DEFAULT_C = 1.0
MIN_POSITIVES = 5  # fewer example rows than this say too little about a theme's words
# Weights smaller than this are left out, in calibration too. On probes8 held out, micro F1 was
# 0.634 unpruned, 0.636 pruned at 0.05 and 0.635 at 0.1; at 0.1 the file is 0.6 MB, not 4.4, and
# a sentence meets about half as many weights (session 12, docs/benchmarks.md).
PRUNE = 0.1
GRID = (0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99)
OFF = 1.01  # above any probability: the theme is never added
# A label added with precision p raises micro F1 when p is over about F1 / 2 (0.44 on real copy),
# so on real copy a threshold must add a theme about as often rightly as wrongly; one wrong
# addition more is let through, so that a single item does not decide (real copy rarely has
# time-with-customers at all: one wrong addition would switch the theme off).
SLACK = 1

Model = dict[str, tuple[dict[str, float], float]]  # theme -> (weights by term, bias)
# gold themes, the patterns' themes, per theme the highest probability of any sentence, and
# whether the item is real copy
Scored = tuple[frozenset[str], frozenset[str], dict[str, float], bool]


def learnable(rows: Sequence[Row]) -> list[str]:
    themes = sorted(load_catalogue().themes)
    return [t for t in themes if t not in PATTERNS_ONLY
            and sum(t in ts for _, ts in rows) >= MIN_POSITIVES]


def train(rows: Sequence[Row], themes: Sequence[str], c: float) -> Model:
    texts = [t for t, _ in rows]
    vocab = vocabulary(texts, MIN_DF)
    x = term_matrix(texts, vocab)
    model: Model = {}
    for theme in themes:
        w, b = fit_matrix(x, [theme in ts for _, ts in rows], c)
        model[theme] = ({t: round(float(v), 3) for t, v in zip(vocab, w, strict=True)
                         if abs(v) >= PRUNE}, b)
    return model


def as_word_themes(model: Model) -> wordthemes.WordThemes:
    names = tuple(sorted(model))
    by_term: dict[str, list[tuple[int, float]]] = {}
    for k, name in enumerate(names):
        for term, w in model[name][0].items():
            by_term.setdefault(term, []).append((k, w))
    return wordthemes.WordThemes(names, tuple(model[n][1] for n in names),
                                 tuple(OFF for _ in names),
                                 {t: tuple(v) for t, v in by_term.items()}, "")


def patterns_only(items: Sequence[EvalItem]) -> list[tuple[frozenset[str], list[str]]]:
    """Each item's themes from the patterns alone, and its sentences' texts."""
    from msglint.readers import read_bytes

    analyzer = patterns_analyzer(load_catalogue())
    sources = [read_bytes(i.text.encode("utf-8"), "<text>", "text") for i in items]
    return [(frozenset(m.theme for m in a.mentions),
             [s.text[x.start:x.end] for x in a.sentences])
            for s, a in zip(sources, analyzer.analyze(sources), strict=True)]


def score_dev(rows: Sequence[Row], themes: Sequence[str], c: float, items: Sequence[EvalItem],
              groups: Sequence[str]) -> list[Scored]:
    base = patterns_only(items)
    full = as_word_themes(train(rows, themes, c))
    models: dict[str, wordthemes.WordThemes] = {}
    for group in sorted(set(groups)):
        texts = {i.text for i, g in zip(items, groups, strict=True) if g == group}
        if any(r[0] in texts for r in rows):  # written items the model learns from
            models[group] = as_word_themes(train([r for r in rows if r[0] not in texts],
                                                 themes, c))
            print(f"  fold {group}: {len(texts)} items held out", file=sys.stderr)
    out: list[Scored] = []
    for item, group, (found, sentences) in zip(items, groups, base, strict=True):
        model = models.get(group, full)
        best: dict[str, float] = {}
        for sentence in sentences:
            for t, v in model.probabilities(sentence).items():
                best[t] = max(v, best.get(t, 0.0))
        out.append((frozenset(item.themes), found, best, item.kind == "real"))
    return out


def micro_f1(scored: Sequence[Scored], cuts: dict[str, float]) -> float:
    tp = fp = fn = 0
    for gold, found, best, _ in scored:
        pred = set(found) | {t for t, v in best.items() if v > cuts.get(t, OFF)}
        tp += len(pred & gold)
        fp += len(pred - gold)
        fn += len(gold - pred)
    return 2 * tp / max(1, 2 * tp + fp + fn)


def balanced_f1(scored: Sequence[Scored], cuts: dict[str, float]) -> float:
    """The mean of the real copy's micro F1 and the written copy's: each kind of copy counts
    the same, however many items of it the dev pool holds."""
    real = [s for s in scored if s[3]]
    written = [s for s in scored if not s[3]]
    return (micro_f1(real, cuts) + micro_f1(written, cuts)) / 2


def real_additions(scored: Sequence[Scored], theme: str, cut: float) -> tuple[int, int]:
    """(right, wrong): the real items the model would give ``theme`` that the patterns did not."""
    right = wrong = 0
    for gold, found, best, real in scored:
        if real and theme not in found and best.get(theme, 0.0) > cut:
            right += theme in gold
            wrong += theme not in gold
    return right, wrong


def choose(scored: Sequence[Scored], themes: Sequence[str]) -> dict[str, float]:
    """Per theme (two coordinate passes), the threshold with the best balanced_f1 among those
    whose additions to real copy are wrong at most SLACK times more than they are right. Ties
    go to the higher threshold; a theme no threshold helps is left out."""
    cuts: dict[str, float] = {}
    for _ in range(2):
        for theme in themes:
            allowed = [g for g in GRID
                       if (lambda rw: rw[1] - rw[0] <= SLACK)(real_additions(scored, theme, g))]
            cuts[theme] = max((OFF, *allowed),
                              key=lambda g: (balanced_f1(scored, {**cuts, theme: g}), g))
    return {t: v for t, v in cuts.items() if v < OFF}


def document(model: Model, cuts: dict[str, float], c: float, rows: Sequence[Row],
             before: float, after: float, items: int) -> dict[str, Any]:
    return {
        "about": "msglint's theme word model; generated by benchmarks/train_theme_words.py, "
                 "do not edit",
        "C": c, "min_df": MIN_DF, "rows": len(rows), "data_digest": data_digest(rows),
        "calibration": {"dev_items": items, "balanced_f1_patterns": round(before, 4),
                        "balanced_f1_with_model": round(after, 4)},
        "themes": {
            t: {"threshold": cuts[t], "bias": round(model[t][1], 6),
                "weights": dict(sorted(model[t][0].items()))}
            for t in sorted(cuts)
        },
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--C", type=float, default=DEFAULT_C, help="inverse L2 penalty")
    ap.add_argument("--corpus", type=Path, default=None,
                    help="the shared corpus folder (default ../shared/corpus)")
    ap.add_argument("--out", type=Path, default=None,
                    help="where to write (default rules/theme-words.json)")
    args = ap.parse_args()
    if not has_scipy("train_theme_words"):
        return 2
    rows = training_rows()
    themes = learnable(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        items, groups = load_dev(corpus=args.corpus)
        if not any(i.kind == "real" for i in items):
            # without real copy the rule that guards it would pass every threshold unseen
            where = args.corpus or ROOT.parent / "shared" / "corpus"
            print(f"train_theme_words: error: {where}: no real dev items could be read (is the "
                  "shared corpus there?); thresholds are chosen on real copy too, give its "
                  "folder with --corpus", file=sys.stderr)
            return 2
        scored = score_dev(rows, themes, args.C, items, groups)
    cuts = choose(scored, themes)
    before, after = balanced_f1(scored, {}), balanced_f1(scored, cuts)
    model = train(rows, sorted(cuts), args.C)
    doc = document(model, cuts, args.C, rows, before, after, len(scored))
    out = args.out or wordthemes.path()
    out.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{out}: {len(cuts)} themes, {sum(len(t['weights']) for t in doc['themes'].values())} "
          f"weights from {len(rows)} rows, digest {doc['data_digest']}; dev balanced F1 "
          f"{before:.4f} -> {after:.4f} on {len(scored)} items")
    for t in sorted(cuts):
        print(f"  {t:28s} threshold {cuts[t]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

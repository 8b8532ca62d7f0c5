"""What would a theme head trained on labelled *real* copy buy? A study; nothing here ships.

The shipped head (benchmarks/train_semantic_head.py) learns only from text we wrote, because the
corpus's copy is GPL-3.0 / MPL-2.0 (../shared/corpus/README.md) and weights learned from it would
carry that question into the package. This script measures what answering the question the other
way would be worth, so the decision can be taken on a figure:

* train one logistic regression per theme (the trainer's own ``fit_logistic``) on the sentence
  vectors of the dev real items (every real file of tests/eval except the measure-only ones, and
  the dev split of real.jsonl), whole items, with the readers' labels;
* add a theme to the patterns' when its probability reaches one threshold, chosen by five-fold
  cross-validation on those dev items;
* score the measure-only real files (never tuned on, never trained on) with patterns alone and
  with patterns plus the head.

    python benchmarks/real_head_study.py --cache /tmp/emb.pkl   # needs msglint[semantic]

The figures are in docs/quality.md ("Session 9").
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from semantic_calibrate import MEASURE_ONLY, CachedEmbedder  # noqa: E402
from train_semantic_head import fit_logistic, float_list  # noqa: E402

from msglint import semantic  # noqa: E402
from msglint.errors import MsglintError  # noqa: E402
from msglint.evaluation import THEME_IDS, EvalItem, load_dataset  # noqa: E402

THEMES = sorted(THEME_IDS)
FOLDS = 5


def load_real(corpus: Path) -> tuple[list[EvalItem], list[EvalItem]]:
    """(dev real items, measure-only real items)."""
    dev: list[EvalItem] = []
    measured: list[EvalItem] = []
    eval_dir = ROOT / "tests" / "eval"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in sorted((eval_dir / "dev-only").glob("real*.jsonl")):
            (measured if path.stem in MEASURE_ONLY else dev).extend(load_dataset(path, corpus))
        dev += [i for i in load_dataset(eval_dir / "real.jsonl", corpus) if i.split == "dev"]
    return dev, measured


def labels(items: Sequence[EvalItem]) -> Any:
    import numpy as np

    return np.array([[t in i.themes for t in THEMES] for i in items], dtype=bool)


def pattern_labels(items: Sequence[EvalItem]) -> Any:
    import numpy as np

    from msglint.api import lint_texts

    results = lint_texts([i.text for i in items], "smb-owner")
    found = [{m.theme for m in r.themes} for r in results]
    return np.array([[t in f for t in THEMES] for f in found], dtype=bool)


def micro(pred: Any, gold: Any) -> tuple[float, float, float]:
    tp = int((pred & gold).sum())
    fp = int((pred & ~gold).sum())
    fn = int((~pred & gold).sum())
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return f1, tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def fit_predict(x_train: Any, y_train: Any, x_test: Any, c: float) -> Any:
    import numpy as np

    out = np.zeros((len(x_test), len(THEMES)))
    for j in range(len(THEMES)):
        if y_train[:, j].sum() < 2:  # nothing to learn: the head never adds the theme
            continue
        w, b = fit_logistic(x_train, y_train[:, j], c)
        out[:, j] = 1.0 / (1.0 + np.exp(-(x_test @ w + b)))
    return out


def main() -> int:
    import numpy as np

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, help="pickle file of embeddings (e.g. under /tmp)")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--C", type=float_list, default="0.3,1,3",
                    help="inverse L2 penalties to try")
    args = ap.parse_args()
    if not (args.corpus / "jin2021_slogan_valid.csv").is_file():
        print(f"real_head_study: error: {args.corpus}: not the shared corpus; give its folder "
              "with --corpus", file=sys.stderr)
        return 2
    dev, measured = load_real(args.corpus)
    embedder = CachedEmbedder(semantic.MiniLMEmbedder(), args.cache)
    try:
        x_dev = embedder.encode([i.text for i in dev])
        x_meas = embedder.encode([i.text for i in measured])
    except MsglintError as exc:
        print(f"real_head_study: error: {exc}", file=sys.stderr)
        return 2
    embedder.save()
    y_dev, y_meas = labels(dev), labels(measured)
    p_dev, p_meas = pattern_labels(dev), pattern_labels(measured)
    print(f"dev real items {len(dev)}, measure-only real items {len(measured)}")
    print("{:<34} {:>6} {:>6} {:>6}".format("", "F1", "prec", "rec"))
    print("{:<34} {:6.3f} {:6.3f} {:6.3f}".format("patterns, measure-only", *micro(p_meas, y_meas)))
    fold = np.random.default_rng(0).integers(0, FOLDS, len(dev))
    grid = np.round(np.arange(0.50, 1.0, 0.02), 2)
    for c in args.C:
        cv = np.zeros(y_dev.shape)
        for k in range(FOLDS):
            cv[fold == k] = fit_predict(x_dev[fold != k], y_dev[fold != k], x_dev[fold == k], c)
        best = max(grid, key=lambda t: micro(p_dev | (cv >= t), y_dev)[0])
        probs = fit_predict(x_dev, y_dev, x_meas, c)
        f1, prec, rec = micro(p_meas | (probs >= best), y_meas)
        print(f"{f'+ head C={c:g} t={best:.2f}, measure-only':<34} {f1:6.3f} {prec:6.3f} {rec:6.3f}"
              f"   (dev five-fold {micro(p_dev | (cv >= best), y_dev)[0]:.3f},"
              f" patterns {micro(p_dev, y_dev)[0]:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

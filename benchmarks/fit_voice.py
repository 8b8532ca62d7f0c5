"""Fit the voice model's weights and thresholds (msglint/voice.py: WEIGHTS, the two thresholds).

The voice model is linear per item: an item's customer (vendor) score is the weighted sum of the
counts of its customer (vendor) features over all its sentences, and its label follows from
customer_focus = customer / (customer + vendor) and the two thresholds. So an item is fully
described by its feature counts (benchmarks/voice_study.py extracts them by running msglint),
and fitting never needs spaCy again.

Procedure (deterministic, no randomness):

1. Weights: projected gradient descent (weights >= 0; "reader" fixed at 1.0, which sets the
   scale) on the mean cross-entropy of customer_focus against the gold label (customer 1,
   vendor 0, mixed 0.5; neutral items and items with no signal left out), plus an L2 pull
   (PULL) toward PRIOR (every weight 1.0): full batch, STEPS steps of size RATE.
2. Weights rounded to 0.05.
3. Thresholds: grid search (steps of 0.025) over VENDOR_THRESHOLD < CUSTOMER_THRESHOLD for
   the sum of vendor/customer accuracy and 4-way accuracy on the same items (neutral included:
   an item with no signal is predicted neutral); ties go to the first in grid order. The band
   between them is kept open (at least one grid step) so that ``mixed`` stays a label msglint
   can give: on the v2 labels an equal pair (0.5 / 0.5) scored about the same and never says
   ``mixed``.

Only dev items are ever used (benchmarks/voice_study.py never loads the test split).

    python benchmarks/fit_voice.py            # fit on all dev items, print WEIGHTS for voice.py
    python benchmarks/fit_voice.py --json     # the same as JSON
    python benchmarks/fit_voice.py --data /tmp/devset  # fit on the *.jsonl files of a folder
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

PULL = 0.01
PRIOR = 1.0
STEPS = 4000
RATE = 0.5
FIXED = "reader"
GRID = [round(0.3 + 0.025 * i, 3) for i in range(21)]  # 0.3 .. 0.8

Features = Mapping[str, float]
Item = tuple[Features, str]  # (feature counts summed over the item's sentences, gold voice)


def _matrices(items: Sequence[Item], names: Sequence[str], sides: Mapping[str, str]
              ) -> tuple[np.ndarray, np.ndarray]:
    """Customer and vendor count matrices (items x features; a column is 0 on the other side)."""
    xc = np.zeros((len(items), len(names)))
    xv = np.zeros((len(items), len(names)))
    for i, (feats, _) in enumerate(items):
        for j, name in enumerate(names):
            count = feats.get(name, 0.0)
            if sides[name] == "customer":
                xc[i, j] = count
            else:
                xv[i, j] = count
    return xc, xv


def fit_weights(items: Sequence[Item], sides: Mapping[str, str]) -> dict[str, float]:
    """Step 1 and 2: the rounded weights."""
    names = sorted(sides)
    target = {"customer": 1.0, "vendor": 0.0, "mixed": 0.5}
    used = [it for it in items if it[1] in target]
    xc, xv = _matrices(used, names, sides)
    y = np.array([target[g] for _, g in used])
    w = np.full(len(names), PRIOR)
    fixed = names.index(FIXED)
    w[fixed] = 1.0
    eps = 1e-6
    for _ in range(STEPS):
        c = xc @ w
        v = xv @ w
        total = c + v
        ok = total > eps
        f = np.clip(np.where(ok, c / np.where(ok, total, 1.0), 0.5), eps, 1 - eps)
        dl_df = np.where(ok, (f - y) / (f * (1 - f)), 0.0)
        t2 = np.where(ok, total ** 2, 1.0)
        dl_dc = dl_df * v / t2
        dl_dv = -dl_df * c / t2
        grad = (xc.T @ dl_dc + xv.T @ dl_dv) / max(1, int(ok.sum()))
        grad += 2 * PULL * (w - PRIOR)
        w = np.maximum(0.0, w - RATE * grad)
        w[fixed] = 1.0
    return {n: round(round(float(x) / 0.05) * 0.05, 2) for n, x in zip(names, w, strict=True)}


def scores(feats: Features, weights: Mapping[str, float], sides: Mapping[str, str]
           ) -> tuple[float, float]:
    c = v = 0.0
    for name, count in feats.items():
        if sides[name] == "customer":
            c += weights[name] * count
        else:
            v += weights[name] * count
    return c, v


def label(c: float, v: float, customer_threshold: float, vendor_threshold: float) -> str:
    """msglint.voice.label_for with explicit thresholds."""
    from msglint.voice import label_for

    return label_for(c, v, customer_threshold, vendor_threshold)


def accuracy(items: Sequence[Item], weights: Mapping[str, float], sides: Mapping[str, str],
             customer_threshold: float, vendor_threshold: float) -> tuple[float, float, int, int]:
    """(vendor/customer accuracy, 4-way accuracy, vendor/customer items, items)."""
    vc_ok = vc_n = ok = 0
    for feats, gold in items:
        got = label(*scores(feats, weights, sides), customer_threshold, vendor_threshold)
        ok += got == gold
        if gold in ("vendor", "customer"):
            vc_n += 1
            vc_ok += got == gold
    return vc_ok / max(1, vc_n), ok / max(1, len(items)), vc_n, len(items)


def fit_thresholds(items: Sequence[Item], weights: Mapping[str, float],
                   sides: Mapping[str, str]) -> tuple[float, float]:
    """Step 3: (CUSTOMER_THRESHOLD, VENDOR_THRESHOLD)."""
    pairs = [(scores(f, weights, sides), g) for f, g in items]
    best: tuple[float, float, float] | None = None
    for ct in GRID:
        for vt in GRID:
            if vt >= ct:
                break
            vc_ok = vc_n = ok = 0
            for (c, v), gold in pairs:
                got = label(c, v, ct, vt)
                ok += got == gold
                if gold in ("vendor", "customer"):
                    vc_n += 1
                    vc_ok += got == gold
            value = vc_ok / max(1, vc_n) + ok / max(1, len(pairs))
            if best is None or value > best[0] + 1e-12:
                best = (value, ct, vt)
    assert best is not None
    return best[1], best[2]


def fit(items: Sequence[Item], sides: Mapping[str, str]
        ) -> tuple[dict[str, float], float, float]:
    """Weights, CUSTOMER_THRESHOLD, VENDOR_THRESHOLD fitted on ``items``."""
    weights = fit_weights(items, sides)
    ct, vt = fit_thresholds(items, weights, sides)
    return weights, ct, vt


def main() -> None:
    import voice_study

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print the fit as JSON")
    ap.add_argument("--data", type=Path, metavar="DIR",
                    help="fit on the *.jsonl files of DIR (dev items only) instead of tests/eval")
    args = ap.parse_args()
    if args.data is not None:
        voice_study.DATA = args.data
        groups = voice_study.extract(tuple(sorted(p.stem for p in args.data.glob("*.jsonl"))))
    else:
        groups = voice_study.extract()
    items = [(it.features, it.gold) for group in groups.values() for it in group]
    sides = voice_study.sides()
    weights, ct, vt = fit(items, sides)
    if args.json:
        print(json.dumps({"weights": weights, "customer_threshold": ct,
                          "vendor_threshold": vt}, indent=1))
        return
    print(f"# fitted on {len(items)} dev items")
    for name, (side, _) in voice_study.current_weights().items():
        print(f'    "{name}": ("{side}", {weights[name]}),')
    print(f"CUSTOMER_THRESHOLD = {ct}\nVENDOR_THRESHOLD = {vt}")
    vc, four, _, _ = accuracy(items, weights, sides, ct, vt)
    print(f"# in-sample: vendor/customer {vc:.3f}, 4-way {four:.3f}")


if __name__ == "__main__":
    main()

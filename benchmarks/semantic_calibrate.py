"""Calibrate the semantic layer's threshold and margins on the DEV split (it refuses test).

Lints the dev items once with patterns only, embeds every sentence and clause once, then replays
the decision rule of msglint/semantic.py for a grid of settings and prints micro F1, precision,
recall, paraphrase recall, hard-negative false alarms and how many labels the layer added
right and wrong. A replay, not the pipeline: negation and vetoes are left out, so confirm the
chosen setting with `msglint eval tests/eval --split dev --semantic`.

    python benchmarks/semantic_calibrate.py
"""

from __future__ import annotations

import argparse
import itertools
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from msglint import api, semantic  # noqa: E402
from msglint.catalogue import load_catalogue  # noqa: E402
from msglint.evaluation import evaluate, load_dataset  # noqa: E402
from msglint.readers import read_bytes  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="dev", choices=["dev"], help="only dev: never tune on test")
    ap.add_argument("--thresholds", default="0.45,0.50,0.55,0.60")
    ap.add_argument("--margins", default="0.05,0.10,0.15")
    ap.add_argument("--background-margins", default="-1,0,0.05,0.10")
    args = ap.parse_args()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        items = load_dataset(ROOT / "tests" / "eval", split=args.split)
    cat = load_catalogue()
    prof = api.get_profile("smb-owner", cat)
    sources = [read_bytes(i.text.encode(), f"<{n}>", "text") for n, i in enumerate(items)]
    analyses = api.analyzer_for(prof, cat).analyze(sources)
    results = [api.build_result(s, a, prof, cat, {}) for s, a in zip(sources, analyses,
                                                                     strict=True)]
    base = [({m.theme for m in r.themes}, r.voice.label if r.voice else "neutral")
            for r in results]
    matcher = semantic.SemanticMatcher(list(cat.themes.values()))
    ids = [t.id for t in matcher.themes]
    rows: list[tuple[int, int, set[str]]] = []  # (item, sentence, themes its patterns found)
    pieces: list[str] = []
    for n, (src, a) in enumerate(zip(sources, analyses, strict=True)):
        for k, s in enumerate(a.sentences):
            text = src.text[s.start:s.end]
            found = {m.theme for m in a.mentions if m.sentence == k}
            for ps, pe in semantic.clauses(text):
                rows.append((n, k, found))
                pieces.append(text[ps:pe])
    pos, neg, bg = matcher.similarities(pieces)
    nearest = pos.argmax(axis=1)

    def replay(threshold: float, margin: float, bg_margin: float) -> list[set[str]]:
        preds = [set(b[0]) for b in base]
        for r, (n, _k, found) in enumerate(rows):
            ti = int(nearest[r])
            tid, p = ids[ti], float(pos[r, ti])
            if tid in found or tid not in matcher.taking_part:
                continue
            if p >= threshold and p - neg[r, ti] >= margin and p - bg[r] >= bg_margin:
                preds[n].add(tid)
        return preds

    def score(preds: list[set[str]]) -> tuple[float, ...]:
        lookup = {i.text: (p, b[1]) for i, p, b in zip(items, preds, base, strict=True)}
        rep = evaluate(items, lambda t: lookup[t])
        added = [(t in i.themes) for i, p, b in zip(items, preds, base, strict=True)
                 for t in p - b[0]]
        return (rep.micro_f1 or 0, rep.micro_precision or 0, rep.micro_recall or 0,
                rep.paraphrase_recall or 0, rep.hard_negative_false_alarm_rate or 0,
                sum(added), len(added) - sum(added))

    def floats(s: str) -> list[float]:
        return [float(x) for x in s.split(",")]

    print(f"{len(items)} {args.split} items, {len(pieces)} pieces; patterns only: "
          + " ".join(f"{x:.3f}" for x in score([b[0] for b in base])[:5]))
    print("thresh margin bg    microF1 prec   recall para   hardneg +right +wrong")
    out = []
    for t, m, b in itertools.product(floats(args.thresholds), floats(args.margins),
                                     floats(args.background_margins)):
        out.append(((t, m, b), score(replay(t, m, b))))
    for (t, m, b), s in sorted(out, key=lambda x: -x[1][0]):
        print(f"{t:<6} {m:<6} {b:<5} " + " ".join(f"{x:.3f}" for x in s[:5])
              + f" {s[5]:>6} {s[6]:>6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Calibrate the semantic layer on DEV items only (it has no way to load the test split).

Lints the dev items (the dev split of tests/eval plus everything in tests/eval/dev-only) once with
patterns only, embeds every sentence and clause once, then replays the decision rule of
msglint/semantic.py for a grid of settings. Two views of each setting:

* **combined**: patterns plus the layer, as `msglint eval --semantic` scores it: micro F1,
  precision, paraphrase recall, hard-negative false alarms, labels the layer added right/wrong;
* **alone**: the layer with the lexicon switched off, scored on the 11 customer-outcome drivers
  only (precision, recall, F1). The lexicon was tuned on the dev misses, so on dev it leaves the
  layer little to add; "alone" measures the layer on every dev sentence that carries a driver,
  which is closer to copy the lexicon has never seen.

``--cv`` picks the setting on four folds of the items and scores it on the fifth (five times),
so the figure printed is what the *choice* is worth on items it was not chosen on.

A replay, not the pipeline: negation and vetoes are left out, so confirm the chosen setting with
`msglint eval tests/eval --split dev --semantic` and `msglint eval tests/eval/dev-only --semantic`.

    python benchmarks/semantic_calibrate.py [--cv] [--top 25]
    python benchmarks/semantic_calibrate.py --data /tmp/tune --corpus ../shared/corpus --loo

The measure-only dev files (real11, real13, real22, real28, real32, real35, probes2, probes4)
are left out unless ``--exclude`` says otherwise.

``--cache FILE`` keeps every embedded text in FILE (a pickle, e.g. under /tmp) so a second run
after editing theme examples embeds only the new sentences. ``--fit GROUPS`` chooses the
setting on some item groups (``dev`` is the dev split of tests/eval; ``extra``, ``real2`` ...
the dev-only files) and reports it on the others; ``--loo`` leaves one group out at a time.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from msglint import api, semantic  # noqa: E402
from msglint.analysis import Analyzer  # noqa: E402
from msglint.catalogue import Catalogue, load_catalogue  # noqa: E402
from msglint.evaluation import EvalItem, evaluate, load_dataset  # noqa: E402
from msglint.profile import Profile  # noqa: E402
from msglint.readers import read_bytes  # noqa: E402

Setting = tuple[float, float, float, int]  # threshold, margin, background margin, top_k


# Dev-only files that are measured, never tuned on (tests/eval/README.md): left out unless named
# in --data. probes2 was written blind to be measured before and after a round.
MEASURE_ONLY = frozenset({"real11", "real13", "real22", "real28", "real32", "real35", "probes2",
                          "probes4"})


def patterns_analyzer(catalogue: Catalogue, profile: Profile | None = None) -> Analyzer:
    """An Analyzer that finds themes by the patterns alone: no semantic layer and no theme word
    model. That model has learnt the written dev items, so a calibration baseline that ran it
    would read them in-sample (session 13). Voice is read as in every lint."""
    from msglint import wordvoice

    themes = list(catalogue.themes.values()) + list(profile.themes if profile else ())
    return Analyzer(themes, brands=profile.brands if profile else (),
                    word_voice=wordvoice.builtin())


def load_dev(data: Path | None = None, exclude: frozenset[str] = MEASURE_ONLY,
             corpus: Path | None = None) -> tuple[list[EvalItem], list[str]]:
    """Dev items and the group of each: "dev" (dev split of tests/eval) or a dev-only file.

    With ``data`` (a folder of .jsonl files, e.g. a copy of the files to tune on), its files
    instead, each a group; only items of split dev are kept either way.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if data is not None:
            items, groups = [], []
            files = sorted(data.glob("*.jsonl")) if data.is_dir() else [data]
        else:
            items = list(load_dataset(ROOT / "tests" / "eval", corpus, split="dev"))
            groups = ["dev"] * len(items)
            files = sorted((ROOT / "tests" / "eval" / "dev-only").glob("*.jsonl"))
        for file in files:
            if file.stem in exclude:
                continue
            more = [i for i in load_dataset(file, corpus) if i.split == "dev"]
            items += more
            groups += [file.stem] * len(more)
    return items, groups


class CachedEmbedder:
    """Wraps an embedder with a text -> vector cache kept in a pickle file."""

    def __init__(self, inner: Any, path: Path | None) -> None:
        import pickle

        self.inner, self.path, self.name = inner, path, inner.name
        self.cache: dict[str, Any] = {}
        if path is not None and path.exists():
            self.cache = pickle.loads(path.read_bytes())  # noqa: S301 - our own /tmp file
        self.fresh = 0

    def encode(self, texts: Sequence[str]) -> Any:
        import numpy as np

        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if todo:
            for t, v in zip(todo, self.inner.encode(todo), strict=True):
                self.cache[t] = v
            self.fresh += len(todo)
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 384))

    def save(self) -> None:
        import pickle

        if self.path is not None and self.fresh:
            self.path.write_bytes(pickle.dumps(self.cache))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--thresholds", default="0.45,0.50,0.55,0.60,0.65")
    ap.add_argument("--margins", default="0.0,0.05,0.10")
    ap.add_argument("--background-margins", default="0,0.05,0.10")
    ap.add_argument("--top-k", default="1,2", help="mean of a theme's k nearest prototypes")
    ap.add_argument("--objective", default="combined", choices=["combined", "alone", "both"],
                    help="what --cv and the ranking maximise (both: mean of the two F1)")
    ap.add_argument("--max-hardneg", type=float, default=0.15,
                    help="settings with more hard-negative false alarms on dev are not chosen")
    ap.add_argument("--gate", default=semantic.GATE, choices=["none", "driver"],
                    help="driver: a piece whose sentence has a driver found by patterns gets "
                         "nothing by meaning (combined view)")
    ap.add_argument("--top", type=int, default=20, help="rows of the grid to print")
    ap.add_argument("--cv", action="store_true", help="5-fold cross-validation of the choice")
    ap.add_argument("--show", metavar="T,M,B,K", help="print every label this setting adds "
                    "(combined view) and whether the dev label agrees")
    ap.add_argument("--per-theme", action="store_true",
                    help="per-theme alone P/R at the module's current setting")
    ap.add_argument("--offsets", help="per-theme offsets, e.g. more-revenue=-0.03,lower-costs=0.05 "
                    "(over the module's OFFSETS)")
    ap.add_argument("--cache", type=Path, help="pickle file of embeddings (e.g. under /tmp)")
    ap.add_argument("--fit", help="choose on these groups (comma-separated), report the rest")
    ap.add_argument("--loo", action="store_true", help="leave one group out at a time")
    ap.add_argument("--misses", action="store_true", help="dev paraphrase items the module "
                    "setting misses, with the nearest theme of their best piece")
    ap.add_argument("--misses-alone", action="store_true", help="--misses in the alone view")
    ap.add_argument("--long-words", type=int, help="override LONG_SENTENCE_WORDS (clause "
                    "splitting from this many words)")
    ap.add_argument("--min-clause-words", type=int, help="override MIN_CLAUSE_WORDS")
    ap.add_argument("--data", type=Path, help="score the .jsonl files of this folder instead "
                    "of the dev split and dev-only/ (each file a group; dev items only)")
    ap.add_argument("--corpus", type=Path, help="folder of the shared corpus (real items)")
    ap.add_argument("--exclude", default=",".join(sorted(MEASURE_ONLY)),
                    help="file stems to leave out (default: the measure-only files)")
    args = ap.parse_args()
    if args.long_words:
        semantic.LONG_SENTENCE_WORDS = args.long_words
    if args.min_clause_words:
        semantic.MIN_CLAUSE_WORDS = args.min_clause_words

    items, groups = load_dev(args.data, frozenset(filter(None, args.exclude.split(","))),
                             args.corpus)
    cat = load_catalogue()
    prof = api.get_profile("smb-owner", cat)
    sources = [read_bytes(i.text.encode(), f"<{n}>", "text") for n, i in enumerate(items)]
    analyses = patterns_analyzer(cat, prof).analyze(sources)
    results = [api.build_result(s, a, prof, cat, {}) for s, a in zip(sources, analyses,
                                                                     strict=True)]
    base = [({m.theme for m in r.themes}, r.voice.label if r.voice else "neutral")
            for r in results]
    embedder = CachedEmbedder(semantic.MiniLMEmbedder(), args.cache)
    # the prototype rule alone: since session 8 it decides only the themes the trained head
    # does not know (a profile's own), so it is calibrated without the head
    matcher = semantic.SemanticMatcher(list(cat.themes.values()), embedder, head=None)
    ids = [t.id for t in matcher.themes]
    drivers = sorted(matcher.taking_part)
    rows: list[tuple[int, set[str]]] = []  # (item, themes its patterns found in the sentence)
    pieces: list[str] = []
    for n, (src, a) in enumerate(zip(sources, analyses, strict=True)):
        for k, s in enumerate(a.sentences):
            text = src.text[s.start:s.end]
            found = {m.theme for m in a.mentions if m.sentence == k}
            for ps, pe in semantic.clauses(text):
                rows.append((n, found))
                pieces.append(text[ps:pe])
    ks = sorted({int(x) for x in args.top_k.split(",")})
    scored: dict[int, Any] = {}
    for k in ks:
        matcher.top_k = k
        scored[k] = matcher.similarities(pieces)
    embedder.save()
    offsets = dict(semantic.OFFSETS)
    for part in filter(None, (args.offsets or "").split(",")):
        tid, _, val = part.partition("=")
        offsets[tid] = float(val)

    def replay(s: Setting, alone: bool) -> list[set[str]]:
        threshold, margin, bg_margin, k = s
        pos, neg, bg = scored[k]
        preds = [set() if alone else set(b[0]) for b in base]
        for r, (n, found) in enumerate(rows):
            ti = int(pos[r].argmax())
            tid, p = ids[ti], float(pos[r, ti])
            if tid not in matcher.taking_part or (not alone and tid in found):
                continue
            if not alone and args.gate == "driver" and found & matcher.taking_part:
                continue
            if p >= threshold + offsets.get(tid, 0.0) and p - neg[r, ti] >= margin \
                    and p - bg[r] >= bg_margin:
                preds[n].add(tid)
        return preds

    def counts(idx: Sequence[int], s: Setting) -> dict[str, int]:
        comb, alone = replay(s, False), replay(s, True)
        c = dict.fromkeys(("tp", "fp", "fn", "ptp", "pfn", "hn", "hnfa", "atp", "afp", "afn",
                           "add_ok", "add_bad", "aptp", "apfn"), 0)
        for n in idx:
            it, gold = items[n], set(items[n].themes)
            pred = comb[n]
            c["tp"] += len(gold & pred)
            c["fp"] += len(pred - gold)
            c["fn"] += len(gold - pred)
            if it.kind == "paraphrase":
                c["ptp"] += len(gold & pred)
                c["pfn"] += len(gold - pred)
            if it.kind == "hard-negative":
                c["hn"] += 1
                c["hnfa"] += bool(pred - gold)
            added = pred - base[n][0]
            c["add_ok"] += len(added & gold)
            c["add_bad"] += len(added - gold)
            g = gold & set(drivers)
            c["atp"] += len(g & alone[n])
            c["afp"] += len(alone[n] - g)
            c["afn"] += len(g - alone[n])
            if it.kind == "paraphrase":
                c["aptp"] += len(g & alone[n])
                c["apfn"] += len(g - alone[n])
        return c

    def f1(tp: int, fp: int, fn: int) -> float:
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    def objective(c: dict[str, int]) -> float:
        if c["hn"] and c["hnfa"] / c["hn"] > args.max_hardneg:
            return -1.0
        comb, alone = f1(c["tp"], c["fp"], c["fn"]), f1(c["atp"], c["afp"], c["afn"])
        return {"combined": comb, "alone": alone, "both": (comb + alone) / 2}[args.objective]

    def line(c: dict[str, int]) -> str:
        prec = c["tp"] / max(1, c["tp"] + c["fp"])
        para = c["ptp"] / max(1, c["ptp"] + c["pfn"])
        hn = c["hnfa"] / max(1, c["hn"])
        ap_ = c["atp"] / max(1, c["atp"] + c["afp"])
        ar = c["atp"] / max(1, c["atp"] + c["afn"])
        return (f"{f1(c['tp'], c['fp'], c['fn']):.3f} {prec:.3f} {para:.3f} {hn:.3f} "
                f"{c['add_ok']:>4} {c['add_bad']:>4} | {ap_:.3f} {ar:.3f} "
                f"{f1(c['atp'], c['afp'], c['afn']):.3f} "
                f"{c['aptp'] / max(1, c['aptp'] + c['apfn']):.3f}")

    def floats(s: str) -> list[float]:
        return [float(x) for x in s.split(",")]

    grid: list[Setting] = [(t, m, b, k) for t, m, b, k in itertools.product(
        floats(args.thresholds), floats(args.margins), floats(args.background_margins), ks)]
    everything = list(range(len(items)))
    patterns_only = evaluate(items, lambda t, d={i.text: b for i, b in zip(  # noqa: B008
        items, base, strict=True)}: d[t])
    print(f"{len(items)} dev items, {len(pieces)} pieces, {len(matcher.themes)} themes, "
          f"{sum(len(t.match_examples) + len(t.semantic_examples) for t in matcher.themes)} "
          f"prototypes; patterns only: micro F1 {patterns_only.micro_f1:.3f}, paraphrase "
          f"recall {patterns_only.paraphrase_recall:.3f}")
    print(f"module setting: threshold {semantic.DEFAULT_THRESHOLD}, margin {semantic.MARGIN}, "
          f"background margin {semantic.BACKGROUND_MARGIN}, top_k {semantic.TOP_K}")
    head = ("thresh margin bg   k | combined: F1  prec  para  hardneg +ok  +bad | "
            "alone: prec recall F1 para")
    print(head)
    table = [(s, counts(everything, s)) for s in grid]
    table.sort(key=lambda x: -objective(x[1]))
    real_items = [n for n in everything if groups[n].startswith("real")]
    for s, c in table[:args.top]:
        r = counts(real_items, s)
        print(f"{s[0]:<6} {s[1]:<6} {s[2]:<4} {s[3]} | " + line(c)
              + f" | real*: F1 {f1(r['tp'], r['fp'], r['fn']):.3f} "
                f"+{r['add_ok']}/-{r['add_bad']}")
    if args.cv:
        folds = [[n for n in everything if n % 5 == f] for f in range(5)]
        total: dict[str, int] = {}
        for f in range(5):
            train = [n for g in range(5) if g != f for n in folds[g]]
            best = max(grid, key=lambda s: objective(counts(train, s)))
            c = counts(folds[f], best)
            print(f"fold {f}: chose {best}; held out: " + line(c))
            for key, v in c.items():
                total[key] = total.get(key, 0) + v
        print("cross-validated (each fold scored with the setting chosen on the others):")
        print("                       " + line(total))
    if args.show:
        t, m, b, k = (float(x) for x in args.show.split(","))
        pos, neg, bg = scored[int(k)]
        for r, (n, found) in enumerate(rows):
            ti = int(pos[r].argmax())
            tid, p = ids[ti], float(pos[r, ti])
            if tid not in matcher.taking_part or tid in found or tid in base[n][0]:
                continue
            if args.gate == "driver" and found & matcher.taking_part:
                continue
            if p >= t + offsets.get(tid, 0.0) and p - neg[r, ti] >= m and p - bg[r] >= b:
                ok = "right" if tid in items[n].themes else "WRONG"
                print(f"{ok:5} {tid:28} {p:.3f} {p - neg[r, ti]:.3f} {p - bg[r]:.3f} "
                      f"{items[n].id:11} {pieces[r][:100]!r}")
    if args.per_theme:
        k = semantic.TOP_K if semantic.TOP_K in scored else ks[0]
        alone = replay((semantic.DEFAULT_THRESHOLD, semantic.MARGIN, semantic.BACKGROUND_MARGIN,
                        k), True)
        if args.show:
            t_, m_, b_, k_ = (float(x) for x in args.show.split(","))
            alone = replay((t_, m_, b_, int(k_)), True)
            comb = replay((t_, m_, b_, int(k_)), False)
        else:
            comb = replay((semantic.DEFAULT_THRESHOLD, semantic.MARGIN,
                           semantic.BACKGROUND_MARGIN, k), False)
        print("per theme, combined: added right/wrong on real* and elsewhere, paraphrase tp")
        for tid in drivers:
            r_ok = r_bad = o_ok = o_bad = ptp = 0
            for n, (c_, b0) in enumerate(zip(comb, base, strict=True)):
                if tid in c_ and tid not in b0[0]:
                    ok = tid in items[n].themes
                    if groups[n].startswith("real"):
                        r_ok, r_bad = r_ok + ok, r_bad + (not ok)
                    else:
                        o_ok, o_bad = o_ok + ok, o_bad + (not ok)
                if tid in alone[n] and tid in items[n].themes and items[n].kind == "paraphrase":
                    ptp += 1
            print(f"  {tid:<28} real +{r_ok}/-{r_bad}  other +{o_ok}/-{o_bad}  alone para tp {ptp}")
        print("per theme, layer alone: tp fp fn")
        for tid in drivers:
            tp = sum(tid in a and tid in i.themes for a, i in zip(alone, items, strict=True))
            fp = sum(tid in a and tid not in i.themes for a, i in zip(alone, items, strict=True))
            fn = sum(tid not in a and tid in i.themes for a, i in zip(alone, items, strict=True))
            print(f"  {tid:<28} {tp:>3} {fp:>3} {fn:>3}")
    names = list(dict.fromkeys(groups))
    real = [n for n in everything if groups[n].startswith("real")]

    def by_group(s: Setting, label: str) -> None:
        print(f"{label} {s}:")
        for g in names:
            print(f"  {g:<8} " + line(counts([n for n in everything if groups[n] == g], s)))
        print(f"  {'real*':<8} " + line(counts(real, s)))
        print(f"  {'all':<8} " + line(counts(everything, s)))

    module = (semantic.DEFAULT_THRESHOLD, semantic.MARGIN, semantic.BACKGROUND_MARGIN,
              semantic.TOP_K)
    if module[3] in scored:
        by_group(module, "per group, module setting")
    if args.show:
        by_group(tuple(float(x) for x in args.show.split(",")[:3])  # type: ignore[arg-type]
                 + (int(float(args.show.split(",")[3])),), "per group, --show")
    if args.fit:
        fit = set(args.fit.split(","))
        train = [n for n in everything if groups[n] in fit]
        best = max(grid, key=lambda s: objective(counts(train, s)))
        by_group(best, f"per group, chosen on {sorted(fit)}")
    if args.loo:
        for g in names:
            train = [n for n in everything if groups[n] != g]
            best = max(grid, key=lambda s: objective(counts(train, s)))
            held = [n for n in everything if groups[n] == g]
            print(f"leave out {g:<8} chose {best}; held out: " + line(counts(held, best))
                  + "  module: " + (line(counts(held, module)) if module[3] in scored else ""))
    if (args.misses or args.misses_alone) and module[3] in scored:
        pos, _neg, _bg = scored[module[3]]
        comb = replay(module, args.misses_alone)
        for n in everything:
            it = items[n]
            if it.kind != "paraphrase" or not set(it.themes) - comb[n]:
                continue
            rs = [r for r, (m, _f) in enumerate(rows) if m == n]
            for tid in sorted(set(it.themes) - comb[n]):
                if tid not in ids:
                    continue
                ti = ids.index(tid)
                r = max(rs, key=lambda r: pos[r, ti]) if rs else None
                if r is None:
                    print(f"MISS {groups[n]:<6} {it.id:11} {tid:28} (no piece)")
                    continue
                near = ids[int(pos[r].argmax())]
                print(f"MISS {groups[n]:<6} {it.id:11} {tid:28} {pos[r, ti]:.3f} nearest "
                      f"{near} {pos[r].max():.3f} bg {_bg[r]:.3f} neg {_neg[r, ti]:.3f} "
                      f"found={sorted(rows[r][1])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

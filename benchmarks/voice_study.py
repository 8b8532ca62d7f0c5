"""Voice accuracy per evaluation file, and leave-one-sample-out validation of the voice fit.

    python benchmarks/voice_study.py                 # per-file accuracy + leave-one-sample-out
    python benchmarks/voice_study.py --misses real5  # each missed item of a group, by sentence
    python benchmarks/voice_study.py --misses all --limit 200
    python benchmarks/voice_study.py --voice-rev bc8a713  # with voice.py as of a revision
    python benchmarks/voice_study.py --data /tmp/devset   # groups = the *.jsonl files of a folder

With ``--data DIR`` the groups are the ``*.jsonl`` files of DIR (every item must be dev) and the
leave-one-out rotation holds out each file in turn (leave one *file* out), fitting on all the
others (a file named real6 included: only without ``--data`` is real6 kept out of fits).
The confusion counts (gold x predicted voice) are printed for all groups together.

Groups (dev data only; the test split is never loaded): ``dev`` (the dev split of
tests/eval/real.jsonl + probes.jsonl), ``extra``, ``real2`` .. ``real5`` (tests/eval/dev-only).
``--with-real6`` also reports tests/eval/dev-only/real6.jsonl when it exists; it is never fitted
on and never part of the leave-one-sample-out rotation.

Each item is linted once (msglint.lint_text's path, with the real analyser) while
``msglint.voice.weigh`` is wrapped to record the named features of every signal; the per-item
sums reproduce msglint's own label exactly with the shipped weights (checked). That makes
re-weighting cheap: benchmarks/fit_voice.py fits weights and thresholds on the sums alone.

Leave-one-sample-out: for each of real2 .. real5, fit_voice.fit on every other group (dev, extra
and the three other real samples) and score the held-out sample. "shipped" is msglint's current
WEIGHTS and thresholds scored on the same sample (fitted on data that included it).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fit_voice

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "eval"
REAL_SAMPLES = ("real2", "real3", "real4", "real5")
GROUPS = ("dev", "extra", *REAL_SAMPLES)


@dataclass
class Item:
    id: str
    gold: str
    predicted: str
    text: str
    features: dict[str, float] = field(default_factory=dict)
    # (sentence text, parsed?, its features) in order
    sentences: list[tuple[str, bool, dict[str, float]]] = field(default_factory=list)


def current_weights() -> dict[str, tuple[str, float]]:
    from msglint import voice

    return dict(voice.WEIGHTS)


def sides() -> dict[str, str]:
    return {name: side for name, (side, _) in current_weights().items()}


def shipped() -> tuple[dict[str, float], float, float]:
    from msglint import voice

    return ({n: w for n, (_, w) in voice.WEIGHTS.items()}, voice.CUSTOMER_THRESHOLD,
            voice.VENDOR_THRESHOLD)


class _Recorder:
    """Wraps msglint.voice.weigh: features of each signal, by sentence.

    analysis.py weighs every sentence's words once, in order, then (outside any
    Analyzer._read_sentence or Analyzer._lean call) nothing else; inside _read_sentence(k) it
    weighs sentence k's mentions and parsed corrections, inside _lean(k) the trained voice
    model's reading of sentence k (the word model, or the semantic head's with --semantic).
    """

    def __init__(self) -> None:
        self.sentences: list[dict[str, float]] = []
        self.current: int | None = None

    def add(self, feats: dict[str, float]) -> None:
        if self.current is None:
            self.sentences.append(dict(feats))
            return
        target = self.sentences[self.current]
        for k, val in feats.items():
            target[k] = target.get(k, 0.0) + val


@contextmanager
def recording() -> Iterator[_Recorder]:
    from msglint import analysis, voice

    rec = _Recorder()
    original_weigh = voice.weigh
    original_read = analysis.Analyzer._read_sentence
    original_lean = analysis.Analyzer._lean

    def weigh(features: dict[str, float]) -> tuple[float, float]:
        rec.add(features)
        return original_weigh(features)

    def read_sentence(self: Any, res: Any, k: int, *args: Any, **kwargs: Any) -> None:
        rec.current = k
        try:
            original_read(self, res, k, *args, **kwargs)
        finally:
            rec.current = None

    def lean(res: Any, k: int, customer_leaning: float) -> None:
        rec.current = k
        try:
            original_lean(res, k, customer_leaning)
        finally:
            rec.current = None

    voice.weigh = weigh  # type: ignore[assignment]
    analysis.Analyzer._read_sentence = read_sentence  # type: ignore[method-assign]
    analysis.Analyzer._lean = staticmethod(lean)  # type: ignore[method-assign,assignment]
    try:
        yield rec
    finally:
        voice.weigh = original_weigh  # type: ignore[assignment]
        analysis.Analyzer._read_sentence = original_read  # type: ignore[method-assign]
        analysis.Analyzer._lean = staticmethod(original_lean)  # type: ignore[method-assign,assignment]


DATA: Path | None = None  # --data: a folder whose *.jsonl files are the groups


def _load(group: str) -> list[Any]:
    from msglint.evaluation import load_dataset

    with warnings.catch_warnings():
        if DATA is not None:
            items = list(load_dataset(DATA / f"{group}.jsonl"))
            assert all(it.split == "dev" for it in items), group
            return items
        warnings.simplefilter("ignore")
        if group == "dev":
            return list(load_dataset(EVAL, split="dev"))
        items = list(load_dataset(EVAL / "dev-only" / f"{group}.jsonl"))
    assert all(it.split == "dev" for it in items), group
    return items


def extract(groups: tuple[str, ...] = GROUPS) -> dict[str, list[Item]]:
    """Lint every item of each group, recording its voice features."""
    from msglint import api
    from msglint.catalogue import load_catalogue
    from msglint.readers import read_bytes

    catalogue = load_catalogue()
    profile = api.get_profile("smb-owner", catalogue)
    analyzer = api.analyzer_for(profile, catalogue)
    out: dict[str, list[Item]] = {}
    mismatches = 0
    for group in groups:
        items: list[Item] = []
        for ev in _load(group):
            source = read_bytes(ev.text.encode("utf-8"), "<text>", "text")
            with recording() as rec:
                analysis = analyzer.analyze([source])[0]
            result = api.build_result(source, analysis, profile, catalogue, {})
            assert len(rec.sentences) == len(analysis.sentences), ev.id
            total: dict[str, float] = {}
            sents = []
            for raw, feats in zip(analysis.sentences, rec.sentences, strict=True):
                for k, val in feats.items():
                    total[k] = total.get(k, 0.0) + val
                sents.append((source.text[raw.start:raw.end], raw.parsed,
                               {k: v for k, v in feats.items() if v}))
            item = Item(ev.id, ev.voice, result.voice.label, ev.text, total, sents)
            w, ct, vt = shipped()
            if fit_voice.label(*fit_voice.scores(total, w, sides()), ct, vt) != item.predicted:
                mismatches += 1
            items.append(item)
        out[group] = items
    if mismatches:
        print(f"warning: {mismatches} items' feature sums do not reproduce msglint's label",
              file=sys.stderr)
    return out


def use_voice_from(rev: str) -> None:
    """Run msglint with msglint/voice.py as of git revision ``rev``: its source is executed in
    the loaded module's namespace, so analysis.py's imported helpers call the old functions."""
    import subprocess

    from msglint import voice

    source = subprocess.run(["git", "show", f"{rev}:msglint/voice.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    exec(compile(source, f"{rev}:msglint/voice.py", "exec"), voice.__dict__)  # noqa: S102


def _pairs(items: list[Item]) -> list[fit_voice.Item]:
    return [(it.features, it.gold) for it in items]


def report(groups: dict[str, list[Item]]) -> None:
    w, ct, vt = shipped()
    s = sides()
    print("## Voice accuracy per group (shipped weights): vendor/customer, 4-way\n")
    print("| group | items | vendor/customer | v/c items | 4-way |")
    print("|---|---|---|---|---|")
    everything: list[Item] = []
    for name, items in groups.items():
        vc, four, n_vc, n = fit_voice.accuracy(_pairs(items), w, s, ct, vt)
        print(f"| {name} | {n} | {vc:.3f} | {n_vc} | {four:.3f} |")
        if DATA is not None or name != "real6":
            everything += items
    vc, four, n_vc, n = fit_voice.accuracy(_pairs(everything), w, s, ct, vt)
    print(f"| all dev | {n} | {vc:.3f} | {n_vc} | {four:.3f} |")
    labels = ("vendor", "customer", "mixed", "neutral")
    counts = {(g, p): 0 for g in labels for p in labels}
    for it in everything:
        counts[(it.gold, it.predicted)] += 1
    print("\n| gold \\ predicted | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for g in labels:
        print(f"| {g} | " + " | ".join(str(counts[(g, p)]) for p in labels) + " |")


def leave_one_sample_out(groups: dict[str, list[Item]],
                         held_out: tuple[str, ...] = REAL_SAMPLES) -> None:
    s = sides()
    w0, ct0, vt0 = shipped()
    print("\n## Leave one out: fit on the other groups, score the held-out group\n")
    print("| held out | items | shipped v/c | shipped 4-way | held-out v/c | held-out 4-way "
          "| thresholds |")
    print("|---|---|---|---|---|---|---|")
    sums = [0, 0, 0, 0, 0, 0, 0, 0]  # shipped vc ok, vc n, 4 ok, n; held-out the same
    for held in held_out:
        train = [p for g, items in groups.items()
                 if g != held and (DATA is not None or g != "real6") for p in _pairs(items)]
        test = _pairs(groups[held])
        weights, ct, vt = fit_voice.fit(train, s)
        a = fit_voice.accuracy(test, w0, s, ct0, vt0)
        b = fit_voice.accuracy(test, weights, s, ct, vt)
        print(f"| {held} | {a[3]} | {a[0]:.3f} | {a[1]:.3f} | {b[0]:.3f} | {b[1]:.3f} "
              f"| {ct} / {vt} |")
        for k, x in enumerate((a, b)):
            sums[4 * k] += round(x[0] * x[2])
            sums[4 * k + 1] += x[2]
            sums[4 * k + 2] += round(x[1] * x[3])
            sums[4 * k + 3] += x[3]
    print(f"| pooled | {sums[3]} | {sums[0] / sums[1]:.3f} | {sums[2] / sums[3]:.3f} "
          f"| {sums[4] / sums[5]:.3f} | {sums[6] / sums[7]:.3f} | |")


def show_misses(groups: dict[str, list[Item]], which: str, limit: int) -> None:
    w, ct, vt = shipped()
    s = sides()
    shown = 0
    for name, items in groups.items():
        if which not in ("all", name):
            continue
        for it in items:
            if it.predicted == it.gold:
                continue
            shown += 1
            if shown > limit:
                return
            c, v = fit_voice.scores(it.features, w, s)
            focus = c / (c + v) if c + v else 0.5
            print(f"\n### {name} {it.id}: gold {it.gold}, predicted {it.predicted} "
                  f"(customer {c:.2f}, vendor {v:.2f}, focus {focus:.2f})")
            for text, parsed, feats in it.sentences:
                shown_feats = ", ".join(f"{k}={v:g}" for k, v in sorted(feats.items()))
                print(f"  {'P' if parsed else '-'} {text.strip()!r}\n      {shown_feats}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--misses", metavar="GROUP", help="print missed items of GROUP (or all)")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--with-real6", action="store_true",
                    help="also report dev-only/real6.jsonl (never fitted on)")
    ap.add_argument("--no-loso", action="store_true", help="skip leave-one-sample-out")
    ap.add_argument("--data", type=Path, metavar="DIR",
                    help="groups are the *.jsonl files of DIR; leave one file out over all")
    ap.add_argument("--voice-rev", metavar="REV",
                    help="use msglint/voice.py as of git revision REV (before/after figures)")
    args = ap.parse_args()
    if args.voice_rev:
        use_voice_from(args.voice_rev)
    global DATA
    names: tuple[str, ...] = GROUPS
    if args.data is not None:
        DATA = args.data
        names = tuple(sorted(p.stem for p in args.data.glob("*.jsonl")))
    elif args.with_real6 and (EVAL / "dev-only" / "real6.jsonl").exists():
        names = (*GROUPS, "real6")
    groups = extract(names)
    if args.misses:
        show_misses(groups, args.misses, args.limit)
        return
    report(groups)
    if not args.no_loso:
        leave_one_sample_out(groups, names if DATA is not None else REAL_SAMPLES)


if __name__ == "__main__":
    main()

"""Would more written voice data, or refitted voice weights, move voice? A study; nothing ships.

Two measurements, on dev data only (the test split and the measure-only files are never read):

* ``curve``: the voice word model (benchmarks/train_voice_words.py) trained on a random 25 / 50 /
  75 / 100% of its written items, two seeds, and msglint's vendor/customer voice on probes8,
  the written file the voice model never learns from (train_semantic_head.VOICE_HELD_OUT).
* ``refit``: the voice weights and thresholds (msglint/voice.py, fitted by
  benchmarks/fit_voice.py) refitted leaving one dev file out at a time, each file scored by the
  weights fitted without it. Every written file is read by a voice word model trained without
  that file, so the ``meaning_*`` features it feeds the fit are out of fold too (real files
  never train the word model). Printed against the shipped weights on the same features.

    python benchmarks/voice_levers_study.py curve
    python benchmarks/voice_levers_study.py refit

Needs scipy (the semantic extra). The figures are in docs/quality.md ("Session 14").
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import fit_voice  # noqa: E402
import train_voice_words  # noqa: E402
import voice_study  # noqa: E402
from semantic_calibrate import MEASURE_ONLY  # noqa: E402
from train_semantic_head import VOICE_HELD_OUT, VoiceItem, voice_items, voice_rows  # noqa: E402

from msglint import api  # noqa: E402
from msglint.analysis import Analyzer  # noqa: E402
from msglint.catalogue import load_catalogue  # noqa: E402
from msglint.evaluation import EvalItem, evaluate, load_dataset  # noqa: E402
from msglint.wordvoice import WordVoice  # noqa: E402

DEV_ONLY = ROOT / "tests" / "eval" / "dev-only"
HELD_OUT_STEMS = frozenset(Path(name).stem for name in VOICE_HELD_OUT)


def word_model(items: Sequence[VoiceItem]) -> WordVoice:
    """The voice word model train_voice_words.py would write for these items."""
    rows = voice_rows(items)
    weights, bias = train_voice_words.fit([t for t, _ in rows], [c for _, c in rows],
                                          train_voice_words.DEFAULT_C)
    kept = {t: w for t, w in weights.items() if abs(w) >= train_voice_words.PRUNE}
    return WordVoice(kept, bias, "study")


def analyzer() -> Analyzer:
    catalogue = load_catalogue()
    return api.analyzer_for(api.get_profile("smb-owner", catalogue), catalogue)


def vendor_customer(items: Sequence[EvalItem], model: WordVoice | None) -> float:
    """msglint's vendor/customer voice accuracy on ``items`` with ``model`` as its word model."""
    analyzer().word_voice = model
    results = api.lint_texts([i.text for i in items], "smb-owner")
    by_text = {i.text: r for i, r in zip(items, results, strict=True)}

    def predict(text: str) -> tuple[set[str], str]:
        r = by_text[text]
        return {m.theme for m in r.themes}, r.voice.label if r.voice else "neutral"

    accuracy = evaluate(items, predict).vendor_customer_accuracy
    assert accuracy is not None
    return accuracy


def curve() -> None:
    items = voice_items()
    probes8 = list(load_dataset(DEV_ONLY / "probes8.jsonl"))
    print(f"probes8 vendor/customer voice, word model trained on a share of {len(items)} items")
    print(f"no word model: {vendor_customer(probes8, None):.3f}")
    for seed in (1, 2):
        for share in (0.25, 0.5, 0.75, 1.0):
            rng = random.Random(seed)
            subset = items if share == 1.0 else [x for x in items if rng.random() < share]
            print(f"seed {seed}, {share:.0%} ({len(subset)} items): "
                  f"{vendor_customer(probes8, word_model(subset)):.3f}", flush=True)


def dev_files(folder: Path) -> list[str]:
    """Links in ``folder`` to the dev-only files a refit may use; their stems."""
    stems = []
    for file in sorted(DEV_ONLY.glob("*.jsonl")):
        if file.stem in MEASURE_ONLY or file.stem in HELD_OUT_STEMS:
            continue
        (folder / file.name).symlink_to(file)
        stems.append(file.stem)
    return stems


def refit() -> None:
    items = voice_items()
    shipped_model = analyzer().word_voice
    with tempfile.TemporaryDirectory() as tmp:
        voice_study.DATA = Path(tmp)
        groups: dict[str, list[voice_study.Item]] = {}
        for stem in dev_files(Path(tmp)):
            if stem.startswith("real"):
                analyzer().word_voice = shipped_model
            else:
                texts = {i.text for i in voice_study._load(stem)}
                analyzer().word_voice = word_model([x for x in items if x[0] not in texts])
            groups.update(voice_study.extract((stem,)))
        analyzer().word_voice = shipped_model
    sides = voice_study.sides()
    shipped = voice_study.shipped()
    tallies = {(k, w): [0, 0] for k in ("real", "written") for w in ("shipped", "refit")}
    for stem, group in groups.items():
        train = [p for other, g in groups.items() if other != stem for p in voice_study._pairs(g)]
        kind = "real" if stem.startswith("real") else "written"
        for which, (weights, ct, vt) in (("shipped", shipped),
                                         ("refit", fit_voice.fit(train, sides))):
            vc, _, n_vc, _ = fit_voice.accuracy(voice_study._pairs(group), weights, sides, ct, vt)
            tallies[(kind, which)][0] += round(vc * n_vc)
            tallies[(kind, which)][1] += n_vc
    for kind in ("real", "written"):
        (a, n), (b, _) = tallies[(kind, "shipped")], tallies[(kind, "refit")]
        print(f"{kind:8s} {n} vendor/customer items: shipped {a / n:.4f}, "
              f"refitted leaving the file out {b / n:.4f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["curve", "refit"])
    args = ap.parse_args()
    if not train_voice_words.has_scipy("voice_levers_study"):
        return 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if args.what == "curve":
            curve()
        else:
            refit()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the optional semantic layer costs: msglint check with and without --semantic.

Same drafts as bench.py (100 x ~1,000 words of real copy from ../shared/corpus, in a temporary
folder), each case a separate process measured from outside (wall, CPU, peak RSS), plus an
in-process breakdown: model load, prototype embedding, sentences per second, and how many
semantic mentions the layer adds per 1,000 words. Needs the extra:

    pip install -e ".[semantic]"
    python benchmarks/semantic.py --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench import Case, median, run_once  # noqa: E402
from corpus import add_arguments, temporary_drafts  # noqa: E402

BREAKDOWN = """
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from msglint import semantic
from msglint.catalogue import load_catalogue
from msglint.readers import read_source
from msglint.analysis import Analyzer
themes = list(load_catalogue().themes.values())
emb = semantic.MiniLMEmbedder()
t = time.perf_counter(); emb._load(); load = time.perf_counter() - t
m = semantic.SemanticMatcher(themes, emb)
t = time.perf_counter(); m._prepare(); protos = time.perf_counter() - t
n_protos = len(m._protos[0]) + len(m._negs[0])
files = sorted(Path(sys.argv[1]).glob("*.md"))
sources = [read_source(p, p.name, "markdown") for p in files]
an = Analyzer(themes)
sents = [s.text[x.start:x.end] for s, a in zip(sources, an.analyze(sources)) for x in a.sentences]
pieces = [s[a:b] for s in sents for a, b in semantic.clauses(s)]
t = time.perf_counter(); emb.encode(pieces); enc = time.perf_counter() - t
print(json.dumps({"model_load_s": load, "prototypes": n_protos, "prototype_embed_s": protos,
                  "sentences": len(sents), "pieces": len(pieces), "encode_s": enc,
                  "pieces_per_s": len(pieces) / enc}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_arguments(ap)
    args = ap.parse_args()
    with temporary_drafts(ap, args, "msglint-sem-") as d:
        tmp, drafts, paths, words, one = d.tmp, d.folder, d.paths, d.words, d.one
        out = tmp / "out.json"
        check = [sys.executable, "-m", "msglint", "check", "--profile", args.profile,
                 "--format", "json", "--output", str(out), "--no-cache", "--jobs", "1"]
        cases = [
            Case(f"{args.docs} drafts, --jobs 1", [*check, str(drafts)]),
            Case(f"{args.docs} drafts, --semantic", [*check, "--semantic", str(drafts)]),
            Case("1 draft", [*check, str(one)]),
            Case("1 draft, --semantic", [*check, "--semantic", str(one)]),
        ]
        mentions: dict[str, int] = {}
        for r in range(args.runs):
            for case in cases:
                sample = run_once(case, ROOT)
                if sample.returncode not in case.ok_codes:
                    raise SystemExit(f"{case.name}: exit code {sample.returncode}")
                case.samples.append(sample)
                if case is cases[1] and r == 0:
                    data = json.loads(out.read_text())
                    for f in data["files"]:
                        for m in f["themes"]:
                            key = m.get("via", "pattern")
                            mentions[key] = mentions.get(key, 0) + 1
                print(f"run {r + 1}: {case.name}: {sample.wall:.2f} s wall, {sample.cpu:.2f} s "
                      f"CPU, {sample.max_rss_mb:.0f} MB", file=sys.stderr)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        parts = json.loads(subprocess.run([sys.executable, "-c", BREAKDOWN, str(drafts)],
                                          capture_output=True, text=True, env=env, cwd=ROOT,
                                          check=True).stdout)
        print(f"{len(paths)} drafts, {words:,} words, median of {args.runs} runs, "
              f"{os.cpu_count()} cores\n")
        print("| case | wall s | CPU s | peak RSS MB |\n|---|---|---|---|")
        for c in cases:
            print(f"| {c.name} | {median([s.wall for s in c.samples]):.1f} | "
                  f"{median([s.cpu for s in c.samples]):.1f} | "
                  f"{median([s.max_rss_mb for s in c.samples]):.0f} |")
        per_k = {k: v * 1000 / words for k, v in mentions.items()}
        print("\nmentions per 1,000 words with --semantic: "
              + ", ".join(f"{k} {v:.1f}" for k, v in sorted(per_k.items())))
        print("in-process: " + json.dumps({k: round(v, 2) if isinstance(v, float) else v
                                           for k, v in parts.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

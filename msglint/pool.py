"""Parallel analysis for many files: a process pool whose workers each load spaCy once.

Why a pool and not threads: the parser holds the GIL for most of its work. Why not for small
runs: each worker pays spaCy's import and pipeline load (~0.6 s), which only pays off when there
is enough text to parse, so ``lint_paths`` stays in-process below ``MIN_PARALLEL_WORDS``.

The parent never imports spaCy on this path: it reads the files, consults the cache, sends the
uncached :class:`~msglint.source.Source` values here, and gets :class:`Analysis` values back in
input order. Checks, scoring and caching stay in the parent.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from msglint.analysis import Analysis, Analyzer
from msglint.catalogue import Theme
from msglint.errors import ConfigError, MsglintError
from msglint.source import Source

# Below this many words of uncached copy, one process is about as fast and uses less CPU: the
# second spaCy load (~0.6 s of CPU) buys little. Measured with 2 cores, wall s in one process /
# with 2 workers: 2,000 words 1.14 / 1.03, 3,000 1.25 / 1.06, 5,000 1.37 / 1.16, 10,000
# 1.93 / 1.33 (docs/benchmarks.md, `--jobs`).
MIN_PARALLEL_WORDS = 4_000


def min_parallel_words() -> int:
    """MIN_PARALLEL_WORDS, or ``$MSGLINT_PARALLEL_MIN_WORDS`` (for tests and tuning)."""
    try:
        return int(os.environ.get("MSGLINT_PARALLEL_MIN_WORDS", MIN_PARALLEL_WORDS))
    except ValueError:
        return MIN_PARALLEL_WORDS


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class PoolUnavailable(RuntimeError):
    """No process pool could run here (no semaphores, a worker died): analyse in-process."""


@dataclass(frozen=True)
class ThemeSet:
    """What a worker needs to build an Analyzer; ``key`` identifies it across tasks."""

    key: tuple[str, ...]
    themes: tuple[Theme, ...]
    model: str | None
    brands: tuple[str, ...]


_analyzers: dict[tuple[str, ...], Analyzer] = {}


def _init_worker(model: str | None) -> None:
    """Load spaCy once per worker, before its first chunk arrives."""
    from msglint import nlp

    try:
        nlp.load(model)
    except MsglintError:
        pass  # reported by the first task, with its message intact
    # The pipeline's objects live as long as the worker: out of the collector's way, each
    # of the ~400 collections of an analysis no longer walks them (GC time for 100 drafts in
    # one process: 0.23 -> 0.15 s).
    gc.freeze()


def _analyze_chunk(spec: ThemeSet, sources: list[Source]) -> Any:
    try:
        analyzer = _analyzers.get(spec.key)
        if analyzer is None:
            analyzer = _analyzers[spec.key] = Analyzer(spec.themes, model=spec.model,
                                                       brands=spec.brands)
        return analyzer.analyze(sources)
    except MsglintError as exc:  # exceptions lose path/line when pickled; send the parts
        return ("error", type(exc).__name__, exc.message, exc.path, exc.line, exc.column)


def _chunks(sizes: Sequence[int], n: int) -> list[list[int]]:
    """Split indices into at most ``n`` bins of similar total size (largest first, greedy)."""
    bins: list[list[int]] = [[] for _ in range(max(1, min(n, len(sizes))))]
    loads = [0] * len(bins)
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        b = loads.index(min(loads))
        bins[b].append(i)
        loads[b] += sizes[i]
    return [sorted(b) for b in bins if b]


def _context() -> Any:
    import multiprocessing

    # fork: the parent has not imported spaCy, so forking is cheap and needs no re-import of
    # msglint; elsewhere (macOS, Windows) the platform's safe default.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _started() -> None:
    """A task that does nothing: submitting it makes the executor start its workers."""


class Workers:
    """A process pool started ahead of its work, so each worker's spaCy load (0.6 s) overlaps
    what the parent still has to do: parsing the files (0.15 s for 100 drafts).

    Raises PoolUnavailable where no pool can run. Use as a context manager, or call close().
    """

    def __init__(self, jobs: int, model: str | None) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self.jobs = jobs
        try:
            self.executor = ProcessPoolExecutor(max_workers=jobs, mp_context=_context(),
                                                initializer=_init_worker, initargs=(model,))
            # With fork, the executor starts all its workers at the first submit.
            self.executor.submit(_started)
        except (OSError, NotImplementedError) as exc:
            raise PoolUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def analyze_parallel(groups: Sequence[tuple[ThemeSet, Sequence[Source]]],
                     jobs: int, workers: Workers | None = None) -> list[list[Analysis]]:
    """Analyse each group's sources in ``jobs`` worker processes; results in input order.

    ``workers``: a pool already started (see Workers) to use instead of a new one; it is left
    open for its owner to close.
    """
    from concurrent.futures.process import BrokenProcessPool

    if workers is not None:
        jobs = workers.jobs
    model = groups[0][0].model if groups else None
    total = sum(len(s.text) for _, sources in groups for s in sources)
    tasks: list[tuple[int, list[int]]] = []  # (group index, source indices)
    for gi, (_, sources) in enumerate(groups):
        share = sum(len(s.text) for s in sources) / max(total, 1)
        # Two chunks per worker for the group's share keeps both cores busy to the end.
        n = max(1, round(2 * jobs * share))
        tasks += [(gi, idx) for idx in _chunks([len(s.text) for s in sources], n)]
    out: list[list[Analysis | None]] = [[None] * len(sources) for _, sources in groups]
    try:
        with (nullcontext(workers) if workers is not None
              else Workers(min(jobs, len(tasks)), model)) as own:
            futures = [own.executor.submit(_analyze_chunk, groups[gi][0],
                                           [groups[gi][1][i] for i in idx])
                       for gi, idx in tasks]
            results = [fut.result() for fut in futures]
    except (BrokenProcessPool, OSError, NotImplementedError) as exc:
        # e.g. no /dev/shm for semaphores (some containers), or a worker killed for memory
        raise PoolUnavailable(f"{type(exc).__name__}: {exc}") from exc
    for (gi, idx), got in zip(tasks, results, strict=True):
        if isinstance(got, tuple) and got and got[0] == "error":
            _, name, message, path, line, column = got
            cls = ConfigError if name == "ConfigError" else MsglintError
            raise cls(message, path, line, column)
        for i, analysis in zip(idx, got, strict=True):
            out[gi][i] = analysis
    assert all(a is not None for row in out for a in row)
    return out  # type: ignore[return-value]

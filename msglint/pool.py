"""Parallel analysis for many files: worker processes that share one load of spaCy.

Why processes and not threads: the parser holds the GIL for most of its work. Why not for small
runs: starting a worker costs CPU, which only pays off when there is enough text to parse (or,
without a result cache, the catalogue to parse meanwhile), so ``lint_paths`` stays in-process
below ``min_parallel_words()``. On Linux the first worker loads spaCy and sets up the
matchers, then forks the others from itself (Workers); elsewhere each worker is spawned and
loads its own.

The parent never imports spaCy on this path: it reads the files, consults the cache, sends the
uncached :class:`~msglint.source.Source` values here, and gets :class:`Analysis` values back in
input order. Checks, scoring and caching stay in the parent.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, cast

from msglint import wordthemes, wordvoice
from msglint.analysis import Analysis, Analyzer
from msglint.catalogue import Theme
from msglint.errors import ConfigError, MsglintError
from msglint.source import Source

# Below this many words of uncached copy, one process is about as fast and uses less CPU.
# Measured with 2 cores at 9eb1e94 (median wall s, one process / two workers): with the result
# cache on, where the workers start after the cache lookups and only the analysis is shared,
# 1,000 words 0.86 / 0.83, 2,000 0.93 / 0.92, 3,000 1.06 / 1.04, 6,000 1.21 / 1.09.
MIN_PARALLEL_WORDS = 4_000
# Without a result cache the first worker starts before the catalogue is parsed, so spaCy's
# load overlaps that and the files' parsing: 1,000 words in two files 1.09 / 0.87, 2,000
# 1.16 / 0.89, 3,000 1.19 / 0.97, 6,000 1.32 / 0.99.
MIN_PARALLEL_WORDS_NO_CACHE = 1_000


def min_parallel_words(cache: bool = True) -> int:
    """MIN_PARALLEL_WORDS (MIN_PARALLEL_WORDS_NO_CACHE when no result cache is used), or
    ``$MSGLINT_PARALLEL_MIN_WORDS`` for both (for tests and tuning)."""
    default = MIN_PARALLEL_WORDS if cache else MIN_PARALLEL_WORDS_NO_CACHE
    try:
        return int(os.environ.get("MSGLINT_PARALLEL_MIN_WORDS", default))
    except ValueError:
        return default


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
    """Load spaCy once per worker, before its first task arrives."""
    from msglint import nlp

    try:
        nlp.load(model)
    except MsglintError:
        pass  # reported by the first task, with its message intact


def _prepare(conn: Connection) -> bool:
    """Wait for the parent's theme sets and set up their Analyzers; False when the parent
    closed the pool instead."""
    try:
        message = conn.recv()
    except (EOFError, OSError):
        return False
    if message is None:
        return False
    _, specs = message
    try:
        for spec in specs:
            _analyzer(spec).prepare()
    except MsglintError:
        pass  # reported by the first task, with its message intact
    # The pipeline's objects live as long as the worker: out of the collector's way, each
    # of the ~400 collections of an analysis no longer walks them (GC time for 100 drafts in
    # one process: 0.23 -> 0.15 s). A worker forked from this one inherits them frozen, so its
    # collections do not touch (and copy) their pages either.
    gc.freeze()
    return True


def _analyzer(spec: ThemeSet) -> Analyzer:
    analyzer = _analyzers.get(spec.key)
    if analyzer is None:
        analyzer = _analyzers[spec.key] = Analyzer(spec.themes, model=spec.model,
                                                   brands=spec.brands,
                                                   word_voice=wordvoice.builtin(),
                                                   word_themes=wordthemes.builtin())
    return analyzer


def _analyze_chunk(spec: ThemeSet, sources: list[Source]) -> Any:
    try:
        return _analyzer(spec).analyze(sources)
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


_READY = "ready"
_WARM = "warm"


def _serve(conn: Connection) -> None:
    """A worker's loop: say it is ready, then answer each (ThemeSet, sources) task until the
    parent sends None or goes away."""
    try:
        conn.send(_READY)
        while True:
            task = conn.recv()
            if task is None:
                return
            if task[0] == _WARM:  # a forked worker inherited the set-up: nothing to do
                continue
            try:
                reply = _analyze_chunk(*task)
            except Exception as exc:  # a bug: the parent re-raises it, as a pool would
                reply = ("exception", exc)
            try:
                conn.send(reply)
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                conn.send(("exception", RuntimeError(f"{type(exc).__name__}: {exc}")))
    except (EOFError, OSError):
        return  # the parent is gone or closed the pool


def _first_worker(conns: list[Connection], parent_ends: list[Connection],
                  model: str | None) -> None:
    """Worker 0: load spaCy, set up the theme sets the parent sends, then fork the other
    workers from itself.

    Each forked worker starts with the pipeline, the Analyzers and their pattern index already
    in memory, so only one process pays spaCy's import and load (0.6 s of CPU) and the set-up
    (0.1-0.2 s), where a pool of independent workers paid them once per worker on cores the
    parent also needs. The copy-on-write pages a forked worker touches cost far less
    (docs/benchmarks.md, `--jobs`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and closes us
    for end in parent_ends:
        end.close()
    _init_worker(model)
    if not _prepare(conns[0]):
        return
    children: list[int] = []
    for k in range(1, len(conns)):
        pid = os.fork()
        if pid == 0:  # worker k: keep only its own connection
            code = 0
            try:
                for j, conn in enumerate(conns):
                    if j != k:
                        conn.close()
                _serve(conns[k])
            except BaseException:
                code = 1
            finally:
                os._exit(code)  # never run the first worker's exit handlers twice
        children.append(pid)
        conns[k].close()
    _serve(conns[0])
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _spawned_worker(conn: Connection, model: str | None) -> None:
    """A worker where the platform cannot fork: it loads spaCy itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(model)
    if _prepare(conn):
        _serve(conn)


class Workers:
    """Worker processes started ahead of their work, so spaCy's load (0.6 s) overlaps what the
    parent still has to do: parsing the files (0.15 s for 100 drafts).

    Each worker loads spaCy, then waits for ``warm`` (the theme sets it will analyse with, which
    the parent knows once it has read the catalogue and profiles) and sets up their Analyzers.
    On Linux the first worker then forks the others from itself (_first_worker); elsewhere each
    worker is spawned and does all of it itself. Raises PoolUnavailable where no worker can
    start. Use as a context manager, or call close().
    """

    def __init__(self, jobs: int, model: str | None) -> None:
        self.jobs = jobs
        self._procs: list[Any] = []
        self._conns: list[Connection] = []
        self._warm: threading.Thread | None = None
        try:
            ctx = _context()
            pairs = [ctx.Pipe(duplex=True) for _ in range(jobs)]
            self._conns = [ours for ours, _ in pairs]
            theirs = [t for _, t in pairs]
            self._forked = ctx.get_start_method() == "fork"
            if self._forked:
                self._procs = [ctx.Process(target=_first_worker, daemon=True,
                                           args=(theirs, self._conns, model))]
            else:
                self._procs = [ctx.Process(target=_spawned_worker, daemon=True,
                                           args=(t, model)) for t in theirs]
            for proc in self._procs:
                proc.start()
        except (OSError, NotImplementedError, ValueError) as exc:
            self.close()
            raise PoolUnavailable(f"{type(exc).__name__}: {exc}") from exc
        for end in theirs:
            end.close()  # a worker's death then reads as end-of-file on ours

    def warm(self, specs: Sequence[ThemeSet]) -> None:
        """Send the theme sets to set up before the first task (once; run() sends none if
        this was never called).

        From a thread: the message (~200 kB for one theme set) fills the pipe, and a worker
        reads it only once spaCy has loaded, while this process has files to parse. Only the
        first worker needs it where the others are forked from it.
        """
        if self._warm is not None:
            return
        message = (_WARM, tuple(specs))
        conns = self._conns[:1] if self._forked else list(self._conns)

        def send() -> None:
            for conn in conns:
                try:
                    conn.send(message)
                except (OSError, ValueError):
                    return  # a worker stopped, or close() came first: run() finds out

        self._warm = threading.Thread(target=send, name="msglint-warm", daemon=True)
        self._warm.start()

    def run(self, tasks: Sequence[tuple[ThemeSet, list[Source]]]) -> list[Any]:
        """Each task's reply, in order; tasks go to whichever worker is free (the largest
        first, as the caller ordered them). Raises PoolUnavailable when a worker dies."""
        from multiprocessing.connection import wait

        self.warm(())
        assert self._warm is not None
        self._warm.join()  # the theme sets before the first task, on the same pipe
        replies: list[Any] = [None] * len(tasks)
        busy: dict[Connection, int] = {}  # worker -> task index it is working on
        queue = list(range(len(tasks)))
        done = 0
        while done < len(tasks):
            for ready in wait(self._conns):
                conn = cast(Connection, ready)  # a PipeConnection on Windows
                try:
                    message = conn.recv()
                    if message != _READY:
                        replies[busy.pop(conn)] = message
                        done += 1
                    if queue:
                        busy[conn] = queue.pop(0)
                        conn.send(tasks[busy[conn]])
                except (EOFError, OSError) as exc:
                    raise PoolUnavailable(f"a worker stopped: {type(exc).__name__}") from exc
        return replies

    def close(self) -> None:
        if self._warm is None or self._warm.is_alive():
            # closed before the workers had anything to do (an error in the profile or while
            # reading the files): do not wait for spaCy to finish loading, and leave no second
            # writer on a pipe the thread may still be writing to
            for proc in self._procs:
                proc.terminate()
            if self._warm is not None:
                self._warm.join()
        for conn in self._conns:
            try:
                conn.send(None)
            except (OSError, ValueError):
                pass
            conn.close()
        for proc in self._procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
                proc.join()
        self._procs = []
        self._conns = []

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
    # the largest chunks first, so the last one to finish is a small one
    tasks.sort(key=lambda task: -sum(len(groups[task[0]][1][i].text) for i in task[1]))
    out: list[list[Analysis | None]] = [[None] * len(sources) for _, sources in groups]
    with (nullcontext(workers) if workers is not None
          else Workers(min(jobs, len(tasks)), model)) as own:
        results = own.run([(groups[gi][0], [groups[gi][1][i] for i in idx])
                           for gi, idx in tasks])
    for (gi, idx), got in zip(tasks, results, strict=True):
        if isinstance(got, tuple) and got and got[0] == "exception":
            raise got[1]
        if isinstance(got, tuple) and got and got[0] == "error":
            _, name, message, path, line, column = got
            cls = ConfigError if name == "ConfigError" else MsglintError
            raise cls(message, path, line, column)
        for i, analysis in zip(idx, got, strict=True):
            out[gi][i] = analysis
    assert all(a is not None for row in out for a in row)
    return out  # type: ignore[return-value]

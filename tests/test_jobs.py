"""--jobs: a process pool gives exactly the in-process output, in the same order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import DRAFTS, PROFILES, ROOT

from msglint import pool


def run_cli(*args: str, min_words: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MSGLINT_PARALLEL_MIN_WORDS", None)
    if min_words is not None:  # the sample drafts are far below the real threshold
        env["MSGLINT_PARALLEL_MIN_WORDS"] = str(min_words)
    return subprocess.run([sys.executable, "-m", "msglint", "check", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_jobs_2_and_jobs_1_give_identical_json() -> None:
    # Two profiles in one run (via two invocations) and every sample format.
    for profile in ("smb-owner", "enterprise-ops"):
        args = (str(DRAFTS), "--profile", str(PROFILES / f"{profile}.yaml"), "--format", "json",
                "--no-cache")
        one = run_cli(*args, "--jobs", "1")
        two = run_cli(*args, "--jobs", "2", min_words=0)
        assert one.returncode in (0, 1), one.stderr
        assert two.returncode == one.returncode, two.stderr
        assert two.stdout == one.stdout
        assert one.stdout.count('"path"') >= 5


def test_pool_returns_analyses_in_input_order() -> None:
    """Directly, with more chunks than workers and files of very different sizes."""
    from msglint.api import analyzer_for, get_profile, load_catalogue
    from msglint.readers import read_bytes

    catalogue = load_catalogue()
    profile = get_profile(PROFILES / "smb-owner.yaml", catalogue)
    texts = [p.read_text(encoding="utf-8") for p in sorted(DRAFTS.glob("*.md"))]
    texts = [t * (1 + i % 3) for i, t in enumerate(texts * 3)]
    sources = [read_bytes(t.encode(), f"doc{i}.md", "markdown") for i, t in enumerate(texts)]
    analyzer = analyzer_for(profile, catalogue)
    expected = analyzer.analyze(sources)
    spec = pool.ThemeSet(("t",), tuple(analyzer.themes.values()), None, tuple(profile.brands))
    (got,) = pool.analyze_parallel([(spec, sources)], jobs=2)
    assert got == expected


def test_chunks_cover_every_index_once_and_balance() -> None:
    sizes = [100, 1, 1, 1, 50, 50, 3, 90, 7]
    chunks = pool._chunks(sizes, 3)
    assert sorted(i for c in chunks for i in c) == list(range(len(sizes)))
    loads = [sum(sizes[i] for i in c) for c in chunks]
    assert max(loads) - min(loads) <= max(sizes)
    assert pool._chunks([5], 4) == [[0]]
    assert pool.default_jobs() >= 1


def test_bad_pattern_error_from_a_worker_keeps_its_file(tmp_path: Path) -> None:
    """A ConfigError raised in a worker reaches the user with its file name intact."""
    import pytest

    from msglint.catalogue import Theme
    from msglint.errors import ConfigError
    from msglint.readers import read_bytes

    bad = Theme(id="broken", name="b", description="d", phrases=("x",),
                patterns=(({"LEMMA": {"NOT_AN_OP": ["x"]}},),), origin="rules/broken.yaml")
    spec = pool.ThemeSet(("bad",), (bad,), None, ())
    source = read_bytes(b"x marks the spot", "a.txt", "text")
    with pytest.raises(ConfigError) as exc:
        pool.analyze_parallel([(spec, [source, source])], jobs=2)
    assert exc.value.path == "rules/broken.yaml"


def test_no_process_pool_falls_back_to_one_process(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Where a pool cannot start (no semaphores in some containers), lint in-process."""
    from msglint import api

    class NoSemaphores:
        def get_start_method(self) -> str:
            return "fork"

        def Pipe(self, duplex: bool = True):  # type: ignore[no-untyped-def]  # noqa: N802
            raise OSError(38, "Function not implemented")

    monkeypatch.setattr(pool, "_context", NoSemaphores)
    monkeypatch.setenv("MSGLINT_PARALLEL_MIN_WORDS", "0")
    pooled = api.lint_paths([DRAFTS], profile=PROFILES / "smb-owner.yaml", jobs=2, cache=False)
    single = api.lint_paths([DRAFTS], profile=PROFILES / "smb-owner.yaml", jobs=1, cache=False)
    assert [f.path for f in pooled.files] == [f.path for f in single.files]
    assert pooled.files == single.files


def test_workers_start_before_the_files_are_parsed(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The pool starts (and its workers load spaCy) while the parent still parses the files;
    the result is the in-process one, and the pool is closed at the end."""
    from msglint import api, readers

    events: list[str] = []
    real_workers, real_read = pool.Workers, readers.read_source

    class Recording(real_workers):  # type: ignore[misc, valid-type]
        def __init__(self, jobs: int, model: str | None) -> None:
            events.append(f"start {jobs}")
            super().__init__(jobs, model)

        def warm(self, specs) -> None:  # type: ignore[no-untyped-def]
            events.append(f"warm {len(specs)}")
            super().warm(specs)

        def close(self) -> None:
            events.append("close")
            super().close()

    def read(*args, **kwargs):  # type: ignore[no-untyped-def]
        events.append("parse")
        return real_read(*args, **kwargs)

    real_catalogue = api.load_catalogue

    def catalogue():  # type: ignore[no-untyped-def]
        events.append("catalogue")
        return real_catalogue()

    monkeypatch.setattr(pool, "Workers", Recording)
    monkeypatch.setattr(api, "load_catalogue", catalogue)
    monkeypatch.setattr(api, "read_source", read, raising=False)
    monkeypatch.setattr(readers, "read_source", read)
    monkeypatch.setenv("MSGLINT_PARALLEL_MIN_WORDS", "0")
    pooled = api.lint_paths([DRAFTS], profile=PROFILES / "smb-owner.yaml", jobs=2, cache=False)
    # without a result cache the workers start before the catalogue is even read; they get one
    # theme set to prepare (every file has the same profile) before any file is parsed
    assert events[:3] == ["start 2", "catalogue", "warm 1"] and events[-1] == "close"
    assert events.count("parse") == len(pooled.files) >= 5
    assert events.count("start 2") == 1  # the analysis used the started pool, not a new one
    events.clear()
    monkeypatch.setenv("MSGLINT_PARALLEL_MIN_WORDS", "100000000")
    single = api.lint_paths([DRAFTS], profile=PROFILES / "smb-owner.yaml", jobs=2, cache=False)
    assert not any(e.startswith("start") for e in events)  # too little copy: no pool
    assert pooled.files == single.files


def test_no_workers_when_every_file_is_cached(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from msglint import api, cache

    # an in-process `check --no-cache` earlier in the run may have left caching off
    monkeypatch.setattr(cache, "_enabled", True)
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "default-cache"))
    started: list[int] = []
    monkeypatch.setenv("MSGLINT_PARALLEL_MIN_WORDS", "0")
    api.lint_paths([DRAFTS], profile=PROFILES / "smb-owner.yaml", jobs=2, cache=tmp_path)
    monkeypatch.setattr(pool.Workers, "__init__",
                        lambda self, jobs, model: started.append(jobs))
    again = api.lint_paths([DRAFTS], profile=PROFILES / "smb-owner.yaml", jobs=2, cache=tmp_path)
    assert not started and len(again.files) >= 5


def _smb_spec_and_sources():  # type: ignore[no-untyped-def]
    from msglint.api import analyzer_for, get_profile, load_catalogue
    from msglint.readers import read_bytes

    catalogue = load_catalogue()
    profile = get_profile(PROFILES / "smb-owner.yaml", catalogue)
    analyzer = analyzer_for(profile, catalogue)
    spec = pool.ThemeSet(("smb",), tuple(analyzer.themes.values()), None, tuple(profile.brands))
    sources = [read_bytes(f"Save time on payroll, {i}.".encode(), f"d{i}.txt", "text")
               for i in range(4)]
    return spec, sources


def _probe(spec: pool.ThemeSet, sources: list) -> list:  # type: ignore[type-arg]
    """Stands in for _analyze_chunk in a worker: who am I, and was I set up before my task?"""
    import time

    time.sleep(0.5)  # long enough for every worker to ask for a task
    analyzer = pool._analyzers.get(spec.key)
    prepared = analyzer is not None and analyzer._requirements is not None \
        and analyzer._matchers is not None
    return [(os.getpid(), os.getppid(), prepared)] * len(sources)


def test_workers_are_forked_from_one_that_loaded_spacy_and_set_up(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """On Linux the second worker is a fork of the first, made after the first loaded spaCy
    and prepared the Analyzer for the theme set it was given: neither repeats the set-up."""
    import pytest

    if not sys.platform.startswith("linux"):
        pytest.skip("fork start-up is Linux-only")
    spec, sources = _smb_spec_and_sources()
    monkeypatch.setattr(pool, "_analyze_chunk", _probe)
    with pool.Workers(2, None) as workers:
        workers.warm([spec])
        (got,) = pool.analyze_parallel([(spec, sources)], jobs=2, workers=workers)
    assert all(prepared for _, _, prepared in got)
    by_pid = {pid: ppid for pid, ppid, _ in got}
    assert len(by_pid) == 2  # both workers took a task
    first = next(pid for pid, ppid in by_pid.items() if ppid == os.getpid())
    assert [ppid for pid, ppid in by_pid.items() if pid != first] == [first]


def test_a_bug_in_a_worker_is_raised_in_the_parent(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    def boom(spec, sources):  # type: ignore[no-untyped-def]
        raise ValueError("boom in a worker")

    spec, sources = _smb_spec_and_sources()
    monkeypatch.setattr(pool, "_analyze_chunk", boom)
    with pytest.raises(ValueError, match="boom in a worker"):
        pool.analyze_parallel([(spec, sources)], jobs=2)


def test_a_worker_that_dies_means_one_process_instead(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A worker killed mid-task (out of memory, say) must not hang the run or lose files:
    lint_paths analyses in-process and gives the in-process result."""
    from msglint import api

    def die(spec, sources):  # type: ignore[no-untyped-def]
        os._exit(3)

    single = api.lint_paths([DRAFTS], profile=PROFILES / "smb-owner.yaml", jobs=1, cache=False)
    monkeypatch.setattr(pool, "_analyze_chunk", die)
    monkeypatch.setenv("MSGLINT_PARALLEL_MIN_WORDS", "0")
    pooled = api.lint_paths([DRAFTS], profile=PROFILES / "smb-owner.yaml", jobs=2, cache=False)
    assert pooled.files == single.files


def test_spawned_workers_where_fork_is_not_used(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """macOS and Windows start workers with spawn: each loads spaCy itself, same results."""
    import multiprocessing

    spec, sources = _smb_spec_and_sources()
    from msglint.api import analyzer_for, get_profile, load_catalogue

    catalogue = load_catalogue()
    expected = analyzer_for(get_profile(PROFILES / "smb-owner.yaml", catalogue),
                            catalogue).analyze(sources)
    monkeypatch.setattr(pool, "_context", lambda: multiprocessing.get_context("spawn"))
    (got,) = pool.analyze_parallel([(spec, sources)], jobs=2)
    assert got == expected


def test_closing_before_the_workers_took_their_theme_sets_does_not_hang() -> None:
    """An error while the parent still parses files closes the pool while the first worker is
    loading spaCy and the theme sets (~200 kB) sit half-sent in its pipe."""
    import signal

    spec, _ = _smb_spec_and_sources()
    workers = pool.Workers(2, None)
    procs = list(workers._procs)
    workers.warm([spec])
    signal.alarm(60)  # a hang fails the test instead of the whole run
    try:
        workers.close()
    finally:
        signal.alarm(0)
    assert not any(p.is_alive() for p in procs)


def test_an_unused_pool_is_stopped_not_waited_for() -> None:
    """A profile error after the workers started: close() stops them at once instead of
    waiting for spaCy to load in them."""
    workers = pool.Workers(2, None)
    procs = list(workers._procs)
    workers.close()
    assert procs and not any(p.is_alive() for p in procs)
    assert all(p.exitcode is not None and p.exitcode < 0 for p in procs)  # terminated


def test_without_a_result_cache_workers_pay_off_sooner(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """1,200 uncached words in two files: with no result cache the first worker starts before
    the catalogue is parsed, which pays from 1,000 words; with the cache on, where only the
    analysis would be shared, one process is as fast below 4,000."""
    from msglint import api, cache

    monkeypatch.delenv("MSGLINT_PARALLEL_MIN_WORDS", raising=False)
    monkeypatch.setattr(cache, "_enabled", True)
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "default-cache"))
    words = "Spend your evenings with family while we keep the shelves full. " * 50
    for name in ("a.md", "b.md"):
        (tmp_path / "drafts").mkdir(exist_ok=True)
        (tmp_path / "drafts" / name).write_text(words, encoding="utf-8")
    started: list[int] = []
    monkeypatch.setattr(pool.Workers, "__init__",
                        lambda self, jobs, model: started.append(jobs) or
                        (_ for _ in ()).throw(pool.PoolUnavailable("recorded")))
    profile = PROFILES / "smb-owner.yaml"
    api.lint_paths([tmp_path / "drafts"], profile=profile, jobs=2, cache=False)
    assert started[:1] == [2]  # (then, the pool being unavailable, once more in _analyze)
    started.clear()
    api.lint_paths([tmp_path / "drafts"], profile=profile, jobs=2, cache=tmp_path / "results")
    assert started == []

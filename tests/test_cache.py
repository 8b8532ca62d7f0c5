"""The result cache (msglint/cache.py): what makes a hit, what makes a miss, and that a cache
file is never trusted. No timing assertions: docs/benchmarks.md has the figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import DRAFTS, ROOT

from msglint import api, cache
from msglint.config import Config
from msglint.models import FileResult

# A profile of its own, naming only a theme that has been in the catalogue from the start, so
# these tests do not move when the built-in themes do.
PROFILE = """\
id: cache-test
name: cache test segment
drivers:
  more-revenue: 2
off_target:
  inventory-control:
    reason: owners do not think in stock levels
    reframe: never let a regular down
"""


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own cache folder; snapshots never touch the user's cache."""
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "default-cache"))
    cache.set_enabled(True)
    cache._valid_seen.clear()
    yield
    cache.set_enabled(True)


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    """A folder with a copy of two sample drafts and the test profile."""
    folder = tmp_path / "work"
    folder.mkdir()
    for name in ("vendor-centred.md", "customer-centred.md"):
        (folder / name).write_bytes((DRAFTS / name).read_bytes())
    (folder / "profile.yaml").write_text(PROFILE, encoding="utf-8")
    return folder


@pytest.fixture()
def analysed(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Records, per lint_paths call, which files reached analysis (i.e. were cache misses)."""
    calls: list[list[str]] = []
    real = api._analyze

    def spy(pending, catalogue, model, jobs, *rest, **options):  # type: ignore[no-untyped-def]
        calls.append([src.path for _, src, _ in pending])
        return real(pending, catalogue, model, jobs, *rest, **options)

    monkeypatch.setattr(api, "_analyze", spy)
    return calls


def lint(work: Path, store: Path, *, profile: str = "profile.yaml",
         config: Config | None = None, files: tuple[str, ...] = ("vendor-centred.md",)):
    run = api.lint_paths([work / f for f in files], profile=work / profile, config=config,
                         cache=store, jobs=1)
    return run.files


def entries(store: Path) -> list[Path]:
    return sorted((store / "results").rglob("*.json"))


def as_json(results: list[FileResult]) -> str:
    return json.dumps([cache.file_result_to_dict(r) for r in results], sort_keys=True)


# -- serialisation ------------------------------------------------------------------------------

def test_file_result_round_trips_through_json(work: Path) -> None:
    files = api.lint_paths([DRAFTS], profile=work / "profile.yaml", cache=False, jobs=1).files
    assert len(files) >= 5
    for result in files:
        text = json.dumps(cache.file_result_to_dict(result))
        assert cache.file_result_from_dict(json.loads(text)) == result


@pytest.mark.parametrize("mangle", [
    lambda d: {**d, "score": "high"},
    lambda d: {**d, "themes": [{"theme": "x"}]},
    lambda d: {k: v for k, v in d.items() if k != "findings"},
    lambda d: {**d, "extra": 1},
    lambda d: {**d, "voice": {**(d["voice"] or {}), "label": "shouting"}},
    lambda d: {**d, "words": True},
    lambda d: [d],
])
def test_a_wrong_shape_is_rejected(work: Path, mangle) -> None:  # type: ignore[no-untyped-def]
    result = lint(work, work.parent / "store")[0]
    with pytest.raises(cache.BadEntry):
        cache.file_result_from_dict(mangle(cache.file_result_to_dict(result)))


# -- hits and misses ----------------------------------------------------------------------------

def test_second_run_is_a_hit_and_gives_the_same_result(work: Path, analysed) -> None:  # type: ignore[no-untyped-def]
    store = work.parent / "store"
    first = lint(work, store, files=("vendor-centred.md", "customer-centred.md"))
    assert len(analysed) == 1 and len(analysed[0]) == 2
    assert len(entries(store)) == 2
    second = lint(work, store, files=("vendor-centred.md", "customer-centred.md"))
    assert len(analysed) == 1  # nothing reached analysis
    assert as_json(second) == as_json(first)


def test_changed_file_is_a_miss(work: Path, analysed) -> None:  # type: ignore[no-untyped-def]
    store = work.parent / "store"
    lint(work, store)
    draft = work / "vendor-centred.md"
    before = draft.stat()
    draft.write_text(draft.read_text(encoding="utf-8") + "\nOur inventory control is great.\n",
                     encoding="utf-8")
    changed = lint(work, store)
    assert len(analysed) == 2
    assert changed[0].themes[-1].location.text.lower() == "inventory control"
    # Same bytes again (even with a new mtime): a hit on the first entry.
    draft.write_bytes((DRAFTS / "vendor-centred.md").read_bytes())
    os.utime(draft, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
    lint(work, store)
    assert len(analysed) == 2


def test_same_bytes_new_mtime_is_a_hit(work: Path, analysed) -> None:  # type: ignore[no-untyped-def]
    store = work.parent / "store"
    lint(work, store)
    os.utime(work / "vendor-centred.md", (time.time() + 100, time.time() + 100))
    lint(work, store)
    assert len(analysed) == 1


def test_changed_profile_is_a_miss(work: Path, analysed) -> None:  # type: ignore[no-untyped-def]
    store = work.parent / "store"
    first = lint(work, store)
    (work / "profile.yaml").write_text(PROFILE.replace("more-revenue: 2", "more-revenue: 5"),
                                       encoding="utf-8")
    lint(work, store)
    assert len(analysed) == 2
    # A different profile file: also a miss, with its own verdicts.
    (work / "other.yaml").write_text("id: other\ndrivers:\n  inventory-control: 1\n",
                                     encoding="utf-8")
    other = lint(work, store, profile="other.yaml")
    assert len(analysed) == 3
    assert other[0].profile == "other" and first[0].profile == "cache-test"


def test_changed_rule_override_is_a_miss(work: Path, analysed) -> None:  # type: ignore[no-untyped-def]
    store = work.parent / "store"
    plain = lint(work, store)
    quiet = lint(work, store, config=Config(rules={"off-target-theme": "info"}))
    assert len(analysed) == 2
    assert {f.severity for f in quiet[0].findings if f.rule == "off-target-theme"} == {"info"}
    assert any(f.severity == "error" for f in plain[0].findings if f.rule == "off-target-theme")
    lint(work, store, config=Config(rules={"off-target-theme": "info"}))
    assert len(analysed) == 2


def test_changed_version_is_a_miss(work: Path, analysed,  # type: ignore[no-untyped-def]
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store = work.parent / "store"
    lint(work, store)
    monkeypatch.setattr(cache, "__version__", "99.0.0")
    monkeypatch.setattr(cache, "_code_fp", None)
    lint(work, store)
    assert len(analysed) == 2


def test_changed_catalogue_or_model_changes_the_key(work: Path) -> None:
    catalogue = api.load_catalogue()
    profile = api.get_profile(work / "profile.yaml", catalogue)
    store = cache.Store(work.parent / "store")

    def key(**kw) -> str:  # type: ignore[no-untyped-def]
        args = {"catalogue": catalogue, "model": None, "rules": {}} | kw
        return cache.ResultCache(store, **args).key(b"copy", "a.md", "markdown", profile)

    base = key()
    assert key() == base
    assert key(catalogue=replace(catalogue, fingerprint="0" * 16)) != base
    assert key(model="some_other_pipeline") != base
    assert key(rules={"vendor-voice": "off"}) != base
    assert key(min_words=30) != base
    rc = cache.ResultCache(store, catalogue=catalogue, model=None, rules={})
    assert rc.key(b"copy", "b.md", "markdown", profile) != base  # path is part of the key
    assert rc.key(b"copy", "a.md", "text", profile) != base  # so is the reader format


# -- never trusted ------------------------------------------------------------------------------

@pytest.mark.parametrize("damage", [
    lambda raw: raw[: len(raw) // 2],  # truncated
    lambda raw: b"\x00\xff garbage \x89PNG",  # not JSON at all
    lambda raw: b'{"hello": "world"}',  # someone else's JSON
    lambda raw: json.dumps({**json.loads(raw), "version": 999}).encode(),  # another version
    lambda raw: json.dumps({**json.loads(raw), "key": "0" * 64}).encode(),  # moved file
    lambda raw: json.dumps({**json.loads(raw), "data": {"path": 1}}).encode(),  # wrong shape
    lambda raw: b"[" * 100000,  # deeply nested
    lambda raw: b"",
])
def test_damaged_entries_are_ignored_and_rewritten(work: Path, analysed, damage) -> None:  # type: ignore[no-untyped-def]
    store = work.parent / "store"
    good = lint(work, store)
    (entry,) = entries(store)
    original = entry.read_bytes()
    entry.write_bytes(damage(original))
    again = lint(work, store)
    assert len(analysed) == 2  # a miss, analysed afresh
    assert as_json(again) == as_json(good)
    assert json.loads(entry.read_bytes()) == json.loads(original)  # rewritten whole
    lint(work, store)
    assert len(analysed) == 2  # and trusted again


def test_damaged_catalogue_snapshot_is_rebuilt(tmp_path: Path) -> None:
    from msglint.catalogue import _load_catalogue, rules_dir

    root = rules_dir()
    fresh = cache.catalogue_snapshot(root, _load_catalogue)
    (snapshot,) = (tmp_path / "default-cache" / "catalogue").rglob("*.json")
    assert cache.catalogue_snapshot(root, _load_catalogue) == fresh
    snapshot.write_text('{"format": "msglint-cache", "version": 1, "kind": "catalogue", '
                        '"key": "' + snapshot.stem + '", "data": {"themes": {}}}')
    assert cache.catalogue_snapshot(root, _load_catalogue) == fresh
    assert cache.catalogue_snapshot(root, lambda r: pytest.fail("not from the snapshot")) == fresh


def test_bad_profile_is_reported_every_time(work: Path) -> None:
    """Validation results are remembered only for valid documents."""
    from msglint.errors import ConfigError

    (work / "bad.yaml").write_text("id: bad\ndrivers:\n  more-revenue: -1\n", encoding="utf-8")
    messages = []
    for _ in range(2):
        cache._valid_seen.clear()
        with pytest.raises(ConfigError) as exc:
            lint(work, work.parent / "store", profile="bad.yaml")
        messages.append(str(exc.value))
    assert messages[0] == messages[1] and ":3:" in messages[0]


# -- concurrency and bounds ---------------------------------------------------------------------

WRITER = """
import json, sys
from msglint.cache import Store
store = Store(sys.argv[1])
tag = sys.argv[2]
bad = 0
for n in range(300):
    key = f"{n % 10:02d}" + "ab" * 31
    store.write("results", key, {"writer": tag, "n": n, "pad": "x" * (n * 37 % 5000)})
    got = store.read("results", key)
    if got is not None and not (isinstance(got, dict) and got.get("writer") in ("a", "b")):
        bad += 1
print(bad)
"""


def test_concurrent_writers_never_leave_a_broken_entry(tmp_path: Path) -> None:
    store = tmp_path / "shared-store"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(store), tag], env=env,
                              stdout=subprocess.PIPE, text=True) for tag in ("a", "b")]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outs == ["0", "0"]  # every read saw a whole entry written by one of them
    files = sorted((store / "results").rglob("*"))
    assert not [f for f in files if f.name.startswith(".tmp-")]
    written = [f for f in files if f.suffix == ".json"]
    assert len(written) == 10
    for f in written:
        doc = json.loads(f.read_bytes())
        assert doc["format"] == cache.FORMAT_NAME and doc["data"]["writer"] in ("a", "b")


def test_prune_removes_old_and_least_recently_used(tmp_path: Path) -> None:
    store = cache.Store(tmp_path / "s")
    for n in range(6):
        store.write("results", f"{n:02d}" + "cd" * 31, {"pad": "y" * 1000})
    paths = sorted((tmp_path / "s" / "results").rglob("*.json"))
    now = time.time()
    os.utime(paths[0], (now - 40 * 86400, now - 40 * 86400))  # stale
    for i, p in enumerate(paths[1:], 1):
        os.utime(p, (now - 1000 + i, now - 1000 + i))  # paths[1] least recently used
    (tmp_path / "s" / "results" / "00" / ".tmp-1-dead").write_text("x")
    os.utime(tmp_path / "s" / "results" / "00" / ".tmp-1-dead", (now - 7200, now - 7200))
    size = paths[1].stat().st_size
    removed = store.prune(max_bytes=4 * size + 10)
    left = sorted((tmp_path / "s" / "results").rglob("*"))
    assert not paths[0].exists() and not paths[1].exists()
    assert paths[-1].exists()
    assert not [p for p in left if p.name.startswith(".tmp-")]
    assert removed >= 3
    # maybe_prune runs at most once a day.
    store.maybe_prune()
    assert (tmp_path / "s" / ".last-prune").exists()
    os.utime(paths[-1], (now - 90 * 86400, now - 90 * 86400))
    store.maybe_prune()
    assert paths[-1].exists()


def test_unwritable_cache_folder_is_not_an_error(work: Path) -> None:
    blocker = work.parent / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    files = lint(work, blocker)
    assert files[0].error is None and files[0].score is not None


# -- the CLI, as a user runs it ---------------------------------------------------------------

def cli(*args: str, cache_dir: Path,
        extra: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, cache.ENV_DIR: str(cache_dir), "PYTHONPATH": str(ROOT)}
    env.pop("MSGLINT_PARALLEL_MIN_WORDS", None)
    return subprocess.run([sys.executable, *(extra or []), "-m", "msglint", "check", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def test_cli_cached_run_never_imports_spacy(tmp_path: Path, work: Path) -> None:
    store = tmp_path / "cli-cache"
    draft = str(work / "vendor-centred.md")
    args = (draft, "--profile", str(work / "profile.yaml"), "--format", "json")
    first = cli(*args, cache_dir=store)
    assert first.returncode == 1, first.stderr
    assert list((store / "results").rglob("*.json")), "MSGLINT_CACHE_DIR not honoured"
    second = cli(*args, cache_dir=store, extra=["-X", "importtime"])
    assert second.returncode == 1
    assert second.stdout == first.stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in second.stderr.splitlines()
                if line.startswith("import time:")]
    assert imported, "no -X importtime output"
    assert not [m for m in imported if m.split(".")[0] in ("spacy", "thinc", "jsonschema",
                                                           "multiprocessing")]
    # Sanity check of the method: an uncached run does import spaCy.
    third = cli(*args, "--no-cache", cache_dir=store, extra=["-X", "importtime"])
    assert any(line.rsplit("|", 1)[-1].strip() == "spacy" for line in third.stderr.splitlines())


def test_cli_no_cache_writes_nothing(tmp_path: Path, work: Path) -> None:
    store = tmp_path / "never-written"
    result = cli(str(work / "vendor-centred.md"), "--profile", str(work / "profile.yaml"),
                 "--no-cache", cache_dir=store)
    assert result.returncode == 1, result.stderr
    assert not store.exists()

"""Shared fixtures: paths into the repo and a cached way to lint text under a sample profile."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "samples" / "profiles"
DRAFTS = ROOT / "samples" / "drafts"
SHARED = ROOT.parent / "shared"


def sample_blocks() -> list[str]:
    """The text of every block of the shipped sample drafts, in file order."""
    from msglint.readers import read_source

    texts: list[str] = []
    for path in sorted(DRAFTS.iterdir()):
        source = read_source(path)
        texts += [source.text[b.start:b.end] for b in source.blocks]
    return texts


def benchmark_module(name: str) -> ModuleType:
    """A script of benchmarks/ (a trainer) imported as a module, with benchmarks/ on the path
    for the modules it imports in turn; each is imported once per test process."""
    if name in sys.modules:
        return sys.modules[name]
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def profile_path(name: str) -> Path:
    return PROFILES / f"{name}.yaml"


@pytest.fixture(scope="session")
def lint():
    """lint(text, profile_name, fmt="text") -> FileResult, with profiles loaded once."""
    from msglint.api import get_profile, lint_text

    cache: dict[str, object] = {}

    def run(text: str, profile: str = "smb-owner", fmt: str = "text", path: str = "<text>"):
        if profile not in cache:
            cache[profile] = get_profile(profile_path(profile))
        return lint_text(text, cache[profile], fmt=fmt, path=path)  # type: ignore[arg-type]

    return run


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test writes results to its own cache folder, never to the user's ~/.cache.

    Tests that study the cache set MSGLINT_CACHE_DIR themselves, which overrides this.
    """
    monkeypatch.setenv("MSGLINT_CACHE_DIR", str(tmp_path_factory.mktemp("msglint-cache")))

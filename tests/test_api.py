"""The Python API as README.md documents it: msglint.lint_text and msglint.lint_paths, and what
they say about bad arguments."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DRAFTS, profile_path

import msglint


def test_the_readme_example_runs() -> None:
    result = msglint.lint_text("Never run out of your best sellers.", "smb-owner")
    assert 0 <= result.score.value <= 100
    assert "off-target-theme" in [f.rule for f in result.findings]


@pytest.mark.parametrize("as_path", [False, True])
def test_lint_paths_takes_one_folder_given_as_a_string(tmp_path: Path, monkeypatch,
                                                       as_path: bool) -> None:
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    shutil.copyfile(DRAFTS / "customer-centred.md", drafts / "customer.md")
    monkeypatch.chdir(tmp_path)
    arg = Path("drafts") if as_path else "drafts/"
    run = msglint.lint_paths(arg, profile=profile_path("smb-owner"))  # type: ignore[arg-type]
    assert [f.path for f in run.files] == ["drafts/customer.md"]
    assert run.files[0].error is None

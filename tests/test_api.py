"""The Python API as README.md documents it: msglint.lint_text and msglint.lint_paths, and what
they say about bad arguments."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DRAFTS, profile_path

import msglint
from msglint.errors import MsglintError


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


@pytest.mark.parametrize("rules, message", [
    ({"empty-prase": "off"}, "unknown check id 'empty-prase' (did you mean 'empty-praise'?)"),
    ({"empty-praise": "loud"}, "'loud' is not a severity"),
])
def test_lint_text_rejects_bad_rules_with_msglints_own_error(rules: dict, message: str) -> None:
    with pytest.raises(MsglintError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("?", r"\?")):
        msglint.lint_text("Industry-leading stuff.", "smb-owner", rules=rules)


def test_lint_paths_rejects_bad_rules_in_a_config_made_in_python(tmp_path: Path) -> None:
    from msglint.config import Config

    (tmp_path / "a.md").write_text("Industry-leading stuff.\n", encoding="utf-8")
    with pytest.raises(MsglintError, match="not a severity"):
        msglint.lint_paths([tmp_path / "a.md"], profile="smb-owner",
                           config=Config(rules={"empty-praise": "loud"}))


def test_rules_the_config_accepts_are_accepted() -> None:
    result = msglint.lint_text("Industry-leading stuff.", "smb-owner",
                               rules={"empty-praise": "error", "missing-drivers": "off"})
    assert {f.rule: f.severity for f in result.findings}.get("empty-praise") == "error"
    assert "missing-drivers" not in {f.rule for f in result.findings}


@pytest.mark.parametrize("text, profile, message", [
    (b"Save time.", "smb-owner", "text must be a str, not bytes"),
    (None, "smb-owner", "text must be a str, not NoneType"),
    ("Save time.", None, "profile must be a Profile, a path or a sample profile name"),
    ("Save time.", 3, "profile must be a Profile, a path or a sample profile name"),
])
def test_wrong_argument_types_say_which_argument(text, profile, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        msglint.lint_text(text, profile)


def test_lint_texts_names_the_text_that_is_not_a_str() -> None:
    from msglint.api import lint_texts

    with pytest.raises(TypeError, match=r"texts\[1\] must be a str, not bytes"):
        lint_texts(["Save time.", b"Save money."], "smb-owner")  # type: ignore[list-item]


def test_msglints_own_errors_are_reachable_from_the_package() -> None:
    from msglint.errors import ConfigError

    assert msglint.MsglintError is MsglintError and msglint.ConfigError is ConfigError
    with pytest.raises(msglint.MsglintError, match="profile not found"):
        msglint.lint_text("Save time.", "smb-ownr")

"""Project config (CONTRACT.md section 5): both forms, overrides, exclude, strict validation."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DRAFTS, PROFILES

from msglint.cli import main
from msglint.config import find_config, load_config
from msglint.errors import ConfigError


def make_project(tmp_path: Path) -> Path:
    (tmp_path / "profiles").mkdir(parents=True)
    for name in ("smb-owner", "enterprise-ops"):
        shutil.copy(PROFILES / f"{name}.yaml", tmp_path / "profiles" / f"{name}.yaml")
    for folder in ("drafts", "enterprise", "archive"):
        (tmp_path / folder).mkdir()
        shutil.copy(DRAFTS / "vendor-centred.md", tmp_path / folder / "launch.md")
    return tmp_path


YAML_CONFIG = """\
profile: profiles/smb-owner.yaml
overrides:
  - paths: ["enterprise/**"]
    profile: profiles/enterprise-ops.yaml
exclude: ["archive/**"]
"""

TOML_CONFIG = """\
[project]
name = "content"

[tool.msglint]
profile = "profiles/smb-owner.yaml"
overrides = [{paths = ["enterprise/**"], profile = "profiles/enterprise-ops.yaml"}]
exclude = ["archive/**"]
"""


def lint_json(project: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", ".", "-f", "json", "--no-cache"],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_yaml_and_pyproject_give_the_same_result(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    a = make_project(tmp_path / "a")
    (a / ".msglint.yaml").write_text(YAML_CONFIG)
    b = make_project(tmp_path / "b")
    (b / "pyproject.toml").write_text(TOML_CONFIG)
    doc_a = lint_json(a, monkeypatch)
    doc_b = lint_json(b, monkeypatch)
    assert doc_a["files"] == doc_b["files"]
    by_path = {f["path"]: f for f in doc_a["files"]}
    # exclude keeps archive/ out; the override gives enterprise/ its own profile
    assert sorted(by_path) == ["drafts/launch.md", "enterprise/launch.md"]
    assert by_path["drafts/launch.md"]["profile"] == "smb-owner"
    assert by_path["enterprise/launch.md"]["profile"] == "enterprise-ops"


def test_profile_flag_beats_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path)
    (project / ".msglint.yaml").write_text(YAML_CONFIG)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", "drafts", "-f", "json", "--no-cache",
                                       "-p", "profiles/enterprise-ops.yaml"])
    assert json.loads(result.stdout)["files"][0]["profile"] == "enterprise-ops"


def test_config_found_walking_up(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / ".msglint.yaml").write_text(YAML_CONFIG)
    assert find_config(project / "drafts") == project / ".msglint.yaml"


BAD = [
    ("profle: profiles/smb-owner.yaml\n", (1, 1), "unknown key 'profle'"),
    ("profile: profiles/nope.yaml\n", (1, 10), "not found"),
    ("exclude: ['archive/[']\n", (1, 11), "bad glob"),
    ("rules:\n  empty-praize: off\n", (2, 3), "did you mean 'empty-praise'"),
    ("fail_on: sometimes\n", (1, 10), "valid values: error, warning, info, never"),
    # found here, at its line, not when spaCy fails to load it (with no file named)
    ("model: en_core_web_smm\n", (1, 8), "spaCy pipeline 'en_core_web_smm' not found"),
    # YAML's false, as a user writes it, not Python's False
    ("rules:\n  empty-praise: loud\n", (2, 17), "valid values: error, warning, info, off, false\n"),
]


@pytest.mark.parametrize(("text", "where", "fragment"), BAD)
def test_bad_config_points_at_file_line_col(tmp_path: Path, text: str,
                                            where: tuple[int, int], fragment: str) -> None:
    project = make_project(tmp_path)
    path = project / ".msglint.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert (info.value.line, info.value.column) == where, str(info.value)
    assert fragment in str(info.value) + "\n"


def test_bad_config_exits_2_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path)
    (project / ".msglint.yaml").write_text("profle: x\n")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", "."])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and ".msglint.yaml:1:1" in result.stderr


@pytest.mark.parametrize(("text", "where"), [
    ("[tool.msglint\nprofile = 1\n", "pyproject.toml:1:14: invalid TOML"),
    ('[project]\nname = x\n\n[tool.msglint]\nprofile = "profiles/smb-owner.yaml"\n',
     "pyproject.toml:2:8: invalid TOML"),
])
def test_a_broken_pyproject_meant_for_msglint_is_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, where: str) -> None:
    project = make_project(tmp_path)
    (project / "pyproject.toml").write_text(text)
    assert find_config(project / "drafts") == project / "pyproject.toml"
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", "drafts", "-p", "profiles/smb-owner.yaml"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and where in result.stderr, result.stderr


@pytest.mark.parametrize(("name", "data", "where"), [
    (".msglint.yaml", b"profile: profiles/smb-owner.yaml\n# caf\xe9\n",
     ".msglint.yaml:2:6: invalid UTF-8 at byte 38; save the config as UTF-8"),
    # not valid UTF-8 but meant for msglint: reported, as invalid TOML is, not skipped
    ("pyproject.toml", b'[tool.msglint]\nprofile = "profiles/smb-owner.yaml" # caf\xe9\n',
     "pyproject.toml:2:42: invalid UTF-8 at byte 56; save the config as UTF-8"),
])
def test_a_config_that_is_not_utf8_says_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              name: str, data: bytes, where: str) -> None:
    project = make_project(tmp_path)
    (project / name).write_bytes(data)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", "drafts"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and where in result.stderr, result.stderr


def test_model_en_core_web_sm_loads_where_its_pypi_twin_is_installed(tmp_path: Path) -> None:
    # the docs' natural `model: en_core_web_sm`; the test environment installs only the twin
    (tmp_path / ".msglint.yaml").write_text("model: en_core_web_sm\n")
    assert load_config(tmp_path / ".msglint.yaml").model == "en_core_web_sm"


def test_a_model_folder_is_relative_to_the_config(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path)
    (project / "pipelines" / "mine").mkdir(parents=True)
    (project / ".msglint.yaml").write_text("model: pipelines/mine\n")
    monkeypatch.chdir(project / "drafts")
    assert load_config(find_config(Path.cwd())).model == str(project / "pipelines" / "mine")


def test_a_broken_pyproject_without_msglint_table_is_not_ours(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "pyproject.toml").write_text("[project]\nname = x\n")
    assert find_config(project / "drafts") is None


@pytest.mark.parametrize("text", [
    "profile: smb-owner\n",
    "overrides:\n  - paths: ['enterprise/**']\n    profile: enterprise-ops\n",
])
def test_a_config_may_name_a_shipped_profile(tmp_path: Path, text: str) -> None:
    project = make_project(tmp_path / "p")
    shutil.rmtree(project / "profiles")  # nothing of that name next to the config
    (project / ".msglint.yaml").write_text(text)
    cfg = load_config(project / ".msglint.yaml")
    chosen = cfg.profile_for(project / "enterprise" / "launch.md")
    assert chosen is not None and chosen.stem in ("smb-owner", "enterprise-ops")
    assert chosen.is_file()


def test_a_file_next_to_the_config_beats_a_shipped_name(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "smb-owner").write_text((PROFILES / "smb-owner.yaml").read_text())
    (project / ".msglint.yaml").write_text("profile: smb-owner\n")
    assert load_config(project / ".msglint.yaml").profile == project / "smb-owner"


def test_rules_setting_turns_a_check_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path)
    (project / ".msglint.yaml").write_text(YAML_CONFIG + "rules:\n  off-target-theme: off\n")
    doc = lint_json(project, monkeypatch)
    rules = {f["rule"] for f in doc["files"][0]["findings"]}
    assert "off-target-theme" not in rules
    assert rules  # the other checks still run


TAGLINE = "Our platform has 200 integrations and a modern design.\n"


@pytest.mark.parametrize(("setting", "args", "skipped"), [
    ("", [], False),                                # default 0: every file gets every check
    ("min_words: 20\n", [], True),                  # the 9-word tagline is too short
    ("min_words: 5\n", [], False),                  # ... but not for a limit of 5
    ("min_words: 20\n", ["--min-words", "0"], False),  # the flag beats the config
    ("", ["--min-words", "20"], True),
])
def test_min_words_skips_whole_file_checks_on_short_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, args: list[str],
        skipped: bool) -> None:
    project = make_project(tmp_path)
    (project / "drafts" / "tagline.txt").write_text(TAGLINE)
    (project / ".msglint.yaml").write_text(YAML_CONFIG + setting)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", "drafts", "-f", "json", "--no-cache", *args],
                                catch_exceptions=False)
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    short = {f["rule"] for f in files["tagline.txt"]["findings"]}
    long = {f["rule"] for f in files["launch.md"]["findings"]}
    assert ({"missing-drivers", "vendor-voice"} & short == set()) is skipped
    assert "vendor-voice" in long  # the 600-word draft is judged whatever the limit


@pytest.mark.parametrize(("args", "code"), [([], 1), (["--min-words", "20"], 0)])
def test_short_copy_below_min_words_is_not_held_to_min_score(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], code: int) -> None:
    project = make_project(tmp_path)
    (project / "tagline.txt").write_text(TAGLINE)
    (project / ".msglint.yaml").write_text(YAML_CONFIG)
    monkeypatch.chdir(project)
    # --fail-on error: the whole-file warnings alone would not fail it; the score (40 < 60) does
    result = CliRunner().invoke(main, ["check", "tagline.txt", "--fail-on", "error",
                                       "--no-cache", *args], catch_exceptions=False)
    assert "score 40/100" in result.stdout
    assert result.exit_code == code, result.output


@pytest.mark.parametrize(("setting", "args"), [
    ("min_words: 20\nmin_score: 60\n", []),           # the config's min_score
    ("min_words: 20\n", ["--min-score", "60"]),        # the command line's
    ("", ["--min-words", "20", "--min-score", "60"]),
])
def test_short_copy_is_not_held_to_a_min_score_from_config_or_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, args: list[str]) -> None:
    # docs/config.md: a file shorter than min_words "is not held to min_score"; --min-words's
    # help: it skips "the minimum score". Not only the profile's.
    project = make_project(tmp_path)
    (project / "tagline.txt").write_text(TAGLINE)
    (project / ".msglint.yaml").write_text(YAML_CONFIG + setting)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", "tagline.txt", "--fail-on", "error",
                                       "--no-cache", *args], catch_exceptions=False)
    assert "score 40/100" in result.stdout
    assert "below minimum" not in result.stdout
    assert result.exit_code == 0, result.output
    for fmt in ("github", "junit", "gitlab", "html"):
        out = CliRunner().invoke(main, ["check", "tagline.txt", "--fail-on", "never", "-f", fmt,
                                        "--no-cache", *args], catch_exceptions=False)
        assert "min-score" not in out.stdout and "below the minimum" not in out.stdout, fmt
        assert out.exit_code == 0, (fmt, out.output)


def test_config_show_reports_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path)
    (project / ".msglint.yaml").write_text(YAML_CONFIG)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["config", "show", "enterprise/launch.md"])
    assert "enterprise-ops.yaml" in result.stdout
    assert "override" in result.stdout
    assert textwrap.dedent("exclude") in result.stdout


def test_force_exclude_applies_exclude_to_named_files(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path)
    (project / ".msglint.yaml").write_text(YAML_CONFIG)
    monkeypatch.chdir(project)
    named = CliRunner().invoke(main, ["check", "archive/launch.md", "-f", "json", "--no-cache"])
    assert [f["path"] for f in json.loads(named.stdout)["files"]] == ["archive/launch.md"]
    forced = CliRunner().invoke(main, ["check", "archive/launch.md", "-f", "json", "--no-cache",
                                       "--force-exclude"])
    assert json.loads(forced.stdout)["files"] == []
    assert forced.exit_code == 0

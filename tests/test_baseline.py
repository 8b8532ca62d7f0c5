"""Baselines: write, load, filter to what is new; identity never depends on line numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msglint.baseline import KIND, filter_new, fixed, load_baseline, write_baseline
from msglint.errors import ConfigError
from msglint.models import FileResult, Finding, Location, RunResult, Score


def finding(line: int, text: str = "inventory control", theme: str | None = "inventory-control",
            rule: str = "off-target-theme") -> Finding:
    return Finding(rule, "error", f"'{text}' is off-target", "reframe",
                   Location(line, 5, line, 5 + len(text), text), theme=theme)


def run_of(*files: tuple[str, list[Finding]]) -> RunResult:
    return RunResult([FileResult(p, profile="smb-owner", score=Score(50, ()), findings=fs)
                      for p, fs in files], "0.1.0")


def new_findings(run: RunResult) -> list[tuple[str, str, str | None, int]]:
    return [(f.path, x.rule, x.theme, x.location.line) for f in run.files for x in f.findings]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_write_then_filter_nothing_new(in_tmp: Path) -> None:
    run = run_of(("drafts/a.md", [finding(3), finding(9, "gross margin", "gross-margin")]),
                 ("drafts/b.md", [finding(1, "we are the leader", None, "vendor-voice")]))
    written = write_baseline(run, "msglint-baseline.json")
    assert len(written) == 3
    doc = json.loads((in_tmp / "msglint-baseline.json").read_text(encoding="utf-8"))
    assert doc["kind"] == KIND and doc["version"] == 1
    assert doc["tool"] == {"name": "msglint", "version": "0.1.0"}
    assert {"path": "drafts/a.md", "rule": "off-target-theme", "theme": "inventory-control",
            "text": "inventory control", "count": 1} in doc["findings"]
    assert all("line" not in e for e in doc["findings"])
    baseline = load_baseline("msglint-baseline.json")
    filtered = filter_new(run, baseline)
    assert new_findings(filtered) == []
    # files, scores and profiles are untouched; only findings are filtered
    assert [f.path for f in filtered.files] == ["drafts/a.md", "drafts/b.md"]
    assert filtered.files[0].score == Score(50, ())
    assert len(run.files[0].findings) == 2  # the input run is not modified
    assert fixed(run, baseline) == 0


def test_added_finding_is_the_only_new_one(in_tmp: Path) -> None:
    run = run_of(("a.md", [finding(3)]))
    write_baseline(run, "b.json")
    later = run_of(("a.md", [finding(3), finding(7, "stock levels", "inventory-control")]),
                   ("new.md", [finding(2)]))
    assert new_findings(filter_new(later, load_baseline("b.json"))) == [
        ("a.md", "off-target-theme", "inventory-control", 7),
        ("new.md", "off-target-theme", "inventory-control", 2)]


def test_lines_shifted_still_nothing_new(in_tmp: Path) -> None:
    write_baseline(run_of(("a.md", [finding(3), finding(4, "gross margin", "gross-margin")])),
                   "b.json")
    shifted = run_of(("a.md", [finding(13), finding(25, "Gross\n  margin", "gross-margin")]))
    assert new_findings(filter_new(shifted, load_baseline("b.json"))) == []


def test_multiplicity(in_tmp: Path) -> None:
    write_baseline(run_of(("a.md", [finding(3), finding(8)])), "b.json")
    baseline = load_baseline("b.json")
    assert json.loads(Path("b.json").read_text())["findings"][0]["count"] == 2
    assert new_findings(filter_new(run_of(("a.md", [finding(1), finding(2)])), baseline)) == []
    three = run_of(("a.md", [finding(1), finding(2), finding(30)]))
    assert new_findings(filter_new(three, baseline)) == [
        ("a.md", "off-target-theme", "inventory-control", 30)]
    # the same finding in another file is not absorbed
    other = run_of(("b.md", [finding(3)]))
    assert len(new_findings(filter_new(other, baseline))) == 1
    # one of the two fixed: ratchet time
    assert fixed(run_of(("a.md", [finding(3)])), baseline) == 1


def test_rule_and_theme_are_part_of_the_key(in_tmp: Path) -> None:
    write_baseline(run_of(("a.md", [finding(3)])), "b.json")
    baseline = load_baseline("b.json")
    other_rule = run_of(("a.md", [finding(3, rule="empty-praise")]))
    other_theme = run_of(("a.md", [finding(3, theme="gross-margin")]))
    assert len(new_findings(filter_new(other_rule, baseline))) == 1
    assert len(new_findings(filter_new(other_theme, baseline))) == 1


def test_paths_are_relative_to_the_baseline_file(in_tmp: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (in_tmp / "docs").mkdir()
    write_baseline(run_of(("docs/a.md", [finding(3)])), "baseline.json")
    assert json.loads(Path("baseline.json").read_text())["findings"][0]["path"] == "docs/a.md"
    monkeypatch.chdir(in_tmp / "docs")  # run from a sub-folder: the display path is "a.md"
    baseline = load_baseline("../baseline.json")
    assert new_findings(filter_new(run_of(("a.md", [finding(3)])), baseline)) == []
    assert new_findings(filter_new(run_of(("./a.md", [finding(3)])), baseline)) == []


def test_errors_are_kept_and_never_baselined(in_tmp: Path) -> None:
    broken = RunResult([FileResult("x.docx", error="not a zip file")], "0.1.0")
    write_baseline(broken, "b.json")
    assert json.loads(Path("b.json").read_text())["findings"] == []
    assert filter_new(broken, load_baseline("b.json")).files[0].error == "not a zip file"


@pytest.mark.parametrize("content, words", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a msglint baseline"),
    ('{"version": 2.1, "runs": []}', "not a msglint baseline"),  # a SARIF file by mistake
    ('{"kind": "msglint-baseline", "version": 99, "findings": []}', "newer"),
    ('{"kind": "msglint-baseline", "version": 1, "findings": {}}', "must be a list"),
    ('{"kind": "msglint-baseline", "version": 1, "findings": [{"path": "a"}]}', "findings[0]"),
    ('{"kind": "msglint-baseline", "version": 1, "findings": [{"path": "a", "rule": "r", '
     '"text": "t", "count": 0}]}', "findings[0]"),
])
def test_corrupt_or_foreign_file_is_a_config_error(in_tmp: Path, content: str, words: str) -> None:
    Path("bad.json").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_baseline("bad.json")
    message = str(info.value)
    assert message.startswith("bad.json")
    assert words in message
    if words != "newer":
        assert "--write-baseline" in message


def test_missing_or_binary_file(in_tmp: Path) -> None:
    with pytest.raises(ConfigError, match="not found.*--write-baseline"):
        load_baseline("nope.json")
    Path("bin.json").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="bin.json.*not UTF-8"):
        load_baseline("bin.json")


# --- with the real pipeline ----------------------------------------------------------------

VENDOR = ("# Spring launch\n\nOur platform delivers tight inventory control across every store.\n"
          "We help retailers raise gross margin by up to three points.\n")


def test_real_findings_survive_an_edit_above(lint, in_tmp: Path) -> None:
    before = lint(VENDOR, "smb-owner", fmt="markdown", path="drafts/launch.md")
    assert any(x.theme == "inventory-control" for x in before.findings)
    write_baseline(RunResult([before], "0.1.0"), "baseline.json")
    baseline = load_baseline("baseline.json")
    edited = VENDOR.replace("# Spring launch\n\n", "# Spring launch\n\nA new paragraph about "
                            "the season.\n\nAnd one more.\n\n")
    after = lint(edited, "smb-owner", fmt="markdown", path="drafts/launch.md")
    lines = lambda r: sorted(x.location.line for x in r.findings if x.theme)  # noqa: E731
    assert lines(after) == [n + 4 for n in lines(before)]
    assert filter_new(RunResult([after], "0.1.0"), baseline).files[0].findings == []
    added = lint(edited + "\nNo more stockouts on your shelves.\n", "smb-owner",
                 fmt="markdown", path="drafts/launch.md")
    fresh = filter_new(RunResult([added], "0.1.0"), baseline).files[0].findings
    assert [(x.theme, x.location.line) for x in fresh] == [("inventory-control", 10)]


def test_cli_write_then_check_with_baseline(in_tmp: Path) -> None:
    from click.testing import CliRunner
    from conftest import DRAFTS, profile_path

    from msglint.cli import main

    draft = in_tmp / "launch.md"
    draft.write_text((DRAFTS / "vendor-centred.md").read_text(encoding="utf-8"), encoding="utf-8")
    smb = str(profile_path("smb-owner"))

    def cli(*args: str):
        return CliRunner().invoke(main, ["check", "launch.md", "--profile", smb, "--min-score",
                                         "0", *args], env={}, catch_exceptions=False)

    assert cli().exit_code == 1
    wrote = cli("--write-baseline", "baseline.json")
    assert wrote.exit_code == 0 and "recorded" in wrote.stderr
    clean = cli("--baseline", "baseline.json", "--format", "json")
    assert clean.exit_code == 0
    assert json.loads(clean.stdout)["files"][0]["findings"] == []
    draft.write_text("A new first paragraph.\n\n" + draft.read_text(encoding="utf-8")
                     + "\nReplace one line: we help you raise gross margin.\n", encoding="utf-8")
    new = cli("--baseline", "baseline.json", "--format", "json")
    assert new.exit_code == 1
    found = json.loads(new.stdout)["files"][0]["findings"]
    assert [(f["rule"], f["theme"], f["text"]) for f in found] == [
        ("off-target-theme", "gross-margin", "gross margin")]
    Path("baseline.json").write_text("{}", encoding="utf-8")
    broken = cli("--baseline", "baseline.json")
    assert broken.exit_code == 2 and "baseline.json: not a msglint baseline" in broken.stderr


@pytest.mark.parametrize(("before", "after"), [
    ("Try it free for", "Try it free"),                          # session 10 trims spans' edges
    ("more of what you earn, and you", "more of what you earn"),
    ("% OFF", "50% OFF"),
    ("inventory\n  control", "Inventory Control"),               # reflowed, recapitalised
    ("leading sauna maker.", "leading sauna maker"),             # session 11 trims more edges
    ("drive business?", "drive business"),
    ("is the leading provider", "the leading provider"),
    ("We are a small design agency", "a small design agency"),
    ("We\u2019re a small design agency", "a small design agency"),
    ("> is a design agency", "a design agency"),
    ("\u2019s #1", "#1"),
    ("'re fast", "We're fast"),                                  # a clitic shown with its host
    ("Education Consultants That", "Education Consultants"),
    ("find ideal venues faster so", "find ideal venues faster"),
    ("bakery company providing", "bakery company"),
    ("20 years of experience", "Over 20 years of experience"),
    ("30 years of\u200b", "30 years"),
])
def test_a_baseline_written_before_a_span_change_still_matches(before: str, after: str) -> None:
    from msglint.baseline import normalise_text

    assert normalise_text(before) == normalise_text(after)
    # a baseline stores keys already normalised: loading normalises them again
    assert normalise_text(normalise_text(before)) == normalise_text(before)


def test_an_entry_stored_before_session_11_absorbs_the_trimmed_finding(in_tmp: Path) -> None:
    # the key session 10 wrote for "Acme is the leading provider of ...", now shown without "is"
    Path("b.json").write_text(json.dumps({
        "kind": KIND, "version": 1, "tool": {"name": "msglint", "version": "0.1.0"},
        "findings": [{"path": "a.md", "rule": "off-target-theme", "theme": "vendor-credentials",
                      "text": "is the leading provider", "count": 1}]}), encoding="utf-8")
    now = run_of(("a.md", [finding(1, "the leading provider", "vendor-credentials")]))
    assert new_findings(filter_new(now, load_baseline("b.json"))) == []


@pytest.mark.parametrize(("a", "b"), [
    ("inventory control", "stock control"),
    ("free trial", "free shipping"),
    ("your margin", "our margin"),
    ("a design agency", "the design agency"),
    ("be in control", "in charge"),
    ("have control", "control"),
    ("is not watching", "not watching"),
])
def test_different_words_stay_different_findings(a: str, b: str) -> None:
    from msglint.baseline import normalise_text

    assert normalise_text(a) != normalise_text(b)

"""The CLI as a user meets it: exit codes, output shapes, error lines (CONTRACT.md 2 and 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DRAFTS, PROFILES, ROOT

from msglint.cli import main

SMB = str(PROFILES / "smb-owner.yaml")
ENT = str(PROFILES / "enterprise-ops.yaml")
PREMIUM = str(PROFILES / "premium-brand.yaml")


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env or {}, catch_exceptions=False)


def as_json(result) -> dict:
    return json.loads(result.stdout)


def off_target_themes(doc: dict) -> set[str]:
    return {f["theme"] for f in doc["findings"] if f["rule"] == "off-target-theme"}


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("msglint 0.")


def test_vendor_draft_is_off_target_for_smb_but_not_enterprise() -> None:
    draft = str(DRAFTS / "vendor-centred.md")
    smb = run("check", draft, "--profile", SMB, "--format", "json")
    ent = run("check", draft, "--profile", ENT, "--format", "json")
    assert smb.exit_code == 1
    smb_file, ent_file = as_json(smb)["files"][0], as_json(ent)["files"][0]
    assert {"inventory-control", "cost-containment", "gross-margin"} <= off_target_themes(smb_file)
    assert not off_target_themes(ent_file) & {"inventory-control", "cost-containment",
                                              "gross-margin"}
    assert ent_file["score"] > smb_file["score"]
    for f in smb_file["findings"]:
        assert f["severity"] in ("error", "warning", "info")


def test_customer_draft_scores_high_and_covers_the_drivers() -> None:
    result = run("check", str(DRAFTS / "customer-centred.md"), "--profile", SMB,
                 "--format", "json")
    doc = as_json(result)["files"][0]
    assert doc["score"] >= 80
    for driver in ("time-with-customers", "take-home-pay", "less-day-to-day-involvement"):
        assert doc["coverage"][driver] >= 1, driver
    assert doc["voice"]["label"] == "customer"
    assert not [f for f in doc["findings"] if f["severity"] == "error"]


def test_discount_draft_is_flagged_under_premium_brand() -> None:
    result = run("check", str(DRAFTS / "discount-led.md"), "--profile", PREMIUM,
                 "--format", "json")
    assert result.exit_code == 1
    rules = {(f["rule"], f["theme"]) for f in as_json(result)["files"][0]["findings"]}
    assert ("price-led", "price-discount") in rules
    assert ("off-target-theme", "price-discount") in rules


def test_json_document_has_the_contract_fields() -> None:
    result = run("check", str(DRAFTS / "vendor-centred.md"), "--profile", SMB, "-f", "json")
    doc = as_json(result)
    assert doc["schema_version"] == 1
    assert doc["tool"]["name"] == "msglint"
    f = doc["files"][0]
    for key in ("path", "profile", "score", "voice", "themes", "coverage", "findings", "error"):
        assert key in f
    assert f["error"] is None
    assert set(doc["summary"]) >= {"files", "errors", "warnings", "infos"}
    original = (DRAFTS / "vendor-centred.md").read_text(encoding="utf-8").split("\n")
    for item in f["themes"] + f["findings"]:
        if item["line"] == item["end_line"]:
            line = original[item["line"] - 1]
            assert line[item["column"] - 1:item["end_column"] - 1] == item["text"]
    # findings sorted by position
    positions = [(x["line"], x["column"]) for x in f["findings"]]
    assert positions == sorted(positions)


def test_text_output_is_ruff_style(tmp_path: Path) -> None:
    result = run("check", str(DRAFTS / "vendor-centred.md"), "--profile", SMB)
    lines = result.stdout.splitlines()
    assert any(":" in ln and " error [off-target-theme" in ln for ln in lines)
    assert "score" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour
    assert lines[-1].startswith("1 file(s):")


def test_color_always_but_no_color_env_wins() -> None:
    args = ("check", str(DRAFTS / "vendor-centred.md"), "--profile", SMB)
    assert "\x1b[" in run(*args, "--color", "always").stdout
    assert "\x1b[" not in run(*args, env={"NO_COLOR": "1"}).stdout


def test_fail_on_and_min_score() -> None:
    draft = str(DRAFTS / "vendor-centred.md")
    assert run("check", draft, "--profile", SMB, "--fail-on", "never",
               "--min-score", "0").exit_code == 0
    assert run("check", draft, "--profile", SMB, "--fail-on", "error",
               "--min-score", "0").exit_code == 1
    assert run("check", draft, "--profile", SMB, "--fail-on", "never",
               "--min-score", "100").exit_code == 1


def test_broken_profile_exits_2_with_position_and_hint(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("drivers:\n  time-savings: lots\noff_target:\n  gross-margn: {reason: a, "
                   "reframe: b}\n")
    result = run("check", str(DRAFTS / "customer-centred.md"), "--profile", str(bad))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1
    assert "bad.yaml:2:17:" in err


def test_unknown_theme_id_suggests_the_closest(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("off_target:\n  gross-margn: {reason: a, reframe: b}\n")
    result = run("check", str(DRAFTS / "customer-centred.md"), "--profile", str(bad))
    assert result.exit_code == 2
    assert "bad.yaml:2:3:" in result.stderr
    assert "did you mean 'gross-margin'" in result.stderr


def test_missing_file_exits_2_after_linting_the_others(tmp_path: Path) -> None:
    result = run("check", str(DRAFTS / "vendor-centred.md"), str(tmp_path / "nope.md"),
                 "--profile", SMB, "--format", "json")
    assert result.exit_code == 2
    files = as_json(result)["files"]
    assert files[0]["findings"]  # the good file was still linted
    assert files[1]["error"]["message"]
    assert files[1]["score"] is None


def test_no_profile_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text("Hello.")
    result = run("check", "a.md")
    assert result.exit_code == 2
    assert "no profile" in result.stderr


def test_shipped_profile_by_name() -> None:
    result = run("check", str(DRAFTS / "customer-centred.md"), "--profile", "smb-owner",
                 "-f", "json")
    assert as_json(result)["files"][0]["profile"] == "smb-owner"


def test_unknown_format_is_a_usage_error() -> None:
    result = run("check", str(DRAFTS / "customer-centred.md"), "-p", SMB, "-f", "yaml")
    assert result.exit_code == 2
    assert "unknown format" in result.output
    # every value --help names, auto included
    assert "choose one of: auto, github, gitlab, html, json, junit, sarif, text" in result.output


def test_a_usage_mistake_is_not_reported_as_an_internal_error() -> None:
    result = run("check", str(DRAFTS / "customer-centred.md"), "-p", SMB, "-f", "yaml")
    assert "internal error" not in result.output
    assert "Usage: " in result.output and "Error: unknown format" in result.output


def test_rules_lists_every_contract_theme_and_check() -> None:
    result = run("rules")
    for tid in ("inventory-control", "take-home-pay", "empty-praise"):
        assert tid in result.stdout
    for cid in ("off-target-theme", "price-led", "vendor-voice", "missing-drivers"):
        assert cid in result.stdout


@pytest.mark.parametrize("rule_id", ["off-target-theme", "inventory-control"])
def test_explain_reads_the_yaml(rule_id: str) -> None:
    result = run("explain", rule_id)
    assert result.exit_code == 0
    assert "Why it matters" in result.stdout


def test_explain_prints_no_placeholders() -> None:
    """A check's suggestion is filled from the profile per finding; explain has no profile."""
    from msglint.catalogue import load_catalogue

    for cid in load_catalogue().checks:
        out = run("explain", cid).stdout
        assert "{" not in out and "}" not in out, (cid, out)
    assert "reframe the profile gives" in run("explain", "off-target-theme").stdout


def test_explain_unknown_id_suggests() -> None:
    result = run("explain", "inventory-contrl")
    assert result.exit_code == 2
    assert "did you mean 'inventory-control'" in result.stderr


def test_profile_validate(tmp_path: Path) -> None:
    assert run("profile", "validate", SMB, ENT, PREMIUM).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("drivers:\n  nope: 1\n")
    result = run("profile", "validate", str(bad))
    assert result.exit_code == 2
    assert "bad.yaml:2:3" in result.stderr


def test_profile_validate_checks_own_theme_patterns_as_a_run_would(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes:\n  - id: florals\n    name: F\n    description: d\n"
                   "    examples: {match: [x], no_match: [y]}\n"
                   "    patterns:\n      - [{LEMMA: rose}]\n      - [{LEMMA: tulip, LEMA: x}]\n")
    result = run("profile", "validate", str(bad))
    assert result.exit_code == 2
    assert "bad.yaml:8:9: invalid pattern in theme 'florals', patterns[1]" in result.stderr
    assert "LEMA" in result.stderr and "Traceback" not in result.stderr
    # and a run says the same, whatever the copy holds (none of the theme's words here)
    draft = tmp_path / "a.md"
    draft.write_text("Nothing here matches.\n")
    check = run("check", str(draft), "-p", str(bad), "--no-cache")
    assert check.exit_code == 2 and "bad.yaml:8:9" in check.stderr


def test_profile_validate_lists_every_mistake_in_file_order(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nname: b\ndrivers:\n  time-savings: lots\n  tim-with-customers: 2\n"
                   "off_target:\n  inventory-contrl:\n    reason: x\ndriverz: 1\n")
    result = run("profile", "validate", str(bad))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    where = [line.split(": ")[2].rsplit("bad.yaml:", 1)[1] for line in lines]
    assert where == ["4:17", "5:3", "7:3", "8:5", "9:1"], lines
    assert "did you mean 'time-with-customers'" in lines[1]
    assert "did you mean 'inventory-control'" in lines[2]
    # a run stops at the first, in one line (CONTRACT.md: exit 2 with one clear line)
    check = run("check", str(SMB), "-p", str(bad))
    assert check.exit_code == 2 and check.stderr.count("\n") == 1


def test_schema_profile_is_json_schema() -> None:
    result = run("schema", "profile")
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "inventory-control" in json.dumps(schema)


def test_init_writes_a_working_starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    assert (tmp_path / ".msglint.yaml").is_file()
    (tmp_path / "draft.md").write_text("Finish by five and keep your evenings free.\n")
    result = run("check", "draft.md", "-f", "json")
    assert result.exit_code in (0, 1)
    assert as_json(result)["files"][0]["profile"] == "my-segment"
    # the starter's segment name reads as words in messages, not as an instruction
    text = run("check", "draft.md").stdout
    assert "drivers of our customers" in text and "describe" not in text
    assert run("init").exit_code == 2  # refuses to overwrite


def test_config_show_names_origins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run("init")
    result = run("config", "show")
    assert result.exit_code == 0
    assert "profile:" in result.stdout and ".msglint.yaml" in result.stdout


def test_report_writes_html(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = run("report", str(DRAFTS / "customer-centred.md"), "-p", SMB, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text().lstrip().lower().startswith("<!doctype html")


def test_report_fails_on_a_low_score_but_not_on_findings(tmp_path: Path) -> None:
    # docs/report.md: report writes the page whatever the findings; only the minimum score
    # (the config's, else the profile's) and unreadable input change its exit code.
    draft, out = str(DRAFTS / "vendor-centred.md"), str(tmp_path / "r.html")
    assert run("report", draft, "-p", SMB, "-o", out).exit_code == 1  # 16 < 60, 10 errors
    config = tmp_path / ".msglint.yaml"
    config.write_text("min_score: 0\n")
    assert run("report", draft, "-p", SMB, "-o", out, "--config", str(config)).exit_code == 0
    assert run("check", draft, "-p", SMB, "--config", str(config)).exit_code == 1  # findings


def test_output_to_unwritable_place_is_one_line(tmp_path: Path) -> None:
    result = run("check", str(DRAFTS / "customer-centred.md"), "-p", SMB, "-f", "json",
                 "-o", str(tmp_path / "missing-dir" / "out.json"))
    assert result.exit_code == 2
    assert "cannot write report" in result.stderr


def test_python_m_msglint_works() -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "msglint", "--version"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "msglint" in proc.stdout


@pytest.mark.parametrize("args, code", [
    (("check", str(DRAFTS), "-p", SMB, "-f", "json"), 1),  # findings: a complete report
    (("check", str(DRAFTS / "customer-centred.md"), "-p", SMB, "-f", "json"), 0),
    (("check", "--bogus"), 2),  # click's usage error
    (("check", str(DRAFTS), "-p", "no-such-profile"), 2),
])
def test_the_command_exits_fast_with_its_exit_code_and_all_its_output(args, code) -> None:  # type: ignore[no-untyped-def]
    """`python -m msglint` (and the `msglint` script, cli.run) leaves with os._exit: the exit
    code and every byte written to stdout and stderr must survive that."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "msglint", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == code, proc.stderr
    if "json" in args:
        assert json.loads(proc.stdout)["files"]  # all of it, flushed
    if code == 2:
        assert proc.stderr.strip()


def test_unreadable_asset_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "camp.yaml"
    bad.write_text("subject: [one, two\n", encoding="utf-8")
    result = run("check", str(bad), "-p", SMB, "-f", "json")
    assert result.exit_code == 2
    error = as_json(result)["files"][0]["error"]
    assert "invalid YAML" in error["message"] and "(line 2, column 1)" in error["message"]
    assert (error["line"], error["column"]) == (2, 1)  # extends CONTRACT.md's {"message"}
    text = run("check", str(bad), "-p", SMB)
    assert f"{bad}:2:1: error [read-error] invalid YAML" in text.stdout
    assert "(line 2, column 1)" not in text.stdout  # said once, as path:line:col
    github = run("check", str(bad), "-p", SMB, "-f", "github")
    assert "::error file=" in github.stdout and ",line=2,col=1," in github.stdout


def test_invalid_utf8_names_line_and_column(tmp_path: Path) -> None:
    # The position was only inside the message: no path:line:col prefix, no JSON line/column.
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"Save time.\nab\xff cd\n")
    error = as_json(run("check", str(bad), "-p", SMB, "-f", "json"))["files"][0]["error"]
    assert (error["line"], error["column"]) == (2, 3)
    assert error["message"].startswith("invalid UTF-8 at byte 13") and "(line 2, column 3)" in \
        error["message"]
    text = run("check", str(bad), "-p", SMB)
    assert text.exit_code == 2
    assert f"{bad}:2:3: error [read-error] invalid UTF-8 at byte 13; re-save" in text.stdout
    assert "(line 2, column 3)" not in text.stdout


def test_empty_file_does_not_fail_the_minimum_score(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    result = run("check", str(empty), "-p", SMB)
    assert result.exit_code == 0, result.output
    assert "below minimum" not in result.stdout
    assert "empty.md: no copy to score" in result.stdout  # not "score 50/100"
    # nor a minimum given on the command line: an empty file has nothing to score low on
    assert run("check", str(empty), "-p", SMB, "--min-score", "60").exit_code == 0
    code_only = tmp_path / "code.md"
    code_only.write_text("```\nprint('hi')\n```\n", encoding="utf-8")
    assert run("check", str(code_only), "-p", SMB, "--min-score", "60").exit_code == 0


@pytest.mark.parametrize("fmt", ["json", "sarif", "html"])
def test_a_read_error_on_stderr_starts_with_path_line_col(tmp_path: Path, fmt: str) -> None:
    # Beside a machine-readable report, the unreadable file is one stderr line shaped like the
    # text output's: path:line:col, then the message without its "(line L, column C)" note.
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"bad \xff byte\n")
    result = run("check", str(bad), "-p", "smb-owner", "-f", fmt, "-o", str(tmp_path / "out"),
                 "--no-cache")
    assert result.exit_code == 2
    line = [x for x in result.stderr.splitlines() if "invalid UTF-8" in x]
    assert line == [f"{bad}:1:5: error: invalid UTF-8 at byte 4; re-save the file as UTF-8"]

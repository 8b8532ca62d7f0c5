"""The CI formats: sarif, github, gitlab, junit (and `auto` = default_format)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from conftest import SHARED

from msglint.models import FileResult, Finding, Location, RunResult, Score, Voice
from msglint.reporters import REGISTRY, ReportOptions, default_format, render
from msglint.reporters.github import escape_data, escape_property

SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"

OFF_TARGET = Finding(
    "off-target-theme", "error",
    "'inventory control' talks about Inventory control, which is off-target for small-business "
    "owners: they think about never letting a regular down",
    "Say what the owner gets: 'Your regulars always find their favourites, 100% of the time.'",
    Location(10, 30, 10, 47, "inventory control"), theme="inventory-control", why="why text")
VOICE = Finding("vendor-voice", "warning", "copy is vendor-centred\nsecond line",
                "Rewrite, from the reader's side", Location(7, 1, 8, 9, "We are the\nleading"))
UNUSED = Finding("unused-suppression", "info", "this directive suppressed nothing",
                 "Delete the comment.", Location(1, 1, 1, 37,
                                                 "<!-- msglint-disable-next-line x -->"))


def hand_run() -> RunResult:
    bad = FileResult("drafts/launch.md", profile="smb-owner", score=Score(42, ()),
                     voice=Voice("vendor", 0.25), findings=[UNUSED, VOICE, OFF_TARGET],
                     min_score=60)
    clean = FileResult("drafts/clean.md", profile="smb-owner", score=Score(90, ()),
                       voice=Voice("customer", 0.9), min_score=60)
    broken = FileResult("drafts/broken.docx", error="not a .docx (zip) file <&> \x01")
    return RunResult([bad, clean, broken], "0.1.0")


def test_registered_and_auto() -> None:
    for name in ("sarif", "github", "gitlab", "junit"):
        assert name in REGISTRY
    assert default_format({"GITHUB_ACTIONS": "true"}) == "github"
    assert default_format({"GITHUB_ACTIONS": "false"}) == "text"
    assert default_format({}) == "text"
    assert default_format({"GITLAB_CI": "true"}) == "text"


# --- github -------------------------------------------------------------------------------

def test_github_lines_exact() -> None:
    lines = render("github", hand_run()).splitlines()
    assert lines == [
        "::notice file=drafts/launch.md,line=1,col=1,endLine=1,endColumn=37,"
        "title=msglint unused-suppression::this directive suppressed nothing%0A"
        "Suggestion: Delete the comment.",
        "::warning file=drafts/launch.md,line=7,col=1,endLine=8,endColumn=9,"
        "title=msglint vendor-voice::copy is vendor-centred%0Asecond line%0A"
        "Suggestion: Rewrite, from the reader's side",
        "::error file=drafts/launch.md,line=10,col=30,endLine=10,endColumn=47,"
        "title=msglint off-target-theme/inventory-control::'inventory control' talks about "
        "Inventory control, which is off-target for small-business owners: they think about "
        "never letting a regular down%0ASuggestion: Say what the owner gets: 'Your regulars "
        "always find their favourites, 100%25 of the time.'",
        "::error file=drafts/launch.md,line=1,title=msglint min-score::score 42/100 is below the "
        "minimum 60 for profile smb-owner; address the findings or cover more of the profile's "
        "drivers",
        "::error file=drafts/broken.docx,title=msglint read-error::not a .docx (zip) file <&> \x01",
        "msglint: 3 file(s): 1 error(s), 1 warning(s), 1 info; 1 file(s) could not be read; "
        "lowest score 42/100 (drafts/launch.md); 1 file(s) below the minimum score",
    ]


def test_github_escaping() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    odd = FileResult("drafts/a,b:c.md", profile="p", score=Score(80, ()), findings=[
        replace(OFF_TARGET, message="50% off: a, b\r\nc", suggestion="")])
    line = render("github", RunResult([odd], "0.1.0")).splitlines()[0]
    assert line.startswith("::error file=drafts/a%2Cb%3Ac.md,line=10,")
    assert line.endswith("::50%25 off: a, b%0D%0Ac")
    assert line.count("::") == 2  # the command and the message separator, nothing else


def test_github_score_only_when_below_minimum() -> None:
    run = hand_run()
    out = render("github", run, ReportOptions(min_score=40))
    assert "min-score" not in out  # --min-score beats the profile's 60
    assert "below the minimum 95" in render("github", run, ReportOptions(min_score=95))


# --- sarif --------------------------------------------------------------------------------

def sarif(run: RunResult, options: ReportOptions | None = None) -> dict:
    return json.loads(render("sarif", run, options))


@pytest.mark.skipif(not SARIF_SCHEMA.is_file(), reason="../shared (official SARIF schema) absent")
def test_sarif_validates_against_official_schema() -> None:
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    doc = sarif(hand_run())
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []
    empty = sarif(RunResult([], "0.1.0"))
    assert list(validator.iter_errors(empty)) == []


def test_sarif_shape() -> None:
    doc = sarif(hand_run())
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert driver["name"] == "msglint" and driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    for rule_id in ("off-target-theme", "vendor-voice", "unused-suppression", "min-score"):
        assert rule_id in ids
    off = rules[ids.index("off-target-theme")]
    assert off["name"] == "OffTargetTheme"
    assert off["shortDescription"]["text"] == "Off-target theme"
    assert "off-target" in off["fullDescription"]["text"]
    assert off["help"]["text"] and off["help"]["markdown"].startswith("**Off-target theme**")
    assert off["defaultConfiguration"]["level"] == "error"
    assert rules[ids.index("unused-suppression")]["defaultConfiguration"]["level"] == "note"

    results = run["results"]
    assert [r["ruleId"] for r in results] == ["unused-suppression", "vendor-voice",
                                             "off-target-theme", "min-score"]
    for r in results:
        assert ids[r["ruleIndex"]] == r["ruleId"]
    assert [r["level"] for r in results] == ["note", "warning", "error", "error"]
    res = results[2]
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "drafts/launch.md"
    assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert loc["region"] == {"startLine": 10, "startColumn": 30, "endLine": 10, "endColumn": 47,
                             "snippet": {"text": "inventory control"}}
    assert res["message"]["text"].startswith("'inventory control' talks about")
    assert res["properties"]["theme"] == "inventory-control"
    assert res["properties"]["suggestion"] == OFF_TARGET.suggestion
    assert res["partialFingerprints"]["msglint/v1"]
    # the unreadable file is a notification, not a result
    (inv,) = run["invocations"]
    (note,) = inv["toolExecutionNotifications"]
    assert note["level"] == "error" and "not a .docx" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "drafts/broken.docx"


def test_sarif_uris_are_relative_forward_slash_and_encoded(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    files = [FileResult(p, profile="p", score=Score(90, ()), findings=[OFF_TARGET])
             for p in ("drafts\\win.md", "./drafts/my draft.md", str(tmp_path / "abs" / "x.md"))]
    doc = sarif(RunResult(files, "0.1.0"))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"]]
    assert uris == ["drafts/win.md", "drafts/my%20draft.md", "abs/x.md"]


def test_sarif_fingerprints_ignore_line_moves_but_separate_duplicates() -> None:
    def fps(findings: list[Finding]) -> list[str]:
        run = RunResult([FileResult("a.md", profile="p", score=Score(90, ()),
                                    findings=findings)], "0.1.0")
        return [r["partialFingerprints"]["msglint/v1"] for r in sarif(run)["runs"][0]["results"]]

    moved = replace(OFF_TARGET, location=Location(14, 3, 14, 20, "inventory control"))
    assert fps([OFF_TARGET]) == fps([moved])
    two = fps([OFF_TARGET, moved])
    assert len(set(two)) == 2 and two[0] == fps([OFF_TARGET])[0]


# --- gitlab -------------------------------------------------------------------------------

def test_gitlab_fields_and_severity_mapping() -> None:
    issues = json.loads(render("gitlab", hand_run()))
    assert [(i["check_name"], i["severity"]) for i in issues] == [
        ("unused-suppression", "info"), ("vendor-voice", "minor"),
        ("off-target-theme", "major"), ("min-score", "major"), ("read-error", "critical")]
    off = issues[2]
    assert off["description"].startswith("off-target-theme/inventory-control: 'inventory control'")
    assert off["location"] == {"path": "drafts/launch.md", "lines": {"begin": 10, "end": 10}}
    assert "Say what the owner gets" in off["content"]["body"]
    for issue in issues:
        assert issue["type"] == "issue"
        assert isinstance(issue["fingerprint"], str) and len(issue["fingerprint"]) >= 16
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_fingerprints_stable() -> None:
    first = json.loads(render("gitlab", hand_run()))
    again = json.loads(render("gitlab", hand_run()))
    assert [i["fingerprint"] for i in first] == [i["fingerprint"] for i in again]
    run = hand_run()
    run.files[0].findings[2] = replace(OFF_TARGET, location=Location(30, 1, 30, 18,
                                                                     "inventory control"))
    moved = json.loads(render("gitlab", run))
    assert moved[2]["fingerprint"] == first[2]["fingerprint"]
    assert moved[2]["location"]["lines"]["begin"] == 30


# --- junit --------------------------------------------------------------------------------

def test_junit_parses_and_has_failures() -> None:
    xml = render("junit", hand_run())
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["drafts/launch.md", "drafts/clean.md",
                                               "drafts/broken.docx"]
    launch, clean, broken = suites
    cases = launch.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "unused-suppression: <!-- msglint-disable-next-line x -->",
        "vendor-voice: We are the leading", "off-target-theme/inventory-control: inventory control",
        "score"]
    # info is below the default fail level (warning): it passes, with its text in system-out
    assert cases[0].find("failure") is None and cases[0].find("system-out") is not None
    failure = cases[2].find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert failure.get("message") == OFF_TARGET.message
    assert failure.text.startswith("drafts/launch.md:10:30: error [off-target-theme]")
    assert cases[2].get("line") == "10" and cases[2].get("file") == "drafts/launch.md"
    assert cases[3].find("failure") is not None  # score 42 < 60
    assert (launch.get("tests"), launch.get("failures")) == ("4", "3")
    # a clean file is one passing testcase
    (only,) = clean.findall("testcase")
    assert only.get("name") == "score" and only.find("failure") is None
    # an unreadable file is an error; the control character did not break the XML
    (read,) = broken.findall("testcase")
    assert read.find("error") is not None and "<&>" in read.find("error").get("message")
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "3", "1")


def test_junit_fail_level() -> None:
    root = ET.fromstring(render("junit", hand_run(), ReportOptions(fail_on="error")))
    launch = root.find("testsuite")
    assert launch is not None and launch.get("failures") == "2"  # off-target + score
    root = ET.fromstring(render("junit", hand_run(), ReportOptions(fail_on="never",
                                                                    min_score=0)))
    assert root.get("failures") == "0"


def test_junit_duplicate_names_are_numbered() -> None:
    run = RunResult([FileResult("a.md", profile="p", score=Score(90, ()),
                                findings=[OFF_TARGET, OFF_TARGET])], "0.1.0")
    names = [c.get("name") for c in ET.fromstring(render("junit", run)).iter("testcase")]
    assert names == ["off-target-theme/inventory-control: inventory control",
                     "off-target-theme/inventory-control: inventory control #2", "score"]


# --- with the real pipeline: positions in the ORIGINAL file --------------------------------

DRAFT = ("---\ntitle: launch \U0001f680\n---\n\n# Spring \U0001f680 launch\n\n"
         "\U0001f680\U0001f680 Our platform delivers tight **inventory control** across every "
         "store, with automated replenishment.\n")


def test_sarif_regions_point_into_the_original_file(lint) -> None:
    result = lint(DRAFT, "smb-owner", fmt="markdown", path="drafts/launch.md")
    run = RunResult([result], "0.1.0")
    doc = sarif(run)
    results = [r for r in doc["runs"][0]["results"] if r["ruleId"] != "min-score"]
    assert any(r["properties"]["theme"] == "inventory-control" for r in results)
    lines = DRAFT.split("\n")
    for r in results:
        region = r["locations"][0]["physicalLocation"]["region"]
        if region["startLine"] != region["endLine"]:
            continue
        line = lines[region["startLine"] - 1]  # str indexing counts code points, as SARIF here
        assert line[region["startColumn"] - 1:region["endColumn"] - 1] == \
            region["snippet"]["text"]
    inv = next(r for r in results if r["properties"]["theme"] == "inventory-control")
    region = inv["locations"][0]["physicalLocation"]["region"]
    # counted in code points of the original line: the two astral-plane emoji are one column
    # each (UTF-16 would count four, UTF-8 bytes eight)
    assert region["startLine"] == 7
    start = lines[6].index("inventory control") + 1
    assert start - 2 <= region["startColumn"] <= start  # the reader may include the ** markers
    assert "inventory control" in region["snippet"]["text"]
    github = render("github", run)
    assert (f"file=drafts/launch.md,line=7,col={region['startColumn']},endLine=7,"
            f"endColumn={region['endColumn']},title=msglint off-target-theme/inventory-control::"
            in github)


@pytest.mark.parametrize("args, env, github", [
    ([], {"GITHUB_ACTIONS": "true"}, True),
    (["--format", "auto"], {"GITHUB_ACTIONS": "true"}, True),
    ([], {}, False),
    (["--format", "auto"], {}, False),
    (["--format", "text"], {"GITHUB_ACTIONS": "true"}, False),
])
def test_cli_auto_format(args: list[str], env: dict[str, str], github: bool) -> None:
    from click.testing import CliRunner
    from conftest import DRAFTS, profile_path

    from msglint.cli import main

    result = CliRunner().invoke(main, ["check", str(DRAFTS / "vendor-centred.md"), "--profile",
                                       str(profile_path("smb-owner")), *args],
                                env=env, catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout.startswith("::") is github


def test_a_finding_is_tagged_alike_in_every_format() -> None:
    # rule/theme only where the rule stands for many themes (off-target-theme); empty-praise
    # carries its theme too, but "empty-praise/empty-praise" says the same thing twice.
    praise = Finding("empty-praise", "warning", "'world-class' is praise without evidence",
                     "Show it.", Location(3, 5, 3, 16, "world-class"), theme="empty-praise")
    run = RunResult([FileResult("d.md", profile="smb-owner", score=Score(70, ()),
                                voice=Voice("customer", 0.8), findings=[praise, OFF_TARGET],
                                min_score=60)], "0.1.0")
    names = [c.get("name") for c in ET.fromstring(render("junit", run)).iter("testcase")]
    assert names[:2] == ["empty-praise: world-class",
                         "off-target-theme/inventory-control: inventory control"]
    for fmt in ("text", "github", "gitlab", "junit"):
        out = render(fmt, run)
        assert "empty-praise/empty-praise" not in out, fmt
        assert "off-target-theme/inventory-control" in out, fmt

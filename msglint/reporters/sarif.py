"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning, VS Code and other SARIF viewers.

One run; ``tool.driver.rules`` holds every built-in check (its texts read from
rules/checks/<id>.yaml, the same ones `msglint explain` shows), plus ``min-score`` for files whose
score is below the minimum and any other rule a finding names. Regions are in the *original* file,
1-based, end exclusive, counted in Unicode code points (``columnKind: unicodeCodePoints``).
``partialFingerprints["msglint/v1"]`` is the same line-independent identity that baselines use,
so a finding keeps its alert when text above it moves. Unreadable files are tool execution
notifications, not results.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from msglint.baseline import fingerprints
from msglint.catalogue import CheckDoc, load_catalogue
from msglint.models import FileResult, RunResult
from msglint.reporters import ReportOptions, _ci
from msglint.reporters.records import finding as finding_record

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://msglint.dev"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "msglint/v1"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}

_SYNTHETIC: dict[str, tuple[str, str, str]] = {
    _ci.MIN_SCORE_RULE: (
        "Score below minimum",
        "The file's alignment score with its profile is below the minimum (--min-score or the "
        "profile's min_score).",
        "The score sums how well the copy covers the segment's drivers, how customer-centred its "
        "voice is and how many findings it has. Fix findings and speak to more of the profile's "
        "drivers to raise it; `msglint check --verbose` shows the breakdown."),
}


def _pascal(rule_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in rule_id.replace("_", "-").split("-"))


def _code(text: str) -> str:
    """Inline code that survives backticks in ``text`` (and shows HTML comments verbatim)."""
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _help(doc: CheckDoc) -> dict[str, str]:
    text = [doc.summary, "", f"Why: {doc.why}"]
    md = [f"**{doc.name}** (`{doc.id}`, default severity: {doc.severity})", "", doc.summary, "",
          f"**Why it matters.** {doc.why}"]
    if "{" not in doc.suggestion:
        text += ["", f"What to do: {doc.suggestion}"]
        md += ["", f"**What to do.** {doc.suggestion}"]
    sides = (("Flagged", doc.match_examples), ("Not flagged", doc.no_match_examples))
    for label, examples in sides:
        if not examples:
            continue
        text += ["", f"{label}:"]
        md += ["", f"**{label}:**", ""]
        for ex in examples:
            one_line = " ".join(ex["text"].split())
            text.append(f"  - ({ex['profile']}) {one_line}")
            md.append(f"- *{ex['profile']}*: {_code(one_line)}")
    text += ["", f"More: msglint explain {doc.id}"]
    md += ["", f"More: `msglint explain {doc.id}`"]
    return {"text": "\n".join(text), "markdown": "\n".join(md)}


def _rule(rule_id: str, doc: CheckDoc | None) -> dict[str, Any]:
    if doc is not None:
        return {
            "id": doc.id, "name": _pascal(doc.id),
            "shortDescription": {"text": doc.name},
            "fullDescription": {"text": doc.summary},
            "help": _help(doc),
            "defaultConfiguration": {"level": LEVELS.get(doc.severity, "warning")},
            "properties": {"tags": ["msglint", "messaging"]},
        }
    name, summary, why = _SYNTHETIC.get(rule_id, (rule_id, f"msglint rule {rule_id}.", ""))
    text = summary + (f"\n\nWhy: {why}" if why else "")
    markdown = f"**{name}** (`{rule_id}`)\n\n{summary}" + (f"\n\n{why}" if why else "")
    return {
        "id": rule_id, "name": _pascal(rule_id),
        "shortDescription": {"text": name}, "fullDescription": {"text": summary},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": "error" if rule_id == _ci.MIN_SCORE_RULE else "warning"},
        "properties": {"tags": ["msglint", "messaging"]},
    }


def _uri(path: str) -> tuple[str, str | None]:
    """(uri, uriBaseId): relative references resolve against %SRCROOT%; others are file URIs."""
    if Path(path).is_absolute():
        return Path(path).as_uri(), None
    return quote(path, safe="/-._~!$&'()*+,;=@"), SRCROOT


def _artifact_location(path: str, index: int) -> dict[str, Any]:
    uri, base = _uri(path)
    loc: dict[str, Any] = {"uri": uri}
    if base:
        loc["uriBaseId"] = base
    loc["index"] = index
    return loc


def _artifact(f: FileResult, path: str, index: int) -> dict[str, Any]:
    props: dict[str, Any] = {"profile": f.profile,
                             "score": f.score.value if f.score else None}
    if f.voice:
        props["voice"] = {"label": f.voice.label, "customerFocus": f.voice.customer_focus}
    if f.error:
        props["error"] = f.error
    location = _artifact_location(path, index)
    del location["index"]
    return {"location": location, "properties": props}


def build(run: RunResult, options: ReportOptions) -> dict[str, Any]:
    """The SARIF log as a dict (``render`` serialises it)."""
    checks = load_catalogue().checks
    rule_ids = sorted(checks)
    extra_ids = sorted({x.rule for f in run.files for x in f.findings if x.rule not in checks}
                       | {_ci.MIN_SCORE_RULE})
    rule_ids += [r for r in extra_ids if r not in rule_ids]
    index = {r: i for i, r in enumerate(rule_ids)}
    rules = [_rule(r, checks.get(r)) for r in rule_ids]

    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    artifacts: list[dict[str, Any]] = []
    for n, f in enumerate(run.files):
        path = _ci.repo_path(f.path, options)
        artifacts.append(_artifact(f, path, n))
        if f.error:
            notifications.append({
                "level": "error",
                "message": {"text": f"{path}: {f.error}"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": _artifact_location(path, n)}}],
                "descriptor": {"id": _ci.READ_ERROR_RULE},
            })
            continue
        for x, fp in zip(f.findings, fingerprints(f), strict=True):
            rec = finding_record(x)
            region: dict[str, Any] = {"startLine": rec["line"], "startColumn": rec["column"],
                                      "endLine": rec["end_line"], "endColumn": rec["end_column"]}
            if rec["text"]:
                region["snippet"] = {"text": rec["text"]}
            text = rec["message"] + (f"\nSuggestion: {rec['suggestion']}"
                                     if rec["suggestion"] else "")
            props: dict[str, Any] = {"theme": rec["theme"], "suggestion": rec["suggestion"],
                                     "why": rec["why"], "profile": f.profile}
            location: dict[str, Any] = {"physicalLocation": {
                "artifactLocation": _artifact_location(path, n), "region": region}}
            if x.field:
                props["field"] = x.field
                location["logicalLocations"] = [{"fullyQualifiedName": x.field,
                                                 "kind": "member"}]
            results.append({
                "ruleId": x.rule, "ruleIndex": index[x.rule], "level": LEVELS[x.severity],
                "message": {"text": text},
                "locations": [location],
                "partialFingerprints": {FINGERPRINT_KEY: fp},
                "properties": props,
            })
        low = _ci.below_minimum(f, options)
        if low is not None:
            results.append({
                "ruleId": _ci.MIN_SCORE_RULE, "ruleIndex": index[_ci.MIN_SCORE_RULE],
                "level": "error",
                "message": {"text": _ci.score_message(f, low)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": _artifact_location(path, n),
                    "region": {"startLine": 1}}}],
                "partialFingerprints": {FINGERPRINT_KEY: f"{_ci.MIN_SCORE_RULE}:{path}"},
                "properties": {"profile": f.profile, "score": f.score.value if f.score else None,
                               "minimum": low},
            })

    root = Path(options.extra.get("root") or Path.cwd()).resolve().as_uri().rstrip("/") + "/"
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    sarif_run: dict[str, Any] = {
        "tool": {"driver": {"name": "msglint", "version": run.version,
                            "informationUri": INFORMATION_URI, "rules": rules}},
        "originalUriBaseIds": {SRCROOT: {"uri": root}},
        "columnKind": "unicodeCodePoints",
        "invocations": [invocation],
        "artifacts": artifacts,
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [sarif_run]}


def render(run: RunResult, options: ReportOptions) -> str:
    return json.dumps(build(run, options), indent=2, ensure_ascii=False) + "\n"

"""`--format gitlab`: a GitLab Code Quality report (the Code Climate issue subset GitLab reads).

A JSON array; each issue has ``description``, ``check_name``, ``fingerprint``, ``severity`` and
``location.path`` + ``location.lines.begin`` (and ``end``), plus the Code Climate fields ``type``,
``categories`` and ``content.body`` (the suggestion and why) that other viewers show.

Severity mapping (GitLab knows info, minor, major, critical, blocker):

=============  ==========  =============================================================
msglint        GitLab      why
=============  ==========  =============================================================
info           info        notes such as an unused suppression
warning        minor       worth fixing; does not make the copy wrong for the segment
error          major       copy that works against the segment (off-target theme, ...)
min-score      major       the file's score is below the minimum: same weight as an error
read-error     critical    the file could not be linted at all
=============  ==========  =============================================================

``fingerprint`` is the line-independent identity baselines use (path, rule, theme, text and the
occurrence number), so GitLab's merge-request widget does not report a finding as "fixed" and
"new" when text above it moves.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from msglint.baseline import fingerprints
from msglint.models import RunResult
from msglint.reporters import ReportOptions, _ci, finding_tag
from msglint.reporters.records import finding as finding_record

SEVERITIES = {"info": "info", "warning": "minor", "error": "major"}


def _fixed_fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(("msglint/v1", *parts)).encode("utf-8")).hexdigest()[:32]


def _issue(check: str, description: str, severity: str, path: str, begin: int, end: int,
           fingerprint: str, body: str = "") -> dict[str, Any]:
    issue: dict[str, Any] = {
        "type": "issue",
        "check_name": check,
        "description": description,
        "categories": ["Clarity"],
        "severity": severity,
        "fingerprint": fingerprint,
        "location": {"path": path, "lines": {"begin": begin, "end": end}},
    }
    if body:
        issue["content"] = {"body": body}
    return issue


def build(run: RunResult, options: ReportOptions) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = []
    for f in run.files:
        path = _ci.repo_path(f.path, options)
        if f.error:
            issues.append(_issue(_ci.READ_ERROR_RULE, f"{_ci.READ_ERROR_RULE}: {f.error}",
                                 "critical", path, 1, 1,
                                 _fixed_fingerprint(_ci.READ_ERROR_RULE, path)))
            continue
        for x, fp in zip(f.findings, fingerprints(f), strict=True):
            rec = finding_record(x)
            tag = finding_tag(x)
            body = "\n\n".join(p for p in (
                f"Suggestion: {rec['suggestion']}" if rec["suggestion"] else "",
                f"Why: {rec['why']}" if rec["why"] else "",
                f"Field: {x.field}" if x.field else "") if p)
            issues.append(_issue(x.rule, f"{tag}: {rec['message']}", SEVERITIES[x.severity],
                                 path, rec["line"], rec["end_line"], fp, body))
        low = _ci.below_minimum(f, options)
        if low is not None:
            issues.append(_issue(_ci.MIN_SCORE_RULE,
                                 f"{_ci.MIN_SCORE_RULE}: {_ci.score_message(f, low)}", "major",
                                 path, 1, 1, _fixed_fingerprint(_ci.MIN_SCORE_RULE, path)))
    return issues


def render(run: RunResult, options: ReportOptions) -> str:
    return json.dumps(build(run, options), indent=2, ensure_ascii=False) + "\n"

"""`--format junit`: JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure).

One ``<testsuite>`` per file (named by its path, with the profile and score as properties):

- one ``<testcase>`` per finding, named ``rule[/theme]: text`` (no line number, so test history
  survives edits above it; a repeat gets `` #2``); ``file`` and ``line`` attributes give the
  position. Findings at or above the fail level carry a ``<failure>`` whose ``message`` is the
  finding's message and whose body is ``path:line:col: severity [rule] message`` plus the
  suggestion; findings below it pass, with the same text in ``<system-out>``.
- one ``score`` testcase: passing, or failing when the score is below the minimum. A clean file
  therefore shows as one passing test.
- an unreadable file has one ``read`` testcase with an ``<error>``.

XML is built with ElementTree (so ``<``, ``&`` and quotes are escaped) after dropping characters
that XML 1.0 cannot hold (control characters other than tab, CR and LF).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from msglint.models import RunResult
from msglint.reporters import ReportOptions, _ci, finding_tag
from msglint.reporters.records import finding as finding_record

_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NAME_TEXT = 60


def clean(value: object) -> str:
    return _INVALID_XML.sub("\ufffd", str(value))


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: clean(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = clean(text)
    return el


def _short(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= _NAME_TEXT else one[: _NAME_TEXT - 1] + "\u2026"


def render(run: RunResult, options: ReportOptions) -> str:
    root = ET.Element("testsuites", {"name": "msglint"})
    totals = Counter[str]()
    for f in run.files:
        path = clean(_ci.repo_path(f.path, options))
        suite = _el(root, "testsuite", name=path)
        counts = Counter[str]()
        props = _el(suite, "properties")
        _el(props, "property", name="profile", value=f.profile or "")
        if f.score is not None:
            _el(props, "property", name="score", value=f.score.value)
        if f.error:
            case = _el(suite, "testcase", classname=path, name="read", file=path, time="0")
            _el(case, "error", f"{path}: {f.error}", message=f.error, type=_ci.READ_ERROR_RULE)
            counts["tests"] += 1
            counts["errors"] += 1
        else:
            names: Counter[str] = Counter()
            for x in f.findings:
                rec = finding_record(x)
                tag = finding_tag(x)
                name = f"{tag}: {_short(rec['text'])}" if rec["text"].strip() else tag
                names[name] += 1
                if names[name] > 1:
                    name += f" #{names[name]}"
                case = _el(suite, "testcase", classname=path, name=name, file=path,
                           line=rec["line"], time="0")
                field = f" ({x.field})" if x.field else ""
                detail = (f"{path}:{rec['line']}:{rec['column']}: {x.severity} [{x.rule}]{field} "
                          f"{rec['message']}")
                if rec["suggestion"]:
                    detail += f"\nsuggestion: {rec['suggestion']}"
                counts["tests"] += 1
                if _ci.fails(x.severity, options):
                    _el(case, "failure", detail, message=rec["message"], type=x.severity)
                    counts["failures"] += 1
                else:
                    _el(case, "system-out", detail)
            case = _el(suite, "testcase", classname=path, name="score", file=path, time="0")
            counts["tests"] += 1
            low = _ci.below_minimum(f, options)
            if low is not None:
                message = _ci.score_message(f, low)
                _el(case, "failure", f"{path}: {message}", message=message,
                    type=_ci.MIN_SCORE_RULE)
                counts["failures"] += 1
            elif f.score is not None:
                _el(case, "system-out", f"{path}: score {f.score.value}/100 (profile "
                                        f"{f.profile})")
        for key in ("tests", "failures", "errors"):
            suite.set(key, str(counts[key]))
        suite.set("skipped", "0")
        suite.set("time", "0")
        totals.update(counts)
    for key in ("tests", "failures", "errors"):
        root.set(key, str(totals[key]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

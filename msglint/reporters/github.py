"""`--format github`: GitHub Actions workflow commands, one annotation line per finding.

    ::error file=drafts/launch.md,line=3,col=5,endLine=3,endColumn=22,title=msglint
    off-target-theme/inventory-control::'inventory control' talks about ...

(one line in the output, broken here to fit).

Levels: error -> ``::error``, warning -> ``::warning``, info -> ``::notice``. The message carries
the suggestion on a second line. Escaping follows the runner's rules: in the message ``%``, CR
and LF become ``%25``, ``%0D``, ``%0A``; in property values ``:`` and ``,`` also become ``%3A``
and ``%2C``. An unreadable file is an ``::error`` on the file; a score below the minimum is an
``::error`` on line 1, so the annotation explains the failing exit code. The last line is a plain
summary. `msglint check` picks this format by itself when ``GITHUB_ACTIONS=true``.
"""

from __future__ import annotations

from msglint.models import RunResult
from msglint.reporters import ReportOptions, _ci, finding_tag
from msglint.reporters.records import finding as finding_record
from msglint.reporters.records import summary

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: object) -> str:
    """One workflow command line; properties with value None are left out, order kept."""
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items()
                     if v is not None)
    return f"::{level} {props}::{escape_data(message)}" if props else \
        f"::{level}::{escape_data(message)}"


def render(run: RunResult, options: ReportOptions) -> str:
    lines: list[str] = []
    lowest: tuple[int, str] | None = None
    below = 0
    for f in run.files:
        path = _ci.repo_path(f.path, options)
        if f.error:
            lines.append(command("error", f.error, file=path, line=f.error_line,
                                 col=f.error_column, title=f"msglint {_ci.READ_ERROR_RULE}"))
            continue
        for x in f.findings:
            rec = finding_record(x)
            tag = finding_tag(x)
            field = f" ({x.field})" if x.field else ""
            message = rec["message"] + field
            if rec["suggestion"]:
                message += f"\nSuggestion: {rec['suggestion']}"
            lines.append(command(
                LEVELS[x.severity], message, file=path, line=rec["line"], col=rec["column"],
                endLine=rec["end_line"], endColumn=rec["end_column"], title=f"msglint {tag}"))
        low = _ci.below_minimum(f, options)
        if low is not None:
            below += 1
            lines.append(command("error", _ci.score_message(f, low), file=path, line=1,
                                 title=f"msglint {_ci.MIN_SCORE_RULE}"))
        if f.score is not None and f.has_copy and (lowest is None or f.score.value < lowest[0]):
            lowest = (f.score.value, path)
    s = summary(run)
    text = (f"msglint: {s['files']} file(s): {s['errors']} error(s), {s['warnings']} warning(s), "
            f"{s['infos']} info")
    if s["unreadable"]:
        text += f"; {s['unreadable']} file(s) could not be read"
    if lowest is not None:
        text += f"; lowest score {lowest[0]}/100 ({lowest[1]})"
    if below:
        text += f"; {below} file(s) below the minimum score"
    lines.append(text)
    return "\n".join(lines) + "\n"

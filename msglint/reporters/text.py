"""`--format text`: ruff/Vale style lines, then each file's score, then a summary."""

from __future__ import annotations

from msglint.errors import position_note
from msglint.models import FileResult, RunResult
from msglint.reporters import ReportOptions, finding_tag

_COLORS = {"error": "31", "warning": "33", "info": "36", "dim": "2", "bold": "1", "ok": "32"}


def _paint(text: str, style: str, on: bool) -> str:
    return f"\x1b[{_COLORS[style]}m{text}\x1b[0m" if on else text


def _without_position(message: str, line: int, column: int | None) -> str:
    """The read error without the "(line L, column C)" the JSON message carries, since the text
    line already starts with path:L:C."""
    suffix = position_note(line, column)
    return message.removesuffix(suffix)


def read_error(f: FileResult) -> tuple[str, str]:
    """(where, message) of a file that could not be read: where is path:line:col when the error
    has a position (for editors and problem matchers), and the message then drops its own
    "(line L, column C)" note."""
    where, message = f.path, f.error or ""
    if f.error_line is not None:
        where += f":{f.error_line}" + (f":{f.error_column}" if f.error_column is not None else "")
        message = _without_position(message, f.error_line, f.error_column)
    return where, message


def render(run: RunResult, options: ReportOptions) -> str:
    c = options.color
    lines: list[str] = []
    for f in run.files:
        if f.error:
            where, message = read_error(f)
            lines.append(f"{_paint(where, 'bold', c)}: {_paint('error', 'error', c)} "
                         f"[read-error] {message}")
            continue
        for x in f.findings:
            loc = x.location
            where = f"{f.path}:{loc.line}:{loc.column}"
            field = f" ({x.field})" if x.field else ""
            tag = finding_tag(x)
            lines.append(f"{_paint(where, 'bold', c)}: {_paint(x.severity, x.severity, c)} "
                         f"[{tag}]{field} {x.message}")
            if options.verbose and x.suggestion:
                lines.append(f"    {_paint('suggestion:', 'dim', c)} {x.suggestion}")
        if f.score is not None and not f.has_copy:
            lines.append(f"{f.path}: no copy to score (profile {f.profile}; the file holds no "
                         "words outside markup and code)")
        elif f.score is not None:
            minimum = f.minimum(options.min_score)
            low = minimum is not None and f.score.value < minimum
            score = _paint(str(f.score.value), "error" if low else "ok", c)
            voice = f.voice.label if f.voice else "neutral"
            focus = f.voice.customer_focus if f.voice else 0.5
            covered = [k for k, v in f.coverage.items() if v]
            lines.append(
                f"{f.path}: score {score}/100 (profile {f.profile}; voice {voice}, "
                f"customer focus {focus:.2f}; drivers covered {len(covered)}/{len(f.coverage)}"
                + (f"; below minimum {minimum}" if low else "") + ")")
            if options.verbose:
                for part in f.score.components:
                    lines.append(f"    {part.name}: {part.points:g}/{part.max_points:g} "
                                 f"({part.detail})")
    errors, warnings, infos = run.count("error"), run.count("warning"), run.count("info")
    unreadable = sum(1 for f in run.files if f.error)
    summary = (f"{len(run.files)} file(s): {errors} error(s), {warnings} warning(s), "
               f"{infos} info")
    if unreadable:
        summary += f"; {unreadable} file(s) could not be read"
    lines.append(_paint(summary, "bold", c))
    return "\n".join(lines) + "\n"

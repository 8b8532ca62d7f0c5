"""The contract's JSON shape (CONTRACT.md section 2) as plain dicts: shared by every reporter."""

from __future__ import annotations

from typing import Any

from msglint.models import FileResult, Finding, Location, Mention, RunResult

SCHEMA_VERSION = 1


def location(loc: Location) -> dict[str, Any]:
    return {"line": loc.line, "column": loc.column, "end_line": loc.end_line,
            "end_column": loc.end_column, "text": loc.text}


def mention(m: Mention) -> dict[str, Any]:
    out: dict[str, Any] = {"theme": m.theme, "role": m.role, "beneficiary": m.beneficiary,
                           "negated": m.negated, **location(m.location)}
    if m.field:
        out["field"] = m.field
    if m.via != "pattern":  # "semantic" or "words": a trained model found it (absent otherwise)
        out["via"] = m.via
    return out


def finding(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {"rule": f.rule, "severity": f.severity, "theme": f.theme,
                           "message": f.message, "suggestion": f.suggestion, "why": f.why,
                           **location(f.location)}
    if f.field:
        out["field"] = f.field
    return out


def file_record(f: FileResult) -> dict[str, Any]:
    return {
        "path": f.path,
        "profile": f.profile,
        "score": f.score.value if f.score else None,
        "score_breakdown": [
            {"name": c.name, "points": c.points, "max": c.max_points, "detail": c.detail}
            for c in f.score.components
        ] if f.score else [],
        "voice": {"label": f.voice.label, "customer_focus": f.voice.customer_focus}
        if f.voice else None,
        "themes": [mention(m) for m in f.themes],
        "coverage": dict(f.coverage),
        "findings": [finding(x) for x in f.findings],
        "words": f.words,
        "error": _error_record(f) if f.error else None,
    }


def summary(run: RunResult) -> dict[str, int]:
    return {"files": len(run.files), "errors": run.count("error"),
            "warnings": run.count("warning"), "infos": run.count("info"),
            "unreadable": sum(1 for f in run.files if f.error)}


def run_record(run: RunResult) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "msglint", "version": run.version},
        "files": [file_record(f) for f in run.files],
        "summary": summary(run),
    }


def _error_record(f: FileResult) -> dict[str, Any]:
    """CONTRACT.md's ``{"message": ...}``, plus ``line``/``column`` when the reader knows them."""
    out: dict[str, Any] = {"message": f.error}
    if f.error_line is not None:
        out["line"] = f.error_line
        if f.error_column is not None:
            out["column"] = f.error_column
    return out

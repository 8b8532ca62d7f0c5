"""`--format html`: one self-contained HTML report (inline CSS, inline SVG, a little vanilla JS).

Why a view model: the template only loops and prints. Everything that needs thought (splitting
overlapping ranges into segments, scores into bands, counts per profile) happens here in plain
Python, where it is unit-tested, so the template never decides anything about user text.

Safety: the jinja2 environment has autoescape on, and user text (copy, paths, messages, profile
names) only ever reaches the page through ``{{ }}``. The only values marked safe are our own
static CSS and JS (read from ``templates/``), which are also pinned by sha256 in a
Content-Security-Policy ``<meta>``: even if escaping ever failed, an injected ``<script>`` or
``onerror=`` handler would not run and the page could not load anything from the network.

Optional ``ReportOptions.extra`` keys (all optional; the report degrades gracefully):

- ``profiles``: ``{profile id: msglint.profile.Profile}``: shows the profile's name, orders
  drivers by weight, shows driver weights and the voice target.
- ``catalogue``: a ``msglint.catalogue.Catalogue`` to use instead of ``load_catalogue()``.
- ``title``: the report's title (default "msglint report").
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from msglint.models import SEVERITIES, SEVERITY_RANK, FileResult, Finding, Mention, RunResult
from msglint.reporters import ReportOptions

TEMPLATES = Path(__file__).resolve().parent / "templates"
SEVERITY_LABEL = {"error": "Error", "warning": "Warning", "info": "Info"}


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every {{ }} is HTML-escaped; user text is never marked safe
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str, str]:
    """Our own static CSS and JS, and their CSP hashes."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    for text, tag in ((css, "</style"), (js, "</script")):
        assert tag not in text.lower(), f"static asset must not contain {tag}"
    return css, js, _csp_hash(css), _csp_hash(js)


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


# --------------------------------------------------------------------------- view model


@dataclass
class Piece:
    """One run of the copy: plain text, a highlighted segment, or a finding's marker."""

    kind: str  # "text" | "seg" | "marker"
    text: str = ""
    refs: str = ""  # space-separated finding ids covering a segment
    rules: str = ""  # space-separated rule ids covering a segment
    severity: str = ""  # highest severity covering a segment / the marker's severity
    drivers: str = ""  # space-separated driver theme ids covering a segment
    # driver theme id -> how a trained model found it ("words" or "semantic"), for drivers no
    # pattern matched here: such a highlight spans a whole sentence, and the tooltip says why
    found_by: dict[str, str] = field(default_factory=dict)
    title: str = ""
    finding: dict[str, Any] | None = None
    # where a driver mention starts: one keyboard stop per mention, described by its note
    drv_start: bool = False
    note_id: str = ""
    note: str = ""


@dataclass
class FileView:
    index: int
    anchor: str
    path: str
    profile_id: str
    profile_name: str
    error: str | None
    score: int | None
    band: str
    band_label: str
    min_score: int | None
    gauge: dict[str, Any]
    voice: dict[str, Any] | None
    drivers: list[dict[str, Any]]
    covered: int
    findings: list[dict[str, Any]]
    file_findings: list[dict[str, Any]]
    pieces: list[Piece]
    counts: dict[str, int]
    components: list[dict[str, Any]]
    words: int
    fmt: str
    mentions: list[dict[str, Any]] = field(default_factory=list)


def _band(score: int | None, minimum: int | None) -> tuple[str, str]:
    """A score band, always with words so colour is never the only signal."""
    if score is None:
        return "none", "not scored"
    if minimum is not None and score < minimum:
        return "bad", f"below the minimum of {minimum}"
    if minimum is None and score < 50:
        return "bad", "poorly aligned"
    if score >= 80:
        return "good", "well aligned"
    return "ok", "partly aligned" if minimum is None else f"meets the minimum of {minimum}"


def _gauge(score: int) -> dict[str, Any]:
    """A 240-degree arc gauge in a 120x100 viewBox (precomputed so the template has no maths)."""
    import math

    cx, cy, r = 60.0, 58.0, 46.0
    start, sweep = 150.0, 240.0  # degrees, clockwise from +x (SVG y points down)

    def point(deg: float) -> tuple[float, float]:
        a = math.radians(deg)
        return round(cx + r * math.cos(a), 2), round(cy + r * math.sin(a), 2)

    def arc(a0: float, a1: float) -> str:
        (x0, y0), (x1, y1) = point(a0), point(a1)
        large = 1 if (a1 - a0) > 180 else 0
        return f"M{x0} {y0} A{r} {r} 0 {large} 1 {x1} {y1}"

    value = max(0, min(100, score))
    end = start + sweep * value / 100
    return {"track": arc(start, start + sweep),
            "value": arc(start, end) if value > 0 else "",
            "cap": point(end)}


def _tick(score: int | None) -> tuple[float, float, float, float] | None:
    import math

    if score is None:
        return None
    a = math.radians(150.0 + 240.0 * max(0, min(100, score)) / 100)
    return (round(60 + 38 * math.cos(a), 2), round(58 + 38 * math.sin(a), 2),
            round(60 + 54 * math.cos(a), 2), round(58 + 54 * math.sin(a), 2))


def segments(text: str, findings: list[tuple[str, Finding]],
             mentions: list[Mention]) -> list[Piece]:
    """Split the copy into non-overlapping pieces.

    ``findings`` are (id, finding) pairs with offsets; ``mentions`` are driver mentions. Every
    boundary of every range cuts the copy, so overlapping and nested ranges become a flat run of
    segments, each knowing every range that covers it. A marker piece is emitted where each
    finding starts (one focusable element per finding).
    """
    n = len(text)

    def clamp(v: int) -> int:
        return max(0, min(n, v))

    spans = []
    for fid, f in findings:
        s, e = clamp(f.start or 0), clamp(f.end if f.end is not None else (f.start or 0))
        spans.append((s, max(s, e), fid, f))
    drv = [(clamp(m.start), max(clamp(m.start), clamp(m.end)), m) for m in mentions]
    cuts = sorted({0, n, *(s for s, *_ in spans), *(e for _, e, *_ in spans),
                   *(s for s, _, _ in drv), *(e for _, e, _ in drv)})
    starts: dict[int, list[tuple[str, Finding]]] = defaultdict(list)
    for s, _e, fid, f in spans:
        starts[s].append((fid, f))
    drv_starts = {s for s, e, _ in drv if s < e}

    pieces: list[Piece] = []
    for i, a in enumerate(cuts):
        for fid, f in starts.get(a, []):
            pieces.append(Piece("marker", severity=f.severity, refs=fid))
        if i + 1 >= len(cuts):
            break
        b = cuts[i + 1]
        chunk = text[a:b]
        if not chunk:
            continue
        cover = [(fid, f) for s, e, fid, f in spans if s <= a and e >= b and s < e]
        covering = [m for s, e, m in drv if s <= a and e >= b and s < e]
        dcover = sorted({m.theme for m in covering})
        by_pattern = {m.theme for m in covering if m.via == "pattern"}
        found_by: dict[str, str] = {m.theme: m.via for m in covering
                                    if m.theme not in by_pattern}
        if not cover and not dcover:
            if pieces and pieces[-1].kind == "text":
                pieces[-1].text += chunk
            else:
                pieces.append(Piece("text", text=chunk))
            continue
        sev = max((f.severity for _, f in cover), key=lambda s: SEVERITY_RANK[s], default="")
        pieces.append(Piece(
            "seg", text=chunk, refs=" ".join(fid for fid, _ in cover),
            rules=" ".join(sorted({f.rule for _, f in cover})), severity=sev,
            drivers=" ".join(dcover), found_by=found_by, drv_start=a in drv_starts))
    # trailing blank lines of the copy would show as an empty band at the bottom of the box
    if pieces and pieces[-1].kind == "text":
        pieces[-1].text = pieces[-1].text.rstrip()
        if not pieces[-1].text:
            pieces.pop()
    return pieces


# How a driver no pattern matched was found, as the highlight's tooltip says it
_FOUND_BY = {"words": " (read from the sentence's words)", "semantic": " (matched by meaning)"}


class _Names:
    """Human names for themes and checks, from the catalogue and the profiles' own themes."""

    def __init__(self, options: ReportOptions) -> None:
        self.themes: dict[str, Any] = {}
        self.checks: dict[str, Any] = {}
        cat = options.extra.get("catalogue")
        if cat is None:
            try:
                from msglint.catalogue import load_catalogue

                cat = load_catalogue()
            except Exception:  # noqa: BLE001 - a report without names beats no report
                cat = None
        if cat is not None:
            self.themes.update(cat.themes)
            self.checks.update(cat.checks)
        self.profiles: dict[str, Any] = dict(options.extra.get("profiles") or {})
        for prof in self.profiles.values():
            for t in getattr(prof, "themes", ()):
                self.themes.setdefault(t.id, t)

    def theme(self, theme_id: str | None) -> str:
        if not theme_id:
            return ""
        t = self.themes.get(theme_id)
        return getattr(t, "name", "") or theme_id

    def theme_about(self, theme_id: str | None) -> str:
        t = self.themes.get(theme_id or "")
        return getattr(t, "description", "") if t else ""

    def check(self, rule: str) -> str:
        c = self.checks.get(rule)
        return getattr(c, "name", "") or rule


def _finding_view(fid: str, f: Finding, names: _Names, detail_id: str,
                  in_copy: bool) -> dict[str, Any]:
    loc = f.location
    return {
        "id": fid, "detail_id": detail_id, "rule": f.rule, "rule_name": names.check(f.rule),
        "severity": f.severity, "severity_label": SEVERITY_LABEL.get(f.severity, f.severity),
        "theme": f.theme or "", "theme_name": names.theme(f.theme),
        "message": f.message, "why": f.why, "suggestion": f.suggestion,
        "text": loc.text, "line": loc.line, "column": loc.column, "field": f.field or "",
        "positioned": in_copy,  # else listed with the file-level findings
    }


def _file_view(index: int, f: FileResult, names: _Names, options: ReportOptions) -> FileView:
    prof = names.profiles.get(f.profile or "")
    minimum = f.minimum(options.min_score)
    # A file with no copy gets no gauge: its 50 would read as a verdict on nothing.
    score = f.score.value if f.score and f.has_copy else None
    band, band_label = _band(score, minimum)
    if f.score is not None and not f.has_copy:
        band_label = "no copy to score"
    anchor = f"file-{index + 1}"

    findings = []
    positioned: list[tuple[str, Finding]] = []
    for j, x in enumerate(f.findings):
        fid = f"f{index + 1}-{j + 1}"
        in_copy = x.start is not None and bool(f.text)
        findings.append(_finding_view(fid, x, names, f"d{index + 1}-{j + 1}", in_copy))
        if in_copy:
            positioned.append((fid, x))
    by_id = {v["id"]: v for v in findings}
    drivers_mentioned = [m for m in f.themes if m.role == "driver"]
    pieces = segments(f.text, positioned, drivers_mentioned) if f.text else []
    for k, p in enumerate(pieces):
        if p.kind == "marker":
            p.finding = by_id[p.refs]
        elif p.kind == "seg":
            parts = [f"{by_id[r]['severity_label']}: {by_id[r]['rule_name']}"
                     for r in p.refs.split()]
            drv = [f"Driver: {names.theme(d)}{_FOUND_BY.get(p.found_by.get(d, ''), '')}"
                   for d in p.drivers.split()]
            p.title = "; ".join(parts + drv)
            if p.drv_start:  # its findings are described by their markers
                p.note_id, p.note = f"n{index + 1}-{k + 1}", "; ".join(drv)

    # drivers, heaviest first when the profile is known, else in coverage order
    weights = {d: getattr(prof.drivers[d], "weight", 1) for d in prof.drivers} if prof else {}
    says = {d: getattr(prof.drivers[d], "say", "") for d in prof.drivers} if prof else {}
    order = sorted(f.coverage, key=lambda d: (-weights.get(d, 0), list(f.coverage).index(d)))
    top = max([*f.coverage.values(), 1])
    drivers = [{"id": d, "name": names.theme(d), "count": f.coverage[d],
                "covered": f.coverage[d] > 0, "weight": weights.get(d),
                "say": says.get(d, ""), "about": names.theme_about(d),
                "bar": round(100 * f.coverage[d] / top, 1)} for d in order]

    voice = None
    if f.voice is not None:
        v = f.voice
        signals = v.customer + v.vendor
        target = getattr(prof, "voice_target", None) if prof else None
        voice = {"label": v.label, "focus": round(v.customer_focus, 2),
                 "customer_pct": round(100 * v.customer_focus), "signals": signals > 0,
                 "customer": round(v.customer, 1), "vendor": round(v.vendor, 1),
                 "cust_w": round(200 * v.customer_focus, 1) if signals else 0,
                 "target": target,
                 "target_pct": None if target is None else round(100 * target),
                 "target_x": None if target is None else round(200 * target, 1)}

    counts = Counter(x.severity for x in f.findings)
    return FileView(
        index=index, anchor=anchor, path=f.path, profile_id=f.profile or "",
        profile_name=getattr(prof, "name", "") or (f.profile or ""), error=f.error,
        score=score, band=band, band_label=band_label, min_score=minimum,
        gauge={**_gauge(score), "tick": _tick(minimum)} if score is not None else {},
        voice=voice, drivers=drivers, covered=sum(1 for d in drivers if d["covered"]),
        findings=findings, file_findings=[v for v in findings if not v["positioned"]],
        pieces=pieces, counts={s: counts.get(s, 0) for s in SEVERITIES},
        components=[{"name": c.name, "points": f"{c.points:g}", "max": f"{c.max_points:g}",
                     "detail": c.detail, "pct": round(100 * c.points / c.max_points)
                     if c.max_points else 0} for c in (f.score.components if f.score else ())],
        words=f.words, fmt=f.format,
    )


def _profile_summary(files: list[FileView]) -> list[dict[str, Any]]:
    groups: dict[str, list[FileView]] = {}
    for fv in files:
        if fv.error and not fv.profile_id:
            continue  # unreadable before a profile was chosen: counted in the header instead
        groups.setdefault(fv.profile_id or "", []).append(fv)
    out = []
    for pid, group in groups.items():
        scores = [fv.score for fv in group if fv.score is not None]
        out.append({
            "id": pid or "(none)", "name": group[0].profile_name or pid or "no profile",
            "files": len(group), "scored": len(scores),
            "mean": round(sum(scores) / len(scores)) if scores else None,
            "min": min(scores) if scores else None, "max": max(scores) if scores else None,
            "unreadable": sum(1 for fv in group if fv.error),
            "counts": {s: sum(fv.counts[s] for fv in group) for s in SEVERITIES},
        })
    return out


def build_context(run: RunResult, options: ReportOptions) -> dict[str, Any]:
    names = _Names(options)
    files = [_file_view(i, f, names, options) for i, f in enumerate(run.files)]
    rules = sorted({x["rule"] for fv in files for x in fv.findings})
    themes = sorted({x["theme"] for fv in files for x in fv.findings if x["theme"]})
    css, js, css_hash, js_hash = _assets()
    csp = (f"default-src 'none'; style-src {css_hash}; script-src {js_hash}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    scores = [fv.score for fv in files if fv.score is not None]
    return {
        "title": str(options.extra.get("title") or "msglint report"),
        "version": run.version,
        "files": files,
        "profiles": _profile_summary(files),
        "rules": [{"id": r, "name": names.check(r)} for r in rules],
        "themes": [{"id": t, "name": names.theme(t)} for t in themes],
        "totals": {s: run.count(s) for s in SEVERITIES},
        "total_findings": sum(len(fv.findings) for fv in files),
        "unreadable": sum(1 for fv in files if fv.error),
        "mean": round(sum(scores) / len(scores)) if scores else None,
        "severities": [{"id": s, "label": SEVERITY_LABEL[s]} for s in SEVERITIES],
        "many": len(files) > 1,
        "nav_files": len(files) <= 20,
        "css": Markup(css),  # our static asset, hashed into the CSP; never user text
        "js": Markup(js),
        "csp": csp,
    }


def render(run: RunResult, options: ReportOptions) -> str:
    return _env().get_template("report.html.j2").render(build_context(run, options))

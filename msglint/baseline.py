"""Baselines: adopt msglint on existing copy, then fail only on findings that are new.

``msglint check --write-baseline FILE`` records every current finding; ``msglint check --baseline
FILE`` then reports only findings that are not in it. As findings get fixed, rewrite the baseline
to ratchet: what was fixed cannot come back unnoticed.

A finding is identified by **(file path, rule, theme, text)**, never by line or column, so an edit
above a finding (a new paragraph, a reflowed heading) does not resurrect it. ``text`` is compared
with whitespace runs collapsed and case folded, so reflowing a sentence over two lines or
capitalising it is not a new finding either. Checks that judge the whole file
(``missing-drivers``, ``vendor-voice``) are keyed without text: the sentence they point at is
only an anchor. Campaign-asset findings also carry their field path (``email.subject``). Keys
are counted: a baseline that holds two identical findings in a file absorbs two, and a third
one is new.

Paths in the file are relative to the baseline file's own folder, with forward slashes, so the
same baseline works from any working directory and on any OS.

File format (JSON, ``version`` 1; written sorted, so diffs in review are small)::

    {
      "kind": "msglint-baseline",
      "version": 1,
      "tool": {"name": "msglint", "version": "0.1.0"},
      "findings": [
        {"path": "drafts/launch.md", "rule": "off-target-theme", "theme": "inventory-control",
         "text": "inventory control", "count": 1}
      ]
    }

``theme`` is ``null`` for findings without one; ``text`` is stored normalised (whitespace
collapsed, lower case, context words and punctuation at the edges (msglint.spans) and a number
before "%" dropped, so a span that gains or loses one between versions is the same finding) and
is empty for whole-file checks; ``field`` appears only for campaign assets. Scores and
unreadable files are never baselined: ``--min-score`` and read errors still fail a run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from msglint import spans
from msglint.errors import ConfigError
from msglint.models import FileResult, Finding, RunResult

KIND = "msglint-baseline"
VERSION = 1

# (path, rule, theme, text, field): what makes two findings "the same" across edits.
Key = tuple[str, str, str, str, str]

_SPACE = re.compile(r"\s+")

# Checks that judge the whole file and only anchor the finding on a sentence (the first one, the
# most vendor-centred one): the anchor moves with unrelated edits, so their key has no text.
FILE_LEVEL_RULES = frozenset({"missing-drivers", "vendor-voice"})


# A finding's quoted span may gain or lose words at its edges between versions (analysis trims
# them since session 10, and more kinds since session 11): a key ignores them wherever they
# stand at an edge (msglint.spans), so a baseline written before still absorbs the same finding
# ("try it free for" = "try it free", "is a design agency." = "a design agency").
_EDGE_PUNCT = spans.EDGE_PUNCT + " "
_INVISIBLE = re.compile(f"[{spans.INVISIBLE}]")
_LEADING_NUMBER = re.compile(r"^[\d.,]+(?=%)")
_APOSTROPHE = re.compile("(?=['\u2019])")
_NOT_LEAD = spans.EDGE_WORDS - spans.LEAD_KEEP


def _lead_copula(words: list[str]) -> int:
    """How many words at the start are a copula (with its subject pronoun) that analysis
    drops before a word that stays: 1 for "is a", "'s #1" or "we're a", 2 for "we are a"."""
    first = _APOSTROPHE.split(words[0], maxsplit=1)  # "we're" -> "we", "'re"
    if len(first) == 2 and first[0] in spans.LEAD_SUBJECTS:
        head, n = [first[1]], 1
    elif words[0] in spans.LEAD_SUBJECTS and len(words) > 2:
        head, n = [words[1]], 2
    else:
        head, n = [words[0]], 1
    if len(words) <= n:
        return 0
    following = words[n].strip(_EDGE_PUNCT)
    if head[0] not in spans.LEAD_COPULAS and not (head[0] in spans.LEAD_HAVE
                                                  and following == "been"):
        return 0
    return n if following and following not in _NOT_LEAD | spans.NEGATIONS else 0


def normalise_text(text: str) -> str:
    """Whitespace collapsed and case folded: reflowing or recapitalising is not a new finding;
    nor is a span that gained or lost context words at its edges, or a "%" its number."""
    text = _INVISIBLE.sub("", text)
    words = _SPACE.sub(" ", text).strip().casefold().split(" ")
    while len(words) > 1:
        last = words[-1].strip(_EDGE_PUNCT)
        if not last or last in spans.EDGE_WORDS or last in spans.TRAIL_WORDS \
                or last in spans.TRAIL_ANCHORS:
            words.pop()
        elif last in spans.SUBJECTS and len(words) > 2 and \
                (words[-2].strip(_EDGE_PUNCT) in spans.EDGE_WORDS or words[-2][-1:] in _EDGE_PUNCT):
            words.pop()
        else:
            break
    while len(words) > 1:
        first = words[0].strip(_EDGE_PUNCT)
        if not first or first in _NOT_LEAD:
            words.pop(0)
            continue
        n = _lead_copula([first, *words[1:]])
        if not n:
            break
        del words[:n]
    out = " ".join(words).strip(_EDGE_PUNCT) or " ".join(words)
    return _LEADING_NUMBER.sub("", out)


def posix_path(path: str) -> str:
    """A display path with forward slashes and no leading ``./``."""
    p = path.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p


def finding_key(path: str, finding: Finding) -> Key:
    text = "" if finding.rule in FILE_LEVEL_RULES else normalise_text(finding.location.text)
    return (posix_path(path), finding.rule, finding.theme or "", text, finding.field or "")


def fingerprints(file: FileResult) -> list[str]:
    """A stable id per finding of ``file`` (same order): for SARIF, GitLab, anything that matches.

    The hash covers the baseline key plus the occurrence number of that key in the file, so two
    identical findings get different ids and neither id changes when lines move.
    """
    seen: Counter[Key] = Counter()
    out: list[str] = []
    for f in file.findings:
        key = finding_key(file.path, f)
        seen[key] += 1
        material = "\0".join(("msglint/v1", *key, str(seen[key])))
        out.append(hashlib.sha256(material.encode("utf-8")).hexdigest()[:32])
    return out


@dataclass
class Baseline:
    """The counted keys of a baseline file. ``root`` is the folder paths are relative to."""

    counts: Counter[Key] = field(default_factory=Counter)
    root: Path = field(default_factory=Path.cwd)
    path: Path | None = None

    def __len__(self) -> int:
        return sum(self.counts.values())


def _relative(display: str, root: Path) -> str:
    """``display`` (relative to the working directory, or absolute) made relative to ``root``."""
    p = Path(display)
    absolute = p if p.is_absolute() else Path.cwd() / p
    try:
        rel = os.path.relpath(absolute, root.resolve())
    except ValueError:  # another drive on Windows
        return posix_path(str(absolute))
    return posix_path(Path(rel).as_posix())


def _keys(run: RunResult, root: Path) -> Iterator[tuple[int, int, Key]]:
    for i, file in enumerate(run.files):
        rel = _relative(file.path, root)
        for j, f in enumerate(file.findings):
            yield i, j, finding_key(rel, f)


def build_baseline(run: RunResult, root: Path | None = None) -> Baseline:
    root = root or Path.cwd()
    return Baseline(Counter(k for _, _, k in _keys(run, root)), root)


def baseline_document(baseline: Baseline, version: str) -> dict[str, object]:
    entries = []
    for (path, rule, theme, text, fld), count in sorted(baseline.counts.items()):
        entry: dict[str, object] = {"path": path, "rule": rule, "theme": theme or None,
                                    "text": text, "count": count}
        if fld:
            entry["field"] = fld
        entries.append(entry)
    return {"kind": KIND, "version": VERSION, "tool": {"name": "msglint", "version": version},
            "findings": entries}


def dump_document(doc: dict[str, object]) -> str:
    """Indented JSON with one finding per line: a review diff shows one line per change."""
    head = {k: v for k, v in doc.items() if k != "findings"}
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    entries = [json.dumps(e, ensure_ascii=False) for e in doc["findings"]]  # type: ignore[attr-defined]
    body = ",\n".join(f"    {e}" for e in entries)
    lines.append('  "findings": [' + (f"\n{body}\n  ]" if entries else "]"))
    return "{\n" + "\n".join(lines) + "\n}"


def write_baseline(run: RunResult, path: str | Path) -> Baseline:
    """Record every finding of ``run`` in ``path`` (replacing it). Returns what was written."""
    path = Path(path)
    root = path.parent if str(path.parent) else Path(".")
    baseline = build_baseline(run, root)
    baseline.path = path
    text = dump_document(baseline_document(baseline, run.version))
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"cannot write baseline ({exc.strerror or exc}); check that the folder "
                          "exists and is writable", str(path)) from None
    return baseline


def _corrupt(path: Path, what: str) -> ConfigError:
    return ConfigError(f"not a msglint baseline: {what}; regenerate it with "
                       f"`msglint check --write-baseline {path}` (or remove --baseline)", str(path))


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline file. Raises ConfigError naming the file for a missing, corrupt or
    foreign file (a SARIF report passed by mistake, a newer format)."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("baseline file not found; create it with "
                          f"`msglint check --write-baseline {path}`", str(path)) from None
    except UnicodeDecodeError:
        raise _corrupt(path, "the file is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"cannot read baseline ({exc.strerror or exc})", str(path)) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"baseline is not valid JSON ({exc.msg}); regenerate it with "
                          f"`msglint check --write-baseline {path}`", str(path), exc.lineno,
                          exc.colno) from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise _corrupt(path, f'expected a JSON object with "kind": "{KIND}"')
    version = data.get("version")
    if version != VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            raise ConfigError(f"baseline version {version} is newer than this msglint supports "
                              f"({VERSION}); upgrade msglint or regenerate the baseline",
                              str(path))
        raise _corrupt(path, f"unsupported version {version!r} (expected {VERSION})")
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise _corrupt(path, '"findings" must be a list')
    counts: Counter[Key] = Counter()
    for n, e in enumerate(entries):
        ok = (isinstance(e, dict) and isinstance(e.get("path"), str)
              and isinstance(e.get("rule"), str) and isinstance(e.get("text"), str)
              and (e.get("theme") is None or isinstance(e.get("theme"), str))
              and (e.get("field") is None or isinstance(e.get("field"), str))
              and isinstance(e.get("count", 1), int) and not isinstance(e.get("count", 1), bool)
              and e.get("count", 1) >= 1)
        if not ok:
            raise _corrupt(path, f"findings[{n}] needs path, rule, text (strings), theme (string "
                                 "or null) and count (a positive integer)")
        key: Key = (posix_path(e["path"]), e["rule"], e.get("theme") or "",
                    normalise_text(e["text"]), e.get("field") or "")
        counts[key] += e.get("count", 1)
    root = path.parent if str(path.parent) else Path(".")
    return Baseline(counts, root, path)


def _match(run: RunResult, baseline: Baseline) -> tuple[RunResult, Counter[Key]]:
    left = Counter(baseline.counts)
    keep: dict[int, list[Finding]] = {}
    for i, j, key in _keys(run, baseline.root):
        if left[key] > 0:
            left[key] -= 1
        else:
            keep.setdefault(i, []).append(run.files[i].findings[j])
    files = [replace(f, findings=keep.get(i, [])) for i, f in enumerate(run.files)]
    return RunResult(files, run.version), +left


def filter_new(run: RunResult, baseline: Baseline) -> RunResult:
    """``run`` with only the findings the baseline does not absorb (order kept).

    Files, scores and read errors are untouched; only findings are filtered.
    """
    return _match(run, baseline)[0]


def fixed(run: RunResult, baseline: Baseline) -> int:
    """How many baselined findings no longer occur in ``run`` (time to ratchet the baseline).

    Only files linted in ``run`` count: a run over one folder does not call the rest fixed.
    """
    linted = {_relative(f.path, baseline.root) for f in run.files if not f.error}
    _, left = _match(run, baseline)
    return sum(n for key, n in left.items() if key[0] in linted)


__all__ = ["Baseline", "write_baseline", "load_baseline", "filter_new", "fixed", "fingerprints",
           "finding_key"]

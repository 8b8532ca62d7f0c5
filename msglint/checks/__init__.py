"""Checks: each turns an analysed file plus its profile into findings.

Check *kinds* are code (one small function each); their ids, default severities, messages, why
and suggestions are data in rules/checks/<id>.yaml, so `msglint explain` and the docs read the
same text the findings carry. Checks never see inline suppressions; those are applied after.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from msglint.catalogue import Catalogue, CheckDoc
from msglint.models import Finding, Location, Mention, Sentence, Severity, Voice
from msglint.profile import Profile
from msglint.source import Source


@dataclass(frozen=True)
class CheckContext:
    source: Source
    profile: Profile
    catalogue: Catalogue
    mentions: list[Mention]
    sentences: list[Sentence]
    voice: Voice
    themes: dict[str, Any]  # theme id -> Theme (built-in plus the profile's own)
    words: int = 0  # words of copy in the file
    min_words: int = 0  # config `min_words`: shorter files skip the whole-file checks

    def too_short(self) -> bool:
        """True when the file is too short for a whole-file verdict (config ``min_words``)."""
        return self.words < self.min_words

    def theme_name(self, theme_id: str) -> str:
        theme = self.themes.get(theme_id)
        return theme.name if theme else theme_id

    def segment(self) -> str:
        return self.profile.name or self.profile.id


CheckFn = Callable[[CheckContext, "Emit"], Iterable[Finding]]
REGISTRY: dict[str, CheckFn] = {}


def check(check_id: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        REGISTRY[check_id] = fn
        return fn
    return register


_SPACES = re.compile(r"\s+")
_MARKERS = ("**", "__", "*", "_", "`", "~~")


def quoted(text: str) -> str:
    """The words of a finding's span as its message quotes them: on one line, without the
    Markdown emphasis or code markers that wrap them in the file ('**inventory control**' reads
    'inventory control'). The finding's location keeps the exact span."""
    text = _SPACES.sub(" ", text).strip()
    while True:
        inner = next((text[len(m):-len(m)].strip() for m in _MARKERS
                      if text.startswith(m) and text.endswith(m)
                      and text[len(m):-len(m)].strip()), None)
        if inner is None:
            return text
        text = inner


class Emit:
    """Builds findings for one check from its YAML doc, honouring severity overrides."""

    def __init__(self, doc: CheckDoc, severity: Severity, *, overridden: bool = False) -> None:
        self.doc = doc
        self.severity = severity
        # True when the config's `rules:` or the profile's `checks:` set this check's severity:
        # a check may then not raise or lower it on its own account.
        self.overridden = overridden

    def __call__(self, location: Location, *, start: int | None, end: int | None,
                 theme: str | None = None, severity: Severity | None = None,
                 why: str | None = None, suggestion: str | None = None,
                 field: str | None = None, **values: Any) -> Finding:
        values.setdefault("text", quoted(location.text))
        message = self.doc.message.format_map(_Defaulting(values))
        return Finding(
            rule=self.doc.id, severity=severity or self.severity, message=message,
            suggestion=suggestion if suggestion is not None
            else self.doc.suggestion.format_map(_Defaulting(values)),
            location=location, theme=theme, why=why if why is not None else self.doc.why,
            start=start, end=end, field=field,
        )


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def run_checks(ctx: CheckContext, overrides: dict[str, str]) -> list[Finding]:
    """Run every registered check not switched off; ``overrides`` maps id -> severity|off."""
    from msglint.checks import rules  # noqa: F401 - registers the built-in checks

    findings: list[Finding] = []
    for check_id, fn in REGISTRY.items():
        doc = ctx.catalogue.checks.get(check_id)
        if doc is None:
            continue
        setting = overrides.get(check_id, doc.severity)
        if setting == "off":
            continue
        emit = Emit(doc, setting, overridden=check_id in overrides)  # type: ignore[arg-type]
        findings.extend(fn(ctx, emit))
    return findings

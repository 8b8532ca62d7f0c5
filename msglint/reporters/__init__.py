"""Reporters: one normalised RunResult in, one output format out.

A registry, not an if/elif chain in the CLI: each entry names the module and function that renders
a format, imported only when that format is asked for (jinja2 is not imported for `--format
text`). Add a format by adding an entry here and a module beside this one.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from msglint.models import Finding, RunResult


def finding_tag(x: Finding) -> str:
    """The finding's rule as every format shows it: ``off-target-theme/<theme>`` for the one rule
    that stands for many themes, else the rule alone (empty-praise carries its theme too)."""
    return f"{x.rule}/{x.theme}" if x.theme and x.rule == "off-target-theme" else x.rule


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    verbose: bool = False
    fail_on: str = "warning"
    min_score: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class RenderFn(Protocol):
    def __call__(self, run: RunResult, options: ReportOptions) -> str: ...


# format name -> (module, function, one-line description)
REGISTRY: dict[str, tuple[str, str, str]] = {
    "text": ("msglint.reporters.text", "render",
             "path:line:col: severity [rule] message (default)"),
    "json": ("msglint.reporters.json", "render", "the contract JSON document (schema_version 1)"),
    "html": ("msglint.reporters.html", "render", "one self-contained HTML report (no network)"),
    "sarif": ("msglint.reporters.sarif", "render", "SARIF 2.1.0 for GitHub code scanning"),
    "github": ("msglint.reporters.github", "render", "GitHub Actions annotations (::error ...)"),
    "gitlab": ("msglint.reporters.gitlab", "render", "GitLab Code Quality report (JSON)"),
    "junit": ("msglint.reporters.junit", "render", "JUnit XML: a test suite per file"),
}


def register(name: str, module: str, function: str, description: str) -> None:
    REGISTRY[name] = (module, function, description)


def default_format(env: Mapping[str, str] | None = None) -> str:
    """The format when no --format is given: ``github`` under GitHub Actions, else ``text``."""
    env = os.environ if env is None else env
    return "github" if env.get("GITHUB_ACTIONS", "").lower() == "true" else "text"


def formats() -> list[str]:
    return sorted(REGISTRY)


def get(name: str) -> RenderFn:
    module, function, _ = REGISTRY[name]
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


def render(name: str, run: RunResult, options: ReportOptions | None = None) -> str:
    return get(name)(run, options or ReportOptions())

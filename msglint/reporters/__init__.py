"""Reporters: one normalised RunResult in, one output format out.

A registry, not an if/elif chain in the CLI: each entry names the module and function that renders
a format, imported only when that format is asked for (jinja2 is not imported for `--format
text`). Add a format by adding an entry here and a module beside this one.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from msglint.models import RunResult


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
    "text": ("msglint.reporters.text", "render", "path:line:col: severity [rule] message (default)"),
    "json": ("msglint.reporters.json", "render", "the contract JSON document (schema_version 1)"),
}


def register(name: str, module: str, function: str, description: str) -> None:
    REGISTRY[name] = (module, function, description)


def formats() -> list[str]:
    return sorted(REGISTRY)


def get(name: str) -> RenderFn:
    module, function, _ = REGISTRY[name]
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


def render(name: str, run: RunResult, options: ReportOptions | None = None) -> str:
    return get(name)(run, options or ReportOptions())

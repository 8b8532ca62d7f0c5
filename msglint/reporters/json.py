"""`--format json`: the contract document (CONTRACT.md section 2)."""

from __future__ import annotations

import json

from msglint.models import RunResult
from msglint.reporters import ReportOptions
from msglint.reporters.records import run_record


def render(run: RunResult, options: ReportOptions) -> str:
    return json.dumps(run_record(run), indent=2, ensure_ascii=False) + "\n"

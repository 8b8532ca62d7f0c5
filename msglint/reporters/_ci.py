"""Small helpers the CI formats (sarif, github, gitlab, junit) share.

The finding data itself comes from :mod:`msglint.reporters.records` and finding identity from
:mod:`msglint.baseline`; this module only holds what CI systems need on top: repository-relative
forward-slash paths, the score-below-minimum verdict and the fail level.
"""

from __future__ import annotations

import os
from pathlib import Path

from msglint.baseline import posix_path
from msglint.models import SEVERITY_RANK, FileResult
from msglint.reporters import ReportOptions

# Synthetic rule for a file whose score is below the minimum: CI systems need an annotation
# that explains the failing exit code, though it is no Finding (and never baselined).
MIN_SCORE_RULE = "min-score"
READ_ERROR_RULE = "read-error"


def repo_path(display: str, options: ReportOptions) -> str:
    """``display`` as CI systems want it: relative to the checkout, forward slashes.

    Relative paths are kept (msglint runs from the repository root in CI); an absolute path under
    ``options.extra["root"]`` (default: the working directory) is made relative to it.
    """
    if os.path.isabs(display):
        root = Path(options.extra.get("root") or Path.cwd()).resolve()
        try:
            return Path(display).resolve().relative_to(root).as_posix()
        except ValueError:
            return posix_path(Path(display).as_posix())
    return posix_path(display)


def minimum(file: FileResult, options: ReportOptions) -> int | None:
    return file.minimum(options.min_score)


def below_minimum(file: FileResult, options: ReportOptions) -> int | None:
    """The minimum score ``file`` missed, or None (no score, no copy, no minimum, or score high
    enough)."""
    low = minimum(file, options)
    if file.score is None or not file.has_copy or low is None or file.score.value >= low:
        return None
    return low


def score_message(file: FileResult, low: int) -> str:
    value = file.score.value if file.score else 0
    return (f"score {value}/100 is below the minimum {low} for profile {file.profile}; "
            "address the findings or cover more of the profile's drivers")


def fails(severity: str, options: ReportOptions) -> bool:
    """Whether a finding of ``severity`` fails the run at ``options.fail_on`` (never: none do)."""
    if options.fail_on not in SEVERITY_RANK:
        return False
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[options.fail_on]

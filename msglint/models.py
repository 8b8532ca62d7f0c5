"""The values that flow between msglint's stages.

Data flows one way: readers produce a :class:`~msglint.source.Source`, analysis turns it into
mentions and sentences, checks turn those into :class:`Finding` values, scoring adds a score, and
reporters render a :class:`RunResult`. Every value here is plain data so that any stage (and the
result cache) can hold it without knowing how it was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]
Role = Literal["driver", "off-target", "neutral"]
Beneficiary = Literal["customer", "vendor", "unclear"]
VoiceLabel = Literal["customer", "vendor", "mixed", "neutral"]
Via = Literal["pattern", "semantic", "words"]

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class Location:
    """A range in the *original* file: 1-based, code points, end exclusive (as SARIF)."""

    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True, slots=True)
class Mention:
    """One place where the copy talks about a theme."""

    theme: str
    role: Role
    beneficiary: Beneficiary
    negated: bool
    start: int  # offsets into Source.text (the extracted copy)
    end: int
    location: Location
    sentence: int  # index into FileResult.sentences
    field: str | None = None  # campaign-asset field path, e.g. "email.subject"
    via: Via = "pattern"  # how it was found: the theme's patterns, the semantic layer or the
    # theme word model (msglint.wordthemes)


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem a check reports, with what to do about it."""

    rule: str
    severity: Severity
    message: str
    suggestion: str
    location: Location
    theme: str | None = None
    why: str = ""
    start: int | None = None  # offsets into Source.text; None for file-level findings
    end: int | None = None
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Voice:
    """Whose story the copy tells. ``customer_focus`` = customer / (customer + vendor)."""

    label: VoiceLabel
    customer_focus: float
    customer: float = 0.0  # weighted count of customer-centred signals
    vendor: float = 0.0  # weighted count of vendor-centred signals


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int  # offsets into Source.text
    end: int
    block: int
    voice: Voice


@dataclass(frozen=True, slots=True)
class ScoreComponent:
    """One line of the score breakdown: what was measured and the points it earned."""

    name: str
    points: float
    max_points: float
    detail: str


@dataclass(frozen=True, slots=True)
class Score:
    value: int
    components: tuple[ScoreComponent, ...]


@dataclass(slots=True)
class FileResult:
    """Everything msglint learned about one file."""

    path: str
    profile: str | None = None
    score: Score | None = None
    voice: Voice | None = None
    themes: list[Mention] = field(default_factory=list)
    coverage: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    format: str = "text"
    text: str = ""  # the extracted copy (what the checks read), for reports
    sentences: list[Sentence] = field(default_factory=list)
    words: int = 0
    min_score: int | None = None
    # Where in the file the read error is, when the reader knows (a YAML/JSON syntax error).
    error_line: int | None = None
    error_column: int | None = None
    # Read, but no words of copy in it (empty, or only markup and code).
    no_copy: bool = False
    # Fewer words than the config's min_words: no whole-file checks and no minimum score.
    too_short: bool = False

    @property
    def has_copy(self) -> bool:
        """False for a file that could not be read or holds no copy: the latter is scored 50
        (nothing for or against) and held to no minimum score."""
        return self.error is None and not self.no_copy

    def minimum(self, override: int | None = None) -> int | None:
        """The minimum score this file is held to: ``override`` (``--min-score`` or the config's
        ``min_score:``), else its profile's; None for a file with no copy or one shorter than
        ``min_words``, whatever sets the minimum."""
        if not self.has_copy or self.too_short:
            return None
        return override if override is not None else self.min_score


@dataclass(slots=True)
class RunResult:
    """One run over many files: the single value every reporter renders."""

    files: list[FileResult]
    version: str

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.files for x in f.findings if x.severity == severity)

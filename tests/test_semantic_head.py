"""The semantic layer's trained theme head: its trainer, its file, and how the layer uses it.

The head's weights come from benchmarks/train_semantic_head.py; these tests check the trainer on
data whose answer is known, that the shipped file is well formed and trained on the current
theme examples and written items, and the decision rule with a stand-in embedder. None of them
needs the model.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, benchmark_module

from msglint import semantic
from msglint.catalogue import Theme, load_catalogue
from msglint.errors import ConfigError

train = benchmark_module("train_semantic_head")


# -- the trainer ------------------------------------------------------------------------------

def test_logistic_fit_separates_what_is_separable_and_weighs_classes_equally() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, 8))
    y = x[:, 0] > 1.0  # about one row in six is positive
    w, b = train.fit_logistic(x, y, c=10.0)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    assert ((p >= 0.5) == y).mean() > 0.97
    assert abs(w[0]) > 5 * np.abs(w[1:]).max()  # the one informative dimension carries it
    # balanced classes: the rare class is not drowned, its mean probability is high
    assert p[y].mean() > 0.8 and p[~y].mean() < 0.2


def test_logistic_fit_is_deterministic_and_shrinks_with_a_stronger_penalty() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 5))
    y = x[:, 1] + 0.5 * rng.normal(size=200) > 0
    w1, b1 = train.fit_logistic(x, y, c=1.0)
    w2, b2 = train.fit_logistic(x, y, c=1.0)
    assert np.array_equal(w1, w2) and b1 == b2
    w3, _ = train.fit_logistic(x, y, c=0.01)
    assert np.linalg.norm(w3) < np.linalg.norm(w1)


def test_training_rows_are_our_own_text_only() -> None:
    rows = train.training_rows()
    texts = {t for t, _ in rows}
    cat = load_catalogue()
    some_theme = cat.themes["time-savings"]
    assert set(some_theme.match_examples) <= texts
    assert all(set(themes) <= set(cat.themes) for _, themes in rows)
    # never the test split, real copy or the measure-only probes
    from msglint.evaluation import load_dataset

    eval_dir = ROOT / "tests" / "eval"
    test_items = [i for i in load_dataset(eval_dir / "probes.jsonl") if i.split == "test"]
    assert test_items and not texts & {i.text for i in test_items}  # even theme examples
    for name in ("probes2", "probes4"):
        assert not texts & {i.text for i in load_dataset(eval_dir / "dev-only" / f"{name}.jsonl")}
    assert not any(name.startswith(("real", "dev-only/real")) for name in train.OWN_FILES)
    assert "dev-only/probes2.jsonl" not in train.OWN_FILES
    assert "dev-only/probes4.jsonl" not in train.OWN_FILES


def test_voice_items_are_written_customer_or_vendor_items_and_never_the_held_out_ones() -> None:
    from msglint.evaluation import load_dataset

    items = train.voice_items()
    texts = {t for t, _ in items}
    eval_dir = ROOT / "tests" / "eval"
    assert "dev-only/probes8.jsonl" in train.VOICE_HELD_OUT
    assert not texts & {i.text for i in load_dataset(eval_dir / "dev-only" / "probes8.jsonl")}
    test_items = [i for i in load_dataset(eval_dir / "probes.jsonl") if i.split == "test"]
    assert not texts & {i.text for i in test_items}
    for name in ("probes2", "probes4"):
        assert not texts & {i.text for i in load_dataset(eval_dir / "dev-only" / f"{name}.jsonl")}
    written = {i.text: i for i in load_dataset(eval_dir / "dev-only" / "probes5.jsonl")}
    labels = {t: c for t, c in items if t in written}
    assert labels and all(written[t].voice == ("customer" if c else "vendor")
                          for t, c in labels.items())
    assert all(i.text not in texts for i in written.values() if i.voice in ("mixed", "neutral"))


def test_voice_rows_are_the_sentences_the_layer_embeds_with_their_items_label() -> None:
    rows = train.voice_rows([("Book tonight. We have cooked here since 1990 in Leeds.",
                              True), ("Our team. We are the best printers in town.", False)])
    # "Book tonight." and "Our team." are too short to embed
    assert rows == [("We have cooked here since 1990 in Leeds.", True),
                    ("We are the best printers in town.", False)]


def test_the_calibration_baseline_is_the_patterns_alone() -> None:
    from types import SimpleNamespace

    from msglint import lint_text

    # Only the theme word model reads this sentence (as less-day-to-day-involvement). It has
    # learnt the written files --calibrate scores out of fold, so the baseline the head is
    # measured against must leave it out (session 13: with it, most thresholds came out 1.0).
    text = "The shop keeps running smoothly even on the weeks you are not there."
    assert [m.via for m in lint_text(text, "smb-owner").themes] == ["words"]

    class Zeros:
        def encode(self, pieces: Sequence[str]) -> np.ndarray:
            return np.zeros((len(pieces), 384))

    scored = train._Scored([SimpleNamespace(text=text)], load_catalogue(), Zeros())
    assert scored.base == [set()]
    assert scored.sentences == [(0, set())]


# -- the shipped head -------------------------------------------------------------------------

def test_the_shipped_head_is_trained_on_the_current_examples() -> None:
    head = semantic.load_head()
    assert head is not None, "rules/semantic-head.json is missing"
    data = json.loads(semantic.head_path().read_text(encoding="utf-8"))
    cat = load_catalogue()
    assert set(head.themes) == set(cat.themes)
    assert head.weights.shape == (len(head.themes), 384) and head.model == "all-MiniLM-L6-v2"
    assert data["data_digest"] == train.data_digest(train.training_rows()), (
        "theme examples or written eval items changed since the semantic head was trained: "
        "run `python benchmarks/train_semantic_head.py` (needs msglint[semantic])")
    assert head.voice is not None and head.voice.shape == (384,)
    assert data["voice"]["data_digest"] == train.voice_digest(train.voice_items()), (
        "written eval items' voice labels changed since the semantic head was trained: "
        "run `python benchmarks/train_semantic_head.py` (needs msglint[semantic])")


# -- loading ----------------------------------------------------------------------------------

def _write_head(path: Path, **change: object) -> Path:
    doc: dict[str, object] = {"model": "m", "threshold": 0.8, "themes": ["a", "b"],
                              "bias": [0.0, 0.0], "weights": [[1.0, 0.0], [0.0, 1.0]]}
    doc.update(change)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "says"), [
    ({"weights": [[1.0, 0.0]]}, "inconsistent shapes"),
    ({"bias": [0.0]}, "inconsistent shapes"),
    ({"threshold": 1.5}, "inconsistent shapes or thresholds"),
    ({"themes": None}, "not a semantic head"),
    ({"weights": "x"}, "not a semantic head"),
])
def test_a_broken_head_file_is_one_config_error_naming_it(tmp_path: Path, change: dict[str, object],
                                                          says: str) -> None:
    path = _write_head(tmp_path / "head.json", **change)
    with pytest.raises(ConfigError) as err:
        semantic.load_head(path)
    assert says in str(err.value) and str(path) in str(err.value.path)
    assert "train_semantic_head.py" in str(err.value)


def test_a_voice_model_is_read_when_present_and_checked(tmp_path: Path) -> None:
    head = semantic.load_head(_write_head(tmp_path / "h.json",
                                          voice={"weights": [2.0, -2.0], "bias": 0.5}))
    assert head is not None and head.voice is not None and head.voice_bias == 0.5
    leaning = head.customer_leaning(np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert leaning is not None
    assert leaning[0] == pytest.approx(1 / (1 + np.exp(-2.5)))
    assert leaning[1] == pytest.approx(1 / (1 + np.exp(1.5)))
    old = semantic.load_head(_write_head(tmp_path / "h.json"))  # a head from before voice
    assert old is not None and old.voice is None
    assert old.customer_leaning(np.zeros((1, 2))) is None
    for broken, says in (({"weights": [1.0, 2.0, 3.0], "bias": 0.0}, "inconsistent shapes"),
                         ({"weights": [1.0, 2.0]}, "not a semantic head")):
        with pytest.raises(ConfigError, match=says):
            semantic.load_head(_write_head(tmp_path / "h.json", voice=broken))


def test_not_json_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "head.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a semantic head"):
        semantic.load_head(bad)
    assert semantic.load_head(tmp_path / "absent.json") is None


def test_the_cache_identity_names_the_head() -> None:
    assert ";head=" in semantic.identity()
    assert semantic.identity().split(";head=")[1] != "none"


# -- the decision rule ------------------------------------------------------------------------

class TwoWords:
    """Stand-in embedder: dimension 0 counts 'dinner', dimension 1 'vault' (normalised)."""

    name = "two-words"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 2))
        for i, text in enumerate(texts):
            words = text.lower().split()
            out[i] = [sum(w.startswith("dinner") for w in words),
                      sum(w.startswith("vault") for w in words)]
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
        return out


def theme(tid: str, extra: Sequence[str] = ()) -> Theme:
    return Theme(id=tid, name=tid, description=tid, group="outcome", negation="keep",
                 phrases=("zzz placeholder",), match_examples=("zzz example text",),
                 no_match_examples=("nothing alike here",), semantic_examples=tuple(extra))


FAMILY, SAFE = theme("family-time", ["dinner dinner"]), theme("safe-keeping")
HEAD = semantic.Head(model="two-words", themes=("family-time", "safe-keeping"),
                     weights=np.array([[8.0, -8.0], [-8.0, 8.0]]), bias=np.array([-4.0, -4.0]),
                     threshold=0.9)


def layer(head: semantic.Head | None = HEAD, themes: Sequence[Theme] = (FAMILY, SAFE)
          ) -> semantic.SemanticMatcher:
    return semantic.SemanticMatcher(list(themes), TwoWords(), head=head, background=(),
                                    default_threshold=0.5, margin=0.0, top_k=1, offsets={})


def test_the_head_finds_a_theme_past_its_threshold_with_or_without_semantic_examples() -> None:
    [hits] = layer().match(["We keep it in the vault for you."])
    assert [(h.theme, h.score > 0.9) for h in hits] == [("safe-keeping", True)]
    assert hits[0].margin == pytest.approx(hits[0].score - 0.9, abs=1e-4)
    [hits] = layer().match(["Home in time for dinner every night."])
    assert [h.theme for h in hits] == ["family-time"]


def test_below_the_heads_threshold_nothing_is_found() -> None:
    strict = dataclasses.replace(HEAD, threshold=0.999)
    assert layer(strict).match(["We keep it in the vault for you."]) == [[]]
    assert layer().match(["The shop opens at nine every day."]) == [[]]


def test_the_head_is_used_only_with_the_model_it_was_trained_on() -> None:
    other = dataclasses.replace(HEAD, model="another-model")
    m = layer(other)
    assert m.head is None and m.taking_part == {"family-time"}  # the prototype rule again
    assert m.match(["We keep it in the vault for you."]) == [[]]


def test_themes_the_head_does_not_know_keep_the_prototype_rule() -> None:
    m = layer(dataclasses.replace(HEAD, themes=("safe-keeping", "x"),
                                  weights=HEAD.weights[::-1], bias=HEAD.bias))
    assert m.by_prototype == {"family-time"} and m.head_themes == {"safe-keeping"}
    [hits] = m.match(["Dinner dinner with the kids, every evening of the week."])
    assert [(h.theme, h.score) for h in hits] == [("family-time", 1.0)]  # a cosine, not a p


def test_the_gate_still_reads_only_the_drivers() -> None:
    m = layer()
    assert m.drivers == {"family-time"} and m.taking_part == {"family-time", "safe-keeping"}


def test_a_theme_can_have_its_own_threshold_and_one_of_one_switches_it_off() -> None:
    text = ["We keep it in the vault for you."]
    own = dataclasses.replace(HEAD, thresholds={"safe-keeping": 1.0})
    assert layer(own).match(text) == [[]]
    assert own.cut("safe-keeping") == 1.0 and own.cut("family-time") == 0.9
    lower = dataclasses.replace(HEAD, threshold=0.999, thresholds={"safe-keeping": 0.5})
    assert [h.theme for h in layer(lower).match(text)[0]] == ["safe-keeping"]


def test_thresholds_in_the_file_are_read_and_checked(tmp_path: Path) -> None:
    head = semantic.load_head(_write_head(tmp_path / "h.json", thresholds={"a": 0.95}))
    assert head is not None and head.cut("a") == 0.95 and head.cut("b") == 0.8
    with pytest.raises(ConfigError, match="inconsistent shapes or thresholds"):
        semantic.load_head(_write_head(tmp_path / "h.json", thresholds={"zz": 0.95}))


def test_vectors_of_another_width_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="expects 2-dimensional vectors"):
        HEAD.probabilities(np.zeros((1, 3)))


def test_a_pieces_runner_up_does_not_pass_where_the_patterns_decided_its_leader() -> None:
    from msglint.analysis import Analyzer
    from msglint.readers import read_bytes

    # "dinner" is a family-time phrase for the patterns; the piece's likeliest theme by meaning
    # is family-time too, and safe-keeping, its runner-up past a tiny threshold, stays out
    family = Theme(id="family-time", name="f", description="f", group="outcome",
                   negation="keep", phrases=("dinner",), match_examples=("dinner",),
                   no_match_examples=("nothing alike here",), semantic_examples=())
    head = dataclasses.replace(HEAD, threshold=1e-9)
    hits = layer(head, (family, SAFE)).match(["Dinner dinner dinner vault, every single night."])
    assert {(h.theme, h.leader) for h in hits[0]} == {("family-time", "family-time"),
                                                       ("safe-keeping", "family-time")}
    analyzer = Analyzer([family, SAFE], semantic=layer(head, (family, SAFE)))
    source = read_bytes(b"Dinner dinner dinner vault, every single night.", "<t>", "text")
    res = analyzer.analyze([source])[0]
    assert {(m.theme, m.via) for m in res.mentions} == {("family-time", "pattern")}
    # without the pattern's decision the same piece gives both by meaning
    other = dataclasses.replace(family, phrases=("zzz placeholder",))
    analyzer = Analyzer([other, SAFE], semantic=layer(head, (other, SAFE)))
    res = analyzer.analyze([source])[0]
    assert sorted(m.theme for m in res.mentions) == ["family-time", "safe-keeping"]


# -- voice by meaning -------------------------------------------------------------------------

# dimension 0 ("dinner") reads customer, dimension 1 ("vault") vendor
VOICED = dataclasses.replace(HEAD, voice=np.array([6.0, -6.0]), voice_bias=0.0)


def test_read_gives_each_embedded_sentence_the_heads_customer_leaning() -> None:
    hits, leanings = layer(VOICED).read(["Home in time for dinner every night.",
                                         "We keep it in the vault for you.",
                                         "Open at nine.",  # too short to embed
                                         "The shop opens at nine every day."])
    assert [h.theme for h in hits[0]] == ["family-time"] and hits[2] == [] and hits[3] == []
    assert leanings[0] is not None and leanings[0] > 0.99
    assert leanings[1] is not None and leanings[1] < 0.01
    assert leanings[2] is None
    assert leanings[3] == 0.5  # a zero vector: no lean either way
    # a head without a voice model leans nowhere, and match() is read()'s hits
    assert layer().read(["Home in time for dinner every night."])[1] == [None]
    assert layer(VOICED).match(["Home in time for dinner every night."]) == hits[:1]


def test_a_long_sentence_leans_by_its_whole_vector_not_a_clause() -> None:
    text = "Vault vault vault, dinner, and then a quiet walk home along the river at night."
    [leaning] = layer(VOICED).read([text])[1]
    vector = TwoWords().encode([text])[0]
    assert leaning == pytest.approx(1 / (1 + np.exp(-(vector @ VOICED.voice))), abs=1e-4)


def test_the_leaning_moves_a_sentence_with_no_other_voice_signal() -> None:
    from msglint import voice
    from msglint.analysis import Analyzer
    from msglint.readers import read_bytes

    source = read_bytes(b"Dinner at home with the children every single night.", "<t>", "text")
    plain = Analyzer([FAMILY, SAFE]).analyze([source])[0].sentences[0]
    assert (plain.customer, plain.vendor) == (0.0, 0.0)
    # the head's themes are switched off: only its voice model speaks
    quiet = dataclasses.replace(VOICED, threshold=0.999, thresholds={"family-time": 1.0})
    leaned = Analyzer([FAMILY, SAFE], semantic=layer(quiet)).analyze([source])[0]
    assert leaned.mentions == []
    lean = 2 * (1 / (1 + np.exp(-6.0))) - 1
    assert leaned.sentences[0].customer == pytest.approx(
        voice.WEIGHTS["meaning_customer"][1] * lean, abs=1e-3)
    assert leaned.sentences[0].vendor == 0.0


def test_a_head_that_reads_voice_replaces_the_word_model() -> None:
    from msglint.analysis import Analyzer
    from msglint.wordvoice import WordVoice

    words = WordVoice({"dinner": -5.0}, 0.0, "w")
    assert Analyzer([FAMILY, SAFE], word_voice=words).word_voice is words
    assert Analyzer([FAMILY, SAFE], semantic=layer(VOICED), word_voice=words).word_voice is None
    # a head without a voice model leaves the word model in place
    assert Analyzer([FAMILY, SAFE], semantic=layer(), word_voice=words).word_voice is words

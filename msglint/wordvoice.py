"""Whom a sentence speaks for, read from its words by a trained linear model.

voice.py's features are rules a reader states ("you" addressed, "we" speaking, a product as the
subject). Many sentences carry none of them and still lean one way: "Private bankers should be
at dinner with clients, not waiting on compliance" speaks for the customer, "Procurement
policies that enforce themselves at the point of purchase" for the vendor. This model reads
that lean from the sentence's words: a logistic regression over its lower-case words and pairs
of adjacent words, P(customer-centred) = sigmoid(bias + the weights of the terms it holds).

The weights live in rules/voice-words.json, written by benchmarks/train_voice_words.py from the
sentences of the written evaluation items the readers called customer or vendor (never real
copy, the test split, the measure-only probes or probes8). It needs no library and costs a
dictionary lookup per word, so it runs in every lint; with ``--semantic`` the theme head's voice
model reads the sentence vector instead (msglint.semantic.Head.customer_leaning). Either gives
the ``meaning_customer`` / ``meaning_vendor`` features (docs/scoring.md, "Voice by meaning").
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from msglint.errors import ConfigError

FILE = "voice-words.json"
# A term is a run of word characters or an angle bracket (the corpus masks company names as
# <company>); the trainer builds its rows with this same function (terms).
_TOKEN = re.compile(r"\w+|[<>]")
# Sentences shorter than this are left to the features: too few words to lean on (the semantic
# layer embeds nothing shorter either, msglint.semantic.MIN_SENTENCE_WORDS).
MIN_WORDS = 4


# Both word models (this one and msglint.wordthemes) read the same sentence one after the
# other: the last few sentences' terms are kept, so each sentence is split once.
@functools.lru_cache(maxsize=4)
def terms(text: str) -> frozenset[str]:
    """The model's terms in a sentence: its lower-case words and each adjacent pair."""
    words = _TOKEN.findall(text.lower())
    return frozenset(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}


@dataclass(frozen=True, slots=True)
class WordVoice:
    """A trained word model: P(customer) = sigmoid(bias + sum of weights[term])."""

    weights: Mapping[str, float]
    bias: float
    digest: str  # of the file it came from, for the result cache key

    def leaning(self, text: str) -> float | None:
        """P(the sentence is customer-centred rather than vendor-centred); None when it has
        fewer than MIN_WORDS words."""
        if len(text.split()) < MIN_WORDS:
            return None
        # fsum: exactly rounded, so the result does not depend on the set's order, which
        # string hashing makes differ from process to process (spawned workers)
        return sigmoid(self.bias + math.fsum(self.weights.get(t, 0.0) for t in terms(text)))


def sigmoid(z: float) -> float:
    """1 / (1 + e^-z), with z clamped so that exp never overflows."""
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def path() -> Path:
    from msglint.catalogue import rules_dir

    return rules_dir() / FILE


def load(where: Path | None = None) -> WordVoice | None:
    """The model in ``where`` (default: the built-in one); None when the file does not exist
    (:func:`builtin` makes that an error for the built-in one).

    A file that exists but is not a model is a ConfigError naming it.
    """
    from msglint.catalogue import read_model_file

    where = where or path()
    raw = read_model_file(where, "voice word model")
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        stored, bias = dict(data["weights"]), data["bias"]
        if any(isinstance(v, bool) or not isinstance(v, (int, float))
               for v in (bias, *stored.values())):
            raise TypeError("weights and bias must be numbers")
        weights = {str(k): float(v) for k, v in stored.items()}
        bias = float(bias)
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"not a voice word model ({type(exc).__name__}: {exc}); {_REMEDY}",
                          str(where)) from None
    if not all(math.isfinite(w) for w in weights.values()) or not math.isfinite(bias):
        raise ConfigError(f"voice word model has weights that are not finite numbers; {_REMEDY}",
                          str(where))
    return WordVoice(weights, bias, hashlib.sha256(raw).hexdigest()[:16])


# The file ships in the wheel; a user who finds it broken reinstalls, a maintainer retrains.
_REMEDY = ("reinstall msglint (in a source checkout, regenerate it with "
           "`python benchmarks/train_voice_words.py`)")

_builtin: list[WordVoice] = []


def builtin() -> WordVoice:
    """The built-in model, loaded once per process. Missing, it is a ConfigError: without it
    every voice result would quietly change."""
    if not _builtin:
        model = load()
        if model is None:
            raise ConfigError(f"the voice word model is missing; {_REMEDY}", str(path()))
        _builtin.append(model)
    return _builtin[0]


def identity() -> str:
    """The built-in model's digest for the result cache key ('none' without one)."""
    from msglint.catalogue import model_file_identity

    return model_file_identity(path())

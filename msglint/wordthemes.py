"""Themes read from a sentence's words by trained linear models, for what the patterns miss.

The patterns (rules/themes/*.yaml) hold the phrasings someone wrote down. A copywriter's
paraphrase of a driver often uses none of them: "Payday lands, rent gets set aside on its own,
and what's left is yours" is take-home pay without "take-home" or "pay". One logistic regression
per theme over the sentence's lower-case words and pairs of adjacent words (the terms of
msglint.wordvoice) gives P(the sentence carries the theme); above the theme's threshold the
sentence is a mention of it, found ``via`` "words".

The weights and thresholds live in rules/theme-words.json, written by
benchmarks/train_theme_words.py from the rows the semantic head learns from (theme examples,
near misses and the written evaluation items; never real copy, the test split or the
measure-only probes). Each threshold was chosen on the dev items, held out by file. A theme the
file does not list is never added; self-praise (vendor-credentials, empty-praise) is left
to the patterns, as it is for the semantic head. Like the voice word model it needs no library
and costs a dictionary lookup per term. With ``--semantic`` it still runs and adds the themes
the theme head did not find in a sentence (on written copy held out of both, probes8: head
0.622, both 0.656).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from msglint.errors import ConfigError
from msglint.wordvoice import MIN_WORDS, terms

FILE = "theme-words.json"

# The file ships in the wheel; a user who finds it broken reinstalls, a maintainer retrains.
_REMEDY = ("reinstall msglint (in a source checkout, regenerate it with "
           "`python benchmarks/train_theme_words.py`)")


@dataclass(frozen=True, slots=True)
class WordThemes:
    """Per-theme models: P(theme) = sigmoid(bias + the weights of the sentence's terms)."""

    themes: tuple[str, ...]
    biases: tuple[float, ...]
    thresholds: tuple[float, ...]
    # term -> ((index into themes, weight), ...): one lookup per term serves every theme
    weights: Mapping[str, tuple[tuple[int, float], ...]]
    digest: str  # of the file it came from, for the result cache key

    def logits(self, text: str) -> list[float] | None:
        """bias + the weights of the sentence's terms, per theme; None under MIN_WORDS words."""
        if len(text.split()) < MIN_WORDS:
            return None
        z = list(self.biases)
        # in sorted order, so the float sums do not depend on the set's order, which string
        # hashing makes differ from process to process (spawned workers)
        for t in sorted(terms(text)):
            for k, w in self.weights.get(t, ()):
                z[k] += w
        return z

    def probabilities(self, text: str) -> dict[str, float]:
        """P(theme) for each theme the model knows; empty under MIN_WORDS words."""
        z = self.logits(text)
        if z is None:
            return {}
        return {theme: _sigmoid(v) for theme, v in zip(self.themes, z, strict=True)}

    def found(self, text: str) -> list[tuple[str, float]]:
        """(theme, probability) of each theme over its threshold, likeliest first."""
        z = self.logits(text)
        if z is None:
            return []
        # most sentences have no theme: compare logits, and take exp only for the few that pass
        hits = [(theme, _sigmoid(v)) for theme, v, cut in zip(self.themes, z, self._cuts,
                                                              strict=True) if v > cut]
        return sorted(hits, key=lambda h: (-h[1], h[0]))

    @property
    def _cuts(self) -> tuple[float, ...]:
        return _logit_cuts(self.thresholds)


@functools.lru_cache(maxsize=8)
def _logit_cuts(thresholds: tuple[float, ...]) -> tuple[float, ...]:
    """Each probability threshold as a logit (a threshold of 1 or more: never passed)."""
    return tuple(math.log(t / (1 - t)) if 0 < t < 1 else (math.inf if t >= 1 else -math.inf)
                 for t in thresholds)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def path() -> Path:
    from msglint.catalogue import rules_dir

    return rules_dir() / FILE


def _numbers(values: Iterable[object]) -> None:
    """Check a theme's ~3,000 weights at once (one call each cost a tenth of a second)."""
    if not {type(v) for v in values} <= {int, float}:  # bool is a type of its own here
        raise TypeError("weights, biases and thresholds must be finite numbers")
    try:
        total = math.fsum(values)  # type: ignore[arg-type]
    except (OverflowError, ValueError):  # inf - inf
        total = math.inf
    if not math.isfinite(total):
        raise TypeError("weights, biases and thresholds must be finite numbers")


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(float(value)):
        raise TypeError("weights, biases and thresholds must be finite numbers")
    return float(value)


def load(where: Path | None = None, known: Sequence[str] | None = None) -> WordThemes | None:
    """The model in ``where`` (default: the built-in one); None when the file does not exist
    (:func:`builtin` makes that an error for the built-in one).

    A file that exists but is not a model, or names a theme not in ``known``, is a ConfigError
    naming it.
    """
    from msglint.catalogue import read_model_file

    where = where or path()
    raw = read_model_file(where, "theme word model")
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        entries = dict(data["themes"])
        names = tuple(sorted(entries))
        biases = tuple(_number(entries[n]["bias"]) for n in names)
        thresholds = tuple(_number(entries[n]["threshold"]) for n in names)
        by_term: dict[str, list[tuple[int, float]]] = {}
        for k, name in enumerate(names):
            stored = dict(entries[name]["weights"])
            _numbers(stored.values())
            for term, w in stored.items():
                by_term.setdefault(term, []).append((k, float(w)))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"not a theme word model ({type(exc).__name__}: {exc}); {_REMEDY}",
                          str(where)) from None
    unknown = sorted(set(names) - set(known)) if known is not None else []
    if unknown:
        raise ConfigError(f"theme word model names unknown theme(s) {', '.join(unknown)}; "
                          f"{_REMEDY}", str(where))
    return WordThemes(names, biases, thresholds, {t: tuple(v) for t, v in by_term.items()},
                      hashlib.sha256(raw).hexdigest()[:16])


_builtin: list[WordThemes] = []


def builtin() -> WordThemes:
    """The built-in model, loaded once per process. Missing, it is a ConfigError: without it
    the themes msglint finds would quietly change."""
    if not _builtin:
        from msglint.catalogue import load_catalogue

        model = load(known=sorted(load_catalogue().themes))
        if model is None:
            raise ConfigError(f"the theme word model is missing; {_REMEDY}", str(path()))
        _builtin.append(model)
    return _builtin[0]


def identity() -> str:
    """The built-in model's digest for the result cache key ('none' without one)."""
    from msglint.catalogue import model_file_identity

    return model_file_identity(path())

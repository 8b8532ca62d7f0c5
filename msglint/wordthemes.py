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

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from msglint.errors import ConfigError
from msglint.wordvoice import MIN_WORDS, sigmoid, terms

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
    # each threshold as a logit, so found() compares sums and takes exp only for the themes that
    # pass (a threshold of 1 or more is never passed)
    cuts: tuple[float, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cuts", tuple(
            math.log(t / (1 - t)) if 0 < t < 1 else (math.inf if t >= 1 else -math.inf)
            for t in self.thresholds))

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
        return {theme: sigmoid(v) for theme, v in zip(self.themes, z, strict=True)}

    def found(self, text: str) -> list[tuple[str, float]]:
        """(theme, probability) of each theme over its threshold, likeliest first."""
        z = self.logits(text)
        if z is None:
            return []
        hits = [(theme, sigmoid(v)) for theme, v, cut in zip(self.themes, z, self.cuts,
                                                             strict=True) if v > cut]
        return sorted(hits, key=lambda h: (-h[1], h[0]))


def path() -> Path:
    from msglint.catalogue import rules_dir

    return rules_dir() / FILE


def _floats(values: Iterable[object]) -> tuple[float, ...]:
    """``values`` as floats; a TypeError unless all are finite numbers. Checked in one pass:
    a check per weight cost a tenth of a second over a model's 40,000."""
    values = tuple(values)
    if not {type(v) for v in values} <= {int, float}:  # bool is a type of its own here
        raise TypeError("weights, biases and thresholds must be finite numbers")
    try:
        total = math.fsum(values)  # type: ignore[arg-type]
    except (OverflowError, ValueError):  # inf - inf
        total = math.inf
    if not math.isfinite(total):
        raise TypeError("weights, biases and thresholds must be finite numbers")
    return tuple(float(v) for v in values)  # type: ignore[arg-type]


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
        biases = _floats(entries[n]["bias"] for n in names)
        thresholds = _floats(entries[n]["threshold"] for n in names)
        by_term: dict[str, list[tuple[int, float]]] = {}
        for k, name in enumerate(names):
            stored = dict(entries[name]["weights"])
            for term, w in zip(stored, _floats(stored.values()), strict=True):
                by_term.setdefault(term, []).append((k, w))
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

"""A compiled stand-in for spaCy's AttributeRuler, for the rules a tagged pipeline ships with.

en_core_web_sm's ``attribute_ruler`` maps fine-grained tags to parts of speech and morphology
and fixes a few lemmas, with ~180 token patterns run through a general Matcher. Measured on 100
drafts of real copy that Matcher cost 1.25 s of CPU, nearly half as much as tok2vec, the CNN that
does the real work. Its patterns are all of one simple kind (one or two tokens, equality or set
tests on TAG, LOWER, DEP and IS_SPACE), so they compile to dictionary lookups that give the same
result at a tenth of the cost.

The result is the same as the component's, not an approximation: every match is found on the
unmodified doc first, then the attributes are set in rule order, later rules winning, exactly as
``AttributeRuler.match`` and ``set_annotations`` do. A ruler with any pattern outside that kind
(another attribute, an operator, an extension) does not compile, and the pipeline keeps its own
component. tests/test_tagmap.py checks both agree token by token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_KEYS = frozenset({"TAG", "LOWER", "DEP", "IS_SPACE"})

# What a token shows to the rules: (tag, lower, dep, is_space).
_View = tuple[str, str, str, bool]
_Test = Callable[[_View], bool]
_FIELD = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}
_OTHER = "\0"  # stands for any word no rule names (see FastAttributeRuler._named)


class Unsupported(ValueError):
    """A pattern this module cannot compile; the pipeline keeps its own component."""


def _value_test(field: int, value: Any) -> _Test:
    if isinstance(value, (str, bool)):
        return lambda v: v[field] == value
    if isinstance(value, dict) and len(value) == 1:
        op, arg = next(iter(value.items()))
        if op == "IN" and isinstance(arg, list):
            members = frozenset(arg)
            return lambda v: v[field] in members
        if op == "NOT_IN" and isinstance(arg, list):
            excluded = frozenset(arg)
            return lambda v: v[field] not in excluded
        if op == "REGEX" and isinstance(arg, str):
            rx = re.compile(arg)
            return lambda v: isinstance(v[field], str) and rx.search(str(v[field])) is not None
    raise Unsupported(f"unsupported value {value!r}")


def _token_test(spec: dict[str, Any]) -> _Test:
    if not spec or not set(spec) <= _KEYS:
        raise Unsupported(f"unsupported token pattern {spec!r}")
    tests = [_value_test(_FIELD[k], v) for k, v in spec.items()]
    if len(tests) == 1:
        return tests[0]
    return lambda v: all(t(v) for t in tests)


def _keys(spec: dict[str, Any], key: str) -> frozenset[str] | None:
    """The values ``key`` must equal, for indexing; None when any value could do."""
    value = spec.get(key)
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, dict) and set(value) == {"IN"}:
        return frozenset(value["IN"])
    return None


class FastAttributeRuler:
    """Apply an AttributeRuler's rules to a Doc without the Matcher (see the module doc)."""

    def __init__(self, rules: Sequence[tuple[list[dict[str, Any]], int, Any]],
                 setter: Callable[[Token, Any], None]) -> None:
        # rules: (token specs, index of the token to set, normalised attrs), in rule order.
        self._setter = setter
        self._attrs = [attrs for _, _, attrs in rules]
        self._index = [index for _, index, _ in rules]
        self._single: dict[tuple[str | None, str | None], list[int]] = {}
        self._single_tests: dict[int, _Test] = {}
        # Multi-token rules, keyed by the LOWER values of one of their tokens (the anchor): only
        # positions holding such a word are tried. (order, tests, anchor offset)
        self._multi: dict[str | None, list[tuple[int, list[_Test], int]]] = {}
        for order, (specs, _, _) in enumerate(rules):
            tests = [_token_test(s) for s in specs]
            if len(specs) > 1:
                anchor = next((k for k, s in enumerate(specs) if _keys(s, "LOWER")), None)
                words = _keys(specs[anchor], "LOWER") if anchor is not None else None
                for word in words or (None,):
                    self._multi.setdefault(word, []).append((order, tests, anchor or 0))
                continue
            self._single_tests[order] = tests[0]
            tags: frozenset[str | None] = _keys(specs[0], "TAG") or frozenset({None})
            lowers: frozenset[str | None] = _keys(specs[0], "LOWER") or frozenset({None})
            for tag in tags:
                for low in lowers:
                    self._single.setdefault((tag, low), []).append(order)
        # Words some single-token rule names (LOWER equal to or IN a list): every other word
        # meets the rules alike, so the memo collapses them to one key. None when a rule tests
        # LOWER otherwise (NOT_IN, REGEX): then every word is its own key.
        named: set[str] = set()
        exact = True
        for specs, _, _ in rules:
            if len(specs) == 1 and "LOWER" in specs[0]:
                words = _keys(specs[0], "LOWER")
                exact = exact and words is not None
                named |= words or set()
        self._named = frozenset(named) if exact else None
        self._memo: dict[_View, tuple[int, ...]] = {}
        self._merged_memo: dict[tuple[int, ...], Any] = {}

    @classmethod
    def from_ruler(cls, ruler: Any) -> FastAttributeRuler:
        """Compile ``ruler`` (a spaCy AttributeRuler); raises Unsupported when it cannot."""
        from spacy.tokens._retokenize import set_token_attrs

        rules: list[tuple[list[dict[str, Any]], int, Any]] = []
        attrs = list(ruler.attrs)
        indices = list(ruler.indices)
        for i in range(len(attrs)):
            entry = ruler.matcher.get(str(i))
            if entry is None:
                raise Unsupported(f"rule {i} has no patterns")
            for pattern in entry[1]:
                if not pattern:
                    raise Unsupported(f"rule {i} has an empty pattern")
                rules.append(([dict(tok) for tok in pattern], indices[i], attrs[i]))
        # One rule may hold several patterns; rule order (not pattern order) decides precedence,
        # and patterns of one rule set the same attributes, so keeping them in order is enough.
        return cls(rules, set_token_attrs)

    def _hits(self, view: _View) -> tuple[int, ...]:
        """The single-token rules a token with this view matches, in rule order (memoised:
        the tests read nothing but the view, and a few thousand views cover most copy)."""
        if self._named is not None and view[1] not in self._named:
            view = (view[0], _OTHER, view[2], view[3])
        found = self._memo.get(view)
        if found is None:
            tag, low = view[0], view[1]
            ids: set[int] = set()
            for key in ((tag, low), (tag, None), (None, low), (None, None)):
                ids.update(self._single.get(key, ()))
            found = tuple(o for o in sorted(ids) if self._single_tests[o](view))
            if len(self._memo) < 200_000:
                self._memo[view] = found
        return found

    def _merged(self, orders: tuple[int, ...]) -> Any:
        """The attributes rules ``orders`` (ascending) leave on a token: later rules win.

        Each attribute is set independently of the others (part of speech, morphology,
        lemma), so one call with the merged values leaves the token as the rules' calls one
        after another would, at a third of the cost: most tokens meet two or three rules.
        """
        merged = self._merged_memo.get(orders)
        if merged is None:
            merged = {}
            for order in orders:
                merged.update(self._attrs[order])
            self._merged_memo[orders] = merged
        return merged

    def __call__(self, doc: Doc) -> Doc:
        views: list[_View] = [(t.tag_, t.lower_, t.dep_, t.is_space) for t in doc]
        hits = [self._hits(view) for view in views]
        if self._multi:
            extra: dict[int, list[int]] = {}  # token to set -> orders of multi-token rules
            size = len(views)
            unanchored = self._multi.get(None, [])
            for j, view in enumerate(views):
                for order, tests, anchor in self._multi.get(view[1], []) + unanchored:
                    i, n = j - anchor, len(tests)
                    if i >= 0 and i + n <= size and \
                            all(test(views[i + k]) for k, test in enumerate(tests)):
                        index = self._index[order]
                        extra.setdefault(i + (index if index >= 0 else n + index),
                                         []).append(order)
            for i, orders in extra.items():
                hits[i] = tuple(sorted({*hits[i], *orders}))
        setter = self._setter
        for i, found in enumerate(hits):
            if found:
                setter(doc[i], self._merged(found))
        return doc


def compile_ruler(ruler: Any) -> FastAttributeRuler | None:
    """A FastAttributeRuler for ``ruler``, or None when its patterns are outside what it knows."""
    try:
        return FastAttributeRuler.from_ruler(ruler)
    except (Unsupported, AttributeError, TypeError, ImportError):
        return None

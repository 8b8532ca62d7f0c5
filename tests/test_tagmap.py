"""msglint.tagmap must give exactly what spaCy's attribute_ruler gives, token by token."""

from __future__ import annotations

import pytest
from conftest import sample_blocks
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from msglint import nlp as nlp_mod
from msglint.tagmap import compile_ruler

# Sentences that reach the rules with more than a tag: contractions and the two-token lemma
# fixes ("gonna", "y'all", "ain't"), DEP-keyed rules ("but" as an adverb, aux verbs, "there is"),
# whitespace tokens, and pronoun case.
TRICKY = [
    "I'm gonna do it, y'all.",
    "We ain't done yet, but you'll see.",
    "There is a way, but it's hidden.",
    "Let's go  now.\n\nOK then",
    "C'mon, you gotta try it.",
    "It gets better; he got it and gave it to me.",
    "What do you have? We did have that one, which was those.",
    "Y'all never knew; nothing is free, but everything counts.",
]


def _sentences() -> list[str]:
    return [*TRICKY, *sample_blocks()]


def _attrs(doc: Doc) -> list[tuple[str, ...]]:
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in doc]


@pytest.mark.parametrize("parsed", [True, False], ids=["parsed", "tagged-only"])
def test_compiled_ruler_matches_the_component(parsed: bool) -> None:
    nlp = nlp_mod.load()
    ruler = nlp.get_pipe("attribute_ruler")
    fast = compile_ruler(ruler)
    assert fast is not None, "the shipped pipeline's attribute ruler should compile"
    disable = ["attribute_ruler", "lemmatizer"] + ([] if parsed else ["parser"])
    with nlp.select_pipes(disable=disable):
        docs = list(nlp.pipe(_sentences()))
    checked = 0
    for doc in docs:
        twin = Doc(nlp.vocab).from_bytes(doc.to_bytes())
        assert _attrs(ruler(doc)) == _attrs(fast(twin))
        checked += len(doc)
    assert checked > 500  # the comparison covered real text, not an empty list


def test_rules_apply_in_order_later_rules_win() -> None:
    nlp = nlp_mod.load()
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[{"LOWER": "save"}]], {"LEMMA": "first"})
    ruler.add([[{"TAG": "VB", "LOWER": {"IN": ["save", "keep"]}}]], {"LEMMA": "second"})
    ruler.add([[{"LOWER": "more"}, {"LOWER": "money"}]], {"LEMMA": "cash"}, index=-1)
    fast = compile_ruler(ruler)
    assert fast is not None
    words = ["save", "more", "money", "keep"]
    doc = Doc(nlp.vocab, words=words, tags=["VB", "JJR", "NN", "NN"])
    twin = Doc(nlp.vocab, words=words, tags=["VB", "JJR", "NN", "NN"])
    ruler(doc)
    fast(twin)
    assert [t.lemma_ for t in twin] == ["second", "", "cash", ""]
    assert _attrs(doc) == _attrs(twin)


@pytest.mark.parametrize("pattern", [
    [{"LOWER": "save", "OP": "+"}],          # an operator
    [{"LEMMA": "save"}],                      # an attribute the compiler does not read
    [{"LOWER": {"FUZZY": "save"}}],          # a predicate it does not know
])
def test_unsupported_patterns_leave_the_component_in_charge(pattern: list[dict]) -> None:
    ruler = AttributeRuler(nlp_mod.load().vocab)
    ruler.add([pattern], {"POS": "VERB"})
    assert compile_ruler(ruler) is None


@pytest.mark.parametrize("spec", [
    {"LOWER": {"NOT_IN": ["save"]}},        # tests every word: no word may share a memo entry
    {"LOWER": {"REGEX": "^ke"}},
    {"TAG": "NN"},                          # names no word: every word shares one entry
])
def test_memo_keeps_words_apart_when_a_rule_needs_it(spec: dict) -> None:
    nlp = nlp_mod.load()
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[spec]], {"LEMMA": "hit"})
    ruler.add([[{"LOWER": "money"}]], {"LEMMA": "cash"})
    fast = compile_ruler(ruler)
    assert fast is not None
    words, tags = ["save", "keep", "money", "time"], ["NN", "NN", "NN", "NN"]
    doc, twin = Doc(nlp.vocab, words=words, tags=tags), Doc(nlp.vocab, words=words, tags=tags)
    assert _attrs(ruler(doc)) == _attrs(fast(twin))

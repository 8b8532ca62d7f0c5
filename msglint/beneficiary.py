"""Who a theme mention benefits, and whether it is negated, read off the dependency parse.

"your margins" and "you keep more" benefit the customer; "our margins" and "we reduce our costs"
benefit the vendor. "No more stockouts" still talks about stock (negated, but the theme is there);
"we never compete on price" is not price framing (the theme decides via ``negation: drop``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from msglint.inflect import surface_forms
from msglint.models import Beneficiary
from msglint.voice import FIRST_PLURAL, SECOND_PERSON

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_CUSTOMER_OBJECTS = SECOND_PERSON | {"customer", "customers", "client", "clients", "business"}
_NEGATORS = frozenset({"no", "never", "not", "n't", "without", "zero", "nothing", "none",
                       "neither", "nor", "nobody"})
# Verbs that hand the benefit to their object: "help you", "let you", "give you".
_HANDING_VERBS = frozenset({"help", "let", "give", "allow", "enable", "empower", "free",
                            "save", "show", "get", "bring", "offer", "make"})
# Every inflected form, so the analyzer lemmatises these words (it lemmatises only what is read).
HANDING_VERB_FORMS = frozenset(f for v in _HANDING_VERBS for f in surface_forms(v))
_VENDOR_SUBJECT_NOUNS = frozenset({"company", "team", "firm", "agency", "we", "i"})


def _root(doc: Doc, start: int, end: int) -> Token:
    span = doc[start:end]
    return span.root


def _pronoun_side(tok: Token) -> Beneficiary | None:
    low = tok.lower_
    if low in SECOND_PERSON:
        return "customer"
    if low in FIRST_PLURAL:
        return "vendor"
    return None


def _possessor(tok: Token) -> Beneficiary | None:
    for child in tok.children:
        if child.dep_ == "poss":
            side = _pronoun_side(child)
            if side:
                return side
    return None


def beneficiary(doc: Doc, start: int, end: int) -> Beneficiary:
    """Customer, vendor or unclear for the mention doc[start:end]."""
    # 1. A possessive inside or on the mention: "your gross margin", "our margins".
    for tok in doc[start:end]:
        side = _pronoun_side(tok) if tok.dep_ == "poss" else None
        if side:
            return side
    root = _root(doc, start, end)
    side = _possessor(root)
    if side:
        return side
    # "the cost of your inventory": a possessive one preposition down.
    for child in root.children:
        if child.dep_ == "prep":
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    side = _possessor(pobj) or _pronoun_side(pobj)
                    if side and child.lower_ in {"of", "for"}:
                        return side
    # 2. Walk up the governing verbs: subject, handed-to object, "for you", imperative.
    tok = root
    for _ in range(4):
        if tok.pos_ in ("VERB", "AUX") or tok.dep_ == "ROOT":
            side = _verb_side(tok)
            if side:
                return side
        if tok.head.i == tok.i:  # the root (spaCy makes a new Token per access: no `is`)
            break
        tok = tok.head
    return "unclear"


def _verb_side(verb: Token) -> Beneficiary | None:
    subject: Token | None = None
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass", "expl"):
            subject = child
        if child.dep_ in ("dobj", "dative", "iobj") and child.lower_ in _CUSTOMER_OBJECTS \
                and verb.lemma_ in _HANDING_VERBS:
            return "customer"
        if child.dep_ == "prep" and child.lower_ in ("for", "to"):
            for pobj in child.children:
                side = _pronoun_side(pobj) or _possessor(pobj)
                if side:
                    return side
    if subject is not None:
        side = _pronoun_side(subject) or _possessor(subject)
        if side == "customer":
            return side
        if side == "vendor" or subject.lower_ in _VENDOR_SUBJECT_NOUNS:
            # "We help you save" -> the xcomp/ccomp child's subject is "you".
            for child in verb.children:
                if child.dep_ in ("xcomp", "ccomp"):
                    for grandchild in child.children:
                        if grandchild.dep_ == "nsubj" and _pronoun_side(grandchild) == "customer":
                            return "customer"
            if verb.lemma_ in _HANDING_VERBS:
                for child in verb.children:
                    if child.dep_ in ("dobj", "dative") and child.lower_ in _CUSTOMER_OBJECTS:
                        return "customer"
            return "vendor"
        # "<company> cuts costs": the placeholder or a company noun as subject.
        if subject.lower_ == "company" or subject.text == ">":
            return "vendor"
    elif _is_imperative(verb):
        return "customer"
    return None


def _is_imperative(verb: Token) -> bool:
    if verb.tag_ != "VB":
        return False
    if any(c.dep_ in ("aux", "nsubj", "nsubjpass", "mark") for c in verb.children):
        return False
    # Imperatives are the sentence root or coordinated with it ("Save time and sell more").
    return verb.dep_ == "ROOT" or (verb.dep_ == "conj" and verb.head.dep_ == "ROOT")


# A promise the copy refuses to make is not a promise: "We won't promise you'll double your
# sales", "We won't pretend setup is effortless". And "Forget world-class" dismisses its object.
_DISCLAIMING = frozenset(f for v in ("promise", "pretend", "claim", "guarantee", "swear", "boast")
                         for f in surface_forms(v))
_DISMISSING = frozenset({"forget", "ignore"})


def disclaimed(doc: Doc, start: int, end: int) -> bool:
    """True when doc[start:end] sits under a negated promise ("won't promise you'll double your
    sales") or is what an imperative "forget"/"ignore" dismisses ("Forget world-class"): the copy
    then neither promises nor boasts the theme, whatever the theme does with negation."""
    tok = _root(doc, start, end)
    for _ in range(4):
        if tok.head.i == tok.i:  # the root (spaCy makes a new Token per access: no `is`)
            break
        below, tok = tok, tok.head
        if tok.pos_ not in ("VERB", "AUX"):
            continue
        low = tok.lower_
        negs = any(c.dep_ == "neg" for c in tok.children)
        if low in _DISCLAIMING and (negs or (tok.dep_ == "xcomp" and any(
                c.dep_ == "neg" for c in tok.head.children))):  # "not going to promise"
            return True
        # "Forget world-class" dismisses its object; "Forget about chasing invoices" promises
        # relief from a chore, so only a direct object counts.
        if low in _DISMISSING and not negs and below.dep_ in ("dobj", "amod", "compound") \
                and not any(c.dep_ in ("nsubj", "aux") for c in tok.children):
            return True
    return False


# Themes whose mentions are the vendor praising itself (see negated).
SELF_PRAISE = frozenset({"vendor-credentials", "empty-praise"})


def negated(doc: Doc, start: int, end: int, phrase: bool = True, praise: bool = False) -> bool:
    """True for "no more stockouts", "never compete on price", "without hidden fees".

    ``phrase``: the span is a theme's own phrase, so a negator inside it belongs to the phrase
    ("no hidden fees" is price talk). A semantic match spans a whole clause: pass False.
    ``praise``: the mention is self-praise (SELF_PRAISE), which a modifier of the subject
    presupposes whatever the verb says ("Our world-class clinicians can't wait to meet you").
    """
    for k in range(max(0, start - 3), start):
        if doc[k].lower_ in _NEGATORS:
            return True
    root = _root(doc, start, end)
    # Praise that describes the subject ("Our world-class clinicians can't wait to meet you")
    # is not what the verb's "not" denies; a bare subject is ("Stockouts never happen"), and so
    # is anything a copula denies ("World-class results aren't what we promise").
    described_subject = praise and phrase and root.dep_ in ("nsubj", "nsubjpass") and any(
        start <= c.i < end and c.dep_ in ("amod", "compound", "nummod") for c in root.children) \
        and root.head.lemma_ != "be"
    tok = root
    # described praise: only the subject's own words count, not its verb's
    for level in range(1 if described_subject else 3):
        for child in tok.children:
            if phrase and start <= child.i < end:
                continue  # the negator is part of the theme's own phrase ("no hidden fees")
            if child.dep_ == "neg":
                return True
            # "no" as a determiner negates its own noun only: in "No long contracts and no
            # setup fee", the first "no" says nothing about the fee.
            if level == 0 and child.dep_ == "det" and child.lower_ in ("no", "zero"):
                return True
        # Climb towards the governing verb, but not across a coordination or into another
        # noun phrase that merely contains the mention.
        if tok.pos_ in ("VERB", "AUX") or tok.head.i == tok.i or tok.dep_ in ("conj", "appos"):
            break
        tok = tok.head
    return False

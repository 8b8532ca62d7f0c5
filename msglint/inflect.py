"""Surface forms of a lemma, so a cheap tokenizer-only pass can tell which sentences could match.

Theme patterns match on lemmas, which need the tagger. Running the tagger and parser on every
sentence is the main cost of a run, so analysis first looks for any *surface form* of a pattern
word and parses only the sentences that have one. Over-generating forms is harmless (a sentence is
parsed for nothing); missing one loses a match, so irregular forms are listed explicitly.
"""

from __future__ import annotations

import functools

_IRREGULAR: dict[str, tuple[str, ...]] = {
    "be": ("is", "are", "was", "were", "been", "being", "am", "'s", "'re"),
    "have": ("has", "had", "having", "'ve"),
    "do": ("does", "did", "done", "doing"),
    "go": ("goes", "went", "gone"),
    "good": ("better", "best"),
    "bad": ("worse", "worst"),
    "well": ("better", "best"),
    "keep": ("kept",), "spend": ("spent",), "grow": ("grew", "grown"), "run": ("ran",),
    "sell": ("sold",), "win": ("won",), "lose": ("lost",), "pay": ("paid",),
    "buy": ("bought",), "get": ("got", "gotten"), "give": ("gave", "given"),
    "take": ("took", "taken"), "make": ("made",), "know": ("knew", "known"),
    "feel": ("felt",), "bring": ("brought",), "leave": ("left",), "think": ("thought",),
    "find": ("found",), "build": ("built",), "hold": ("held",), "send": ("sent",),
    "rise": ("rose", "risen"), "fall": ("fell", "fallen"), "drive": ("drove", "driven"),
    "choose": ("chose", "chosen"), "see": ("saw", "seen"), "say": ("said",),
    "tell": ("told",), "meet": ("met",), "lead": ("led",), "fly": ("flew", "flown"),
    "stand": ("stood",), "understand": ("understood",), "steal": ("stole", "stolen"),
    "speak": ("spoke", "spoken"), "forget": ("forgot", "forgotten"), "sleep": ("slept",),
    "child": ("children",), "person": ("people",), "man": ("men",), "woman": ("women",),
    "lend": ("lent",), "deal": ("dealt",), "mean": ("meant",), "teach": ("taught",),
    "catch": ("caught",), "seek": ("sought",), "fight": ("fought",), "shrink": ("shrank", "shrunk"),
    "wear": ("wore", "worn"), "write": ("wrote", "written"), "break": ("broke", "broken"),
    "begin": ("began", "begun"), "come": ("came",), "become": ("became",), "hear": ("heard",),
    "sit": ("sat",), "feed": ("fed",), "pick": ("picked",), "free": ("freed", "freer", "freest"),
    "low": ("lower", "lowest"), "high": ("higher", "highest"), "big": ("bigger", "biggest"),
    "much": ("more", "most"), "many": ("more", "most"), "little": ("less", "least"),
    "leaf": ("leaves",), "half": ("halves",), "life": ("lives",), "shelf": ("shelves",),
    "draw": ("drew", "drawn"), "oversee": ("oversaw", "overseen"), "learn": ("learnt",),
    "spoil": ("spoilt",), "dream": ("dreamt",), "undertake": ("undertook", "undertaken"),
    "overcome": ("overcame",), "rebuild": ("rebuilt",), "withdraw": ("withdrew", "withdrawn"),
}

_VOWELS = set("aeiou")


@functools.lru_cache(maxsize=8192)
def surface_forms(lemma: str) -> frozenset[str]:
    """Plausible inflected forms of ``lemma`` (lowercase), including the lemma itself.

    Memoised: building the pre-filter and the lemma list asks for the same words 8,000 times.
    """
    w = lemma.lower()
    forms = {w, w + "s", w + "es", w + "ed", w + "d", w + "ing", w + "er", w + "est", w + "'s"}
    forms.update(_IRREGULAR.get(w, ()))
    if len(w) > 1 and w.endswith("y") and w[-2] not in _VOWELS:
        stem = w[:-1]
        forms.update({stem + "ies", stem + "ied", stem + "ier", stem + "iest"})
    if w.endswith("e"):
        forms.update({w[:-1] + "ing", w + "r", w + "st"})
    if w.endswith("ie"):
        forms.add(w[:-2] + "ying")
    # Consonant-vowel-consonant: stop -> stopped, stopping.
    if len(w) >= 3 and w[-1] not in _VOWELS | {"w", "x", "y"} and w[-2] in _VOWELS \
            and w[-3] not in _VOWELS:
        forms.update({w + w[-1] + "ed", w + w[-1] + "ing", w + w[-1] + "er", w + w[-1] + "est"})
    if w.endswith(("f", "fe")):
        forms.add(w.rstrip("e")[:-1] + "ves")
    if w.endswith("is"):
        forms.add(w[:-2] + "es")  # analysis -> analyses
    return frozenset(forms)

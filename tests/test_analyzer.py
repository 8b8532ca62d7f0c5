"""The Analyzer compiles a pattern's Matcher only when a sentence needs it, yet checks every
pattern up front: a broken one is reported whatever the text, with its theme and file."""

from __future__ import annotations

import pytest

from msglint.analysis import Analyzer
from msglint.catalogue import Theme
from msglint.errors import ConfigError
from msglint.inflect import surface_forms
from msglint.readers import read_bytes


def _theme(*patterns: tuple[dict[str, object], ...]) -> Theme:
    return Theme(id="probe", name="Probe", description="d", patterns=patterns,
                 origin="rules/themes/probe.yaml")


GOOD = ({"LEMMA": "stockout"},)
TEXT = b"We never run out. No stockouts, ever.\n\nThe weather is fine."


@pytest.mark.parametrize("bad", [
    ({"LEMMA": {"NOT_AN_OP": ["margin"]}},),  # an unknown operator
    ({"LEMA": "margin"},),  # a misspelt attribute
    ({"LOWER": "gross"}, {"LEMMA": "margin", "OP": "??!"}),  # a bad quantifier
])
def test_a_broken_pattern_is_reported_even_if_no_sentence_could_match_it(bad) -> None:  # type: ignore[no-untyped-def]
    analyzer = Analyzer([_theme(GOOD, bad)])
    source = read_bytes(TEXT, "a.md", "markdown")  # holds neither "gross" nor "margin"
    with pytest.raises(ConfigError) as exc:
        analyzer.analyze([source])
    assert exc.value.path == "rules/themes/probe.yaml"
    assert "invalid pattern in theme 'probe'" in exc.value.message


def test_only_the_patterns_a_sentence_needs_are_compiled() -> None:
    analyzer = Analyzer([_theme(GOOD, ({"LOWER": "gross"}, {"LEMMA": "margin"}))])
    (got,) = analyzer.analyze([read_bytes(TEXT, "a.md", "markdown")])
    assert [(m.theme, TEXT.decode()[m.start:m.end]) for m in got.mentions] == \
        [("probe", "stockouts")]
    assert analyzer._matchers is not None
    compiled = analyzer._matchers["probe"].patterns
    assert compiled[0] is not None and compiled[1] is None
    # A later text that needs the second pattern compiles and uses it.
    (more,) = analyzer.analyze([read_bytes(b"Our gross margins grew.", "b.md", "markdown")])
    assert [m.theme for m in more.mentions] == ["probe"]
    assert compiled[1] is not None


@pytest.mark.parametrize("bad", [
    ({"LEMMA": {"NOT_AN_OP": ["margin"]}},),
    ({"LEMA": "margin"},),
])
def test_a_broken_veto_is_reported_even_if_no_sentence_could_meet_it(bad) -> None:  # type: ignore[no-untyped-def]
    theme = Theme(id="probe", name="Probe", description="d", patterns=(GOOD,), unless=(bad,),
                  origin="rules/themes/probe.yaml")
    with pytest.raises(ConfigError) as exc:
        Analyzer([theme]).analyze([read_bytes(TEXT, "a.md", "markdown")])
    assert exc.value.path == "rules/themes/probe.yaml"
    assert "invalid pattern in theme 'probe'" in exc.value.message


def test_a_veto_runs_only_where_its_words_are() -> None:
    """Vetoes are tried only in a sentence with a mention that holds every word they need, and
    compiled the first time they are tried; where they match, the mention is gone."""
    theme = Theme(id="probe", name="Probe", description="d", patterns=(GOOD,),
                  unless=(({"LOWER": "no"}, {"LEMMA": "stockout"}),
                          ({"LOWER": "zero"}, {"LEMMA": "stockout"})),
                  origin="rules/themes/probe.yaml")
    analyzer = Analyzer([theme])
    (got,) = analyzer.analyze([read_bytes(b"Fewer stockouts, ever.", "a.md", "markdown")])
    assert [m.theme for m in got.mentions] == ["probe"]
    assert analyzer._matchers is not None
    vetoes = analyzer._matchers["probe"].vetoes
    assert vetoes == [None, None]  # neither "no" nor "zero" in the sentence: neither tried
    (got,) = analyzer.analyze([read_bytes(b"No stockouts, ever.", "b.md", "markdown")])
    assert got.mentions == []
    assert vetoes[0] is not None and vetoes[1] is None


# -- the words-only pre-check before the CNN (Analyzer._may_match) ------------------------------

@pytest.mark.parametrize("spec, relaxed", [
    ({"LOWER": "stock", "POS": "NOUN"}, {"LOWER": "stock"}),
    ({"LEMMA": "margin"}, {"LOWER": {"IN": sorted(surface_forms("margin"))}}),
    ({"LEMMA": {"IN": ["save", "cut"]}, "TAG": "VB"},
     {"LOWER": {"IN": sorted(surface_forms("save") | surface_forms("cut"))}}),
    ({"ORTH": "No.", "LEMMA": "no"}, {"ORTH": "No."}),  # a word test wins over the lemma
    ({"LEMMA": {"NOT_IN": ["be"]}, "POS": "VERB"}, {}),  # not a words test: any token
    ({"LIKE_NUM": True, "OP": "+"}, {"LIKE_NUM": True, "OP": "+"}),
    ({"POS": "ADJ", "OP": "*"}, {"OP": "*"}),
    ({"LOWER": "not", "OP": "!"}, {"LOWER": "not", "OP": "!"}),  # a negated words test stays
    ({"POS": "DET", "OP": "!"}, None),  # a negated tag test goes, or it would be stricter
    ({"LOWER": "no", "POS": "DET", "OP": "!"}, None),
    # msglint's own extension reads the words alone, so the pre-filter keeps it; the parser's
    # IS_SENT_START does not (it may differ before and after parsing)
    ({"_": {"opens_sentence": True}, "POS": "NOUN"}, {"_": {"opens_sentence": True}}),
    ({"IS_SENT_START": True, "LOWER": "free"}, {"LOWER": "free"}),
])
def test_words_only_keeps_word_tests_and_drops_the_rest(spec, relaxed) -> None:  # type: ignore[no-untyped-def]
    from msglint.analysis import _words_only

    got = _words_only(spec)
    if got is not None and "LOWER" in got and isinstance(got["LOWER"], dict):
        got = {**got, "LOWER": {"IN": sorted(set(got["LOWER"]["IN"]))}}
    if relaxed is not None and isinstance(relaxed.get("LOWER"), dict):
        relaxed = {**relaxed, "LOWER": {"IN": sorted(set(relaxed["LOWER"]["IN"]))}}
    assert got == relaxed


def test_every_pattern_match_in_the_catalogue_passes_its_words_only_check() -> None:
    """The pre-check may only drop sentences that cannot match: wherever a catalogue pattern
    matches one of its theme's own match examples after the full pipeline, its words-only
    version matches the same sentence, tokenized only."""
    from msglint import analysis
    from msglint.api import analyzer_for, get_profile, load_catalogue

    catalogue = load_catalogue()
    analyzer = analyzer_for(get_profile("smb-owner", catalogue), catalogue)
    matched: list[tuple[str, int, str]] = []
    real = analysis.Analyzer._pattern_matcher

    def spy(self, theme_id, n):  # type: ignore[no-untyped-def]
        matcher = real(self, theme_id, n)

        def call(doc, **kwargs):  # type: ignore[no-untyped-def]
            found = matcher(doc, **kwargs)
            if found:
                matched.append((theme_id, n, doc.text))
            return found
        return call

    texts = [ex for t in catalogue.themes.values() for ex in t.match_examples]
    analysis.Analyzer._pattern_matcher = spy  # type: ignore[method-assign]
    try:
        analyzer.analyze([read_bytes(t.encode(), f"ex{i}.txt", "text")
                          for i, t in enumerate(texts)])
    finally:
        analysis.Analyzer._pattern_matcher = real  # type: ignore[method-assign]
    assert len(matched) > 500
    for theme_id, n, text in matched:
        doc = analyzer.nlp.make_doc(text)
        assert analyzer._words_only_matcher(theme_id, n)(doc), (theme_id, n, text)


def test_sentences_that_cannot_match_skip_the_cnn_but_keep_their_voice() -> None:
    theme = _theme(({"LOWER": "gross"}, {"LEMMA": "margin"}))
    analyzer = Analyzer([theme])
    text = (b"Margins are gross here.\n\n"  # the words, in the wrong order: not parsed
            b"Check the gross margins.\n\n"  # opens with a possible verb: parsed anyway
            b"Our gross margins grew.")  # matches
    (got,) = analyzer.analyze([read_bytes(text, "a.md", "markdown")])
    assert [s.parsed for s in got.sentences] == [False, True, True]
    assert [m.sentence for m in got.mentions] == [1, 2]


@pytest.mark.parametrize(("text", "theme", "found"), [
    ("We promise you'll double your sales.", "more-revenue", True),
    ("We won't promise you'll double your sales.", "more-revenue", False),
    ("We're not going to promise you'll double your sales overnight.", "more-revenue", False),
    ("We can't guarantee you'll sell more, but we can help you try.", "more-revenue", False),
    ("Setup is effortless.", "ease-of-use", True),
    ("We won't pretend setup is effortless: it takes an afternoon.", "ease-of-use", False),
    ("Forget world-class; we just fix leaky taps properly.", "empty-praise", False),
    ("Forget about chasing unpaid invoices.", "less-day-to-day-involvement", True),
    ("A world-class team fixes your taps.", "empty-praise", True),
    # praise describing the subject is not what the verb's "not" denies (empty-praise drops
    # negated mentions); a copula still denies it, and other themes keep their negation
    ("Our world-class clinicians can't wait to welcome you.", "empty-praise", True),
    ("Our world-class chefs don't just cook, they create.", "empty-praise", True),
    ("World-class results aren't what we promise.", "empty-praise", False),
    ("Loyalty points don't matter here.", "customer-rewards", False),
])
def test_a_disclaimed_promise_is_no_mention(text: str, theme: str, found: bool) -> None:
    # Whatever a theme does with negation ("no more stockouts" keeps inventory-control), a
    # promise the copy refuses to make, or praise it dismisses, is not the theme.
    from msglint import api

    themes = {m.theme for m in api.lint_text(text, "smb-owner").themes}
    assert (theme in themes) is found


@pytest.mark.parametrize(("text", "found"), [
    ("Makers of oak doors for old houses.", True),
    ("• Makers of oak doors for old houses.", True),  # a bullet still opens the sentence
    ("We visit the makers of oak doors for old houses.", False),
])
def test_opens_sentence_is_the_first_word_after_bullets(text: str, found: bool) -> None:
    from msglint import api

    themes = {m.theme for m in api.lint_text(text, "smb-owner").themes}
    assert ("vendor-credentials" in themes) is found


# -- words the tokenizer splits ("award-winning" -> award, -, winning) ---------------------------

@pytest.mark.parametrize("pattern, text, found", [
    (({"LOWER": {"IN": ["award-winning", "trusted"]}}, {"LEMMA": "team"}),
     "An award-winning team of designers.", "award-winning team"),
    (({"LOWER": {"IN": ["award-winning", "trusted"]}}, {"LEMMA": "team"}),
     "A trusted team.", "trusted team"),
    (({"LOWER": "we're"}, {"LOWER": "open"}), "We're open late.", "We're open"),
    (({"LEMMA": "co-founder"},), "Both co-founders are nurses.", "co-founders"),
    (({"LOWER": "same-day", "POS": "ADJ"}, {"LEMMA": "delivery"}),
     "Same-day delivery on every order.", "Same-day delivery"),
    # a word with a quantifier is left as it is: its pieces could not keep the quantifier
    (({"LOWER": "award-winning", "OP": "?"}, {"LEMMA": "team"}), "An award-winning team.",
     "team"),
])
def test_a_word_the_tokenizer_splits_still_matches(pattern, text, found) -> None:  # type: ignore[no-untyped-def]
    (got,) = Analyzer([_theme(pattern)]).analyze([read_bytes(text.encode(), "a.md", "markdown")])
    assert [text[m.start:m.end] for m in got.mentions] == [found]


def test_a_split_word_in_a_veto_still_vetoes() -> None:
    theme = Theme(id="probe", name="Probe", description="d", patterns=(({"LEMMA": "award"},),),
                  unless=(({"LOWER": "award-winning"},),), origin="rules/themes/probe.yaml")
    (got,) = Analyzer([theme]).analyze([read_bytes(b"An award-winning bakery. Award entries close "
                                                   b"soon.", "a.md", "markdown")])
    assert [m.sentence for m in got.mentions] == [1]


@pytest.mark.parametrize(("text", "theme", "shown"), [
    # a pattern's trailing context word is not part of what the finding quotes
    ("Try it free for 30 days.", "price-discount", "Try it free"),
    # a subject left dangling after a trailing conjunction goes with it
    ("Keep more of what you earn, and you decide where it goes.", "take-home-pay",
     "more of what you earn"),
    # "%" takes its number
    ("Spring sale: 50% OFF everything.", "price-discount", "50% OFF"),
    # words inside the phrase stay
    ("We keep your stock levels right.", "inventory-control", "stock levels"),
    # session 11: a full stop or question mark a pattern takes as look-ahead
    ("Nordic Heat: the leading sauna maker. Call us.", "vendor-credentials",
     "leading sauna maker"),
    ("Is your copy ready? We drive business? Sure.", "more-revenue", "drive business"),
    # the copula (and its subject pronoun) that anchors "who we are" is not the credential
    ("Acme is the leading provider of payroll software.", "vendor-credentials",
     "the leading provider"),
    ("We are a small design agency.", "vendor-credentials", "a small design agency"),
    ("We're a small design agency.", "vendor-credentials", "a small design agency"),
    # a clitic the span keeps is shown with the word it leans on
    ("We're fast.", "time-savings", "We're fast"),
    # a possessive's dangling "'s" (the name before it is not part of the match)
    ("Acme is Finland\u2019s #1 for saunas.", "vendor-credentials", "#1"),
    # a relative pronoun or "so" a pattern took as look-ahead
    ("Hire K-12 Education Consultants That Listen.", "vendor-credentials",
     "Hire K-12 Education Consultants"),
    ("Our planners find ideal venues faster so you can relax.", "time-savings",
     "find ideal venues faster"),
    # a participle in a pattern's look-ahead slot ("... company providing")
    ("Specialist bakery company providing fresh bread daily.", "vendor-credentials",
     "Specialist bakery company"),
    # "over" before a number is the claim, not a preposition
    ("Over 20 years of experience.", "vendor-credentials", "Over 20 years of experience"),
    # a fixed phrase keeps its words; a participle that is the evidence stays
    ("We are proud to be local.", "vendor-credentials", "We are proud to be"),
    ("Acme is the longest serving bakery in town.", "vendor-credentials",
     "the longest serving bakery"),
])
def test_a_mention_is_shown_without_the_words_at_its_edges(text: str, theme: str,
                                                           shown: str) -> None:
    from msglint.api import lint_text

    quoted = [m.location.text for m in lint_text(text, "smb-owner").themes if m.theme == theme]
    assert shown in quoted, quoted


@pytest.mark.parametrize(("words", "shown"), [
    # a bracket or quote whose partner is in the span is not dangling: it stays
    ("(ISO 9001) approved", "(ISO 9001) approved"),
    ("< Acme > - Top Agency", "< Acme > - Top Agency"),
    ("( software development", "software development"),
    ("“ award-winning ”", "“ award-winning ”"),
    ("award-winning ”", "award-winning"),
    # a copula stays before a word that would go ("be in control"), goes before one that stays
    ("be in control", "be in control"),
    ("has been fixing boilers", "fixing boilers"),
    ("you are in control", "you are in control"),
    ("have control", "have control"),
    ("is n't watching", "is n't watching"),
    ("is fast", "is fast"),
    ("We 're open", "We 're open"),
    ("We 're open late", "open late"),
    # a look-ahead participle only goes where the pattern's last slot took it (not here)
    ("the longest serving", "the longest serving"),
])
def test_shown_edges_on_words(words: str, shown: str) -> None:
    import spacy

    from msglint.analysis import _shown

    doc = spacy.blank("en").make_doc(words)
    s, e = _shown(doc, 0, len(doc))
    assert doc[s:e].text == shown

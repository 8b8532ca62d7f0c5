"""The Analyzer compiles a pattern's Matcher only when a sentence needs it, yet checks every
pattern up front: a broken one is reported whatever the text, with its theme and file."""

from __future__ import annotations

import pytest

from msglint.analysis import Analyzer
from msglint.catalogue import Theme
from msglint.errors import ConfigError
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

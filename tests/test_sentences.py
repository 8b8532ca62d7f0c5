"""Sentence splitting: sentences never cross a block, and numbering abbreviations do not end one."""

from __future__ import annotations

import pytest

from msglint import api


@pytest.mark.parametrize(("text", "sentences"), [
    ("Acme is the No. 1 supplier of widgets. We deliver fast.",
     ["Acme is the No. 1 supplier of widgets.", "We deliver fast."]),
    ("Rated No. 1 in the region. Read Vol. 2 of our guide.",
     ["Rated No. 1 in the region.", "Read Vol. 2 of our guide."]),
    # a real sentence end before a number stays one: lowercase "no" is the word, not "No."
    ("We said no. 5 people came anyway.", ["We said no.", "5 people came anyway."]),
    # an abbreviation not followed by a number does not join anything
    ("Ask for No. It ends here.", ["Ask for No.", "It ends here."]),
])
def test_sentences(text: str, sentences: list[str]) -> None:
    result = api.lint_text(text, "smb-owner")
    assert [text[s.start:s.end] for s in result.sentences] == sentences

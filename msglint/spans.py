"""The words at the edges of a theme mention that findings do not quote.

A pattern may take function words as context ("Try it free for"); the span a finding quotes and
a report highlights leaves them out (analysis), and a baseline compares finding text without
them (baseline), so both read the same lists from here.
"""

from __future__ import annotations

# Function words a shown span neither ends on nor (except LEAD_KEEP) starts with.
EDGE_WORDS = frozenset({
    "for", "to", "of", "at", "in", "on", "with", "by", "from", "into", "over", "than", "as",
    "and", "or", "but", "nor", "the", "a", "an", "your", "our", "their", "its", "my",
})
# Punctuation at a span's edges, as characters (also single tokens).
EDGE_PUNCT = ",;:-\u2013\u2014(/&"
# Determiners and possessives may open a span ("the lowest price", "your margin").
LEAD_KEEP = frozenset({"a", "an", "the", "your", "our", "their", "its", "my"})
# A subject pronoun left dangling after a trailing conjunction ("you earn, and you").
SUBJECTS = frozenset({"you", "we", "they", "it", "i"})

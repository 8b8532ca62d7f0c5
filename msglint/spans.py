"""The words at the edges of a theme mention that findings do not quote.

A pattern may take words as context: function words ("Try it free for"), a look-ahead that
checks what follows ("the leading sauna maker." and its full stop, "... company providing"),
or the anchor that makes a phrase a self-description ("Acme is a design agency"). The span a
finding quotes and a report highlights leaves them out (analysis), and a baseline compares
finding text without them (baseline), so both read the same lists from here.

analysis trims with care (a look-ahead participle only where a pattern's last slot took it, a
copula only before a word that stays); baseline keys drop these words wherever they stand at an
edge, so a key is the same whichever version of a span a baseline was written from.
"""

from __future__ import annotations

# Function words a shown span neither ends on nor (except LEAD_KEEP) starts with.
EDGE_WORDS = frozenset({
    "for", "to", "of", "at", "in", "on", "with", "by", "from", "into", "over", "than", "as",
    "and", "or", "but", "nor", "the", "a", "an", "your", "our", "their", "its", "my",
})
# Punctuation at a span's edges, as characters (also single tokens): separators, sentence
# ends, quotes and angle brackets (session 11: ".!?" and the rest were shown when a pattern's
# look-ahead slot took them, "the leading sauna maker.").
EDGE_PUNCT = ",;:-\u2013\u2014(/&.!?\u2026<>\"\u201c\u201d"
# Brackets and quotes come off an edge only when their partner is not in the span: "(ISO 9001)"
# and "<Acme> - ..." keep theirs, "(software" loses its "(".
PAIRS = {"(": ")", "<": ">", "\u201c": "\u201d", '"': '"'}
# Characters that show nothing (a zero-width space glued to a word: "of\u200b").
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# Determiners and possessives may open a span ("the lowest price", "your margin").
LEAD_KEEP = frozenset({"a", "an", "the", "your", "our", "their", "its", "my"})
# A subject pronoun left dangling after a trailing conjunction ("you earn, and you").
SUBJECTS = frozenset({"you", "we", "they", "it", "i"})
# Words a span does not end on: a relative pronoun or "so" that a pattern took to see what
# follows ("K-12 consultants that", "finds staff faster so").
TRAIL_WORDS = frozenset({"that", "which", "who", "whom", "whose", "so", "because"})
# Participles a pattern's last (look-ahead) slot takes after a kind of company ("a design
# agency specialising", "a bakery company providing"): not shown when that slot took them.
TRAIL_ANCHORS = frozenset({
    "providing", "offering", "delivering", "serving", "specializing", "specialising",
    "specialized", "specialised", "based", "located", "dedicated", "focused",
})
# A copula that opens a span ("is a design agency", "'s fast"), with a subject pronoun before
# it ("We are a ..."; not "you": the reader is the point) or as the possessive's dangling "'s"
# ("Finland's #1" matched from "'s"): not shown before a word that stays ("is a", "are based";
# "be in control" keeps its "be", "is not" its "is"). A form of "have" goes only before "been"
# ("has been fixing boilers"): elsewhere it is the verb of the claim ("have control").
LEAD_COPULAS = frozenset({
    "is", "are", "'re", "\u2019re", "am", "'m", "\u2019m", "was", "were", "be", "been", "being",
    "'s", "\u2019s",
})
LEAD_HAVE = frozenset({"has", "have", "had", "'ve", "\u2019ve"})
NEGATIONS = frozenset({"not", "n't", "n\u2019t", "never", "no"})
LEAD_SUBJECTS = SUBJECTS - {"you"}
# Quantifiers that are part of a number's claim ("over 4,000 clients"), though "over" is also
# a function word: shown before a number.
NUMBER_LEADS = frozenset({"over"})

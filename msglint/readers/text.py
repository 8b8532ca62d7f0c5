"""Plain text: blank lines separate paragraphs; everything else is copy except bare URLs and
e-mail addresses. A line break inside a paragraph reads as a space.
"""

from __future__ import annotations

import re

from msglint.readers.common import Emitter, finish_source
from msglint.source import Source

# One or more blank lines (lines holding only spaces/tabs) between paragraphs. Anchored on a
# newline so a failed attempt costs at most one scan of the whitespace that follows it.
_BLANK = re.compile(r"\n(?:[ \t\f\v\r]*\n)+")


def read(original: str, display: str) -> Source:
    em = Emitter(original)
    pos = 0
    for m in _BLANK.finditer(original):
        em.literal(pos, m.start())
        em.end_block("paragraph")
        pos = m.end()
    em.literal(pos, len(original))
    return finish_source(display, "text", original, em)

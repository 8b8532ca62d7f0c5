"""Plain text: blank lines separate paragraphs; every character is copy."""

from __future__ import annotations

import re

from msglint.source import Source, TextBuilder

_PARA = re.compile(r"\S(?:.*?\S)??(?=\s*\n\s*\n|\s*\Z)", re.S)


def read(original: str, display: str) -> Source:
    b = TextBuilder()
    for m in _PARA.finditer(original):
        start = b.length
        b.add(m.group(), m.start())
        b.end_block(start, "paragraph")
    return Source.from_builder(display, "text", original, b)

"""What a reader hands to analysis: the copy as plain text plus a map back to the original file.

Readers strip markup, code and URLs; checks only ever see ``Source.text``. Every character of that
text remembers which characters of the original file it came from, so a finding can point at the
exact original range (CONTRACT.md section 2) even when an entity such as ``&amp;`` or a Markdown
``*emphasis*`` sits in between.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

from msglint.models import Location

BlockKind = Literal[
    "heading", "paragraph", "list_item", "table_cell", "blockquote", "alt", "field", "title", "text"
]
DirectiveAction = Literal["disable-next-line", "disable", "enable", "disable-file"]


@dataclass(frozen=True, slots=True)
class Block:
    """A unit of copy no sentence crosses: a heading, paragraph, list item, cell or field."""

    start: int  # offsets into Source.text
    end: int
    kind: BlockKind = "paragraph"
    field: str | None = None  # campaign assets: dotted field path, e.g. "email.subject"
    role: str | None = None  # campaign assets: subject, headline, preheader, cta, body
    quoted: bool = False  # a block quote or testimonial: someone else's words


@dataclass(frozen=True, slots=True)
class Directive:
    """An inline ``msglint-disable...`` comment; ``ids`` empty means every rule."""

    action: DirectiveAction
    ids: tuple[str, ...]
    location: Location  # where the comment itself sits in the original file
    # disable-next-line: the first line after the comment that holds copy (set by the reader);
    # None means "the line after the comment".
    target_line: int | None = None


class OffsetMap:
    """Maps offsets in extracted text to offsets in the original text.

    Stored as runs rather than one integer per character so a 50 MB file stays cheap. A run is
    either *identity* (text and original have the same length: char i maps to orig + i) or
    *atomic* (e.g. ``&amp;`` -> ``&``: every text char of the run maps to the whole original
    range, so a span touching it reports the full entity).
    """

    __slots__ = ("_text_starts", "_runs")

    def __init__(self) -> None:
        self._text_starts: list[int] = []
        # (text_start, text_len, orig_start, orig_len)
        self._runs: list[tuple[int, int, int, int]] = []

    def add(self, text_start: int, text_len: int, orig_start: int, orig_len: int) -> None:
        if text_len <= 0:
            return
        if self._runs:
            ts, tl, os_, ol = self._runs[-1]
            # Merge adjacent identity runs so plain text stays one run.
            if (tl == ol and text_len == orig_len and ts + tl == text_start
                    and os_ + ol == orig_start):
                self._runs[-1] = (ts, tl + text_len, os_, ol + orig_len)
                return
        self._text_starts.append(text_start)
        self._runs.append((text_start, text_len, orig_start, orig_len))

    def runs(self) -> list[tuple[int, int, int, int]]:
        """The runs as ``(text_start, text_len, orig_start, orig_len)``, in text order."""
        return list(self._runs)

    def _run_for(self, offset: int) -> tuple[int, int, int, int] | None:
        i = bisect.bisect_right(self._text_starts, offset) - 1
        if i < 0:
            return None
        run = self._runs[i]
        if offset < run[0] + run[1]:
            return run
        return None

    def start_of(self, offset: int) -> int:
        """Original offset where text char ``offset`` begins."""
        run = self._run_for(offset)
        if run is None:
            # A synthetic separator: map to the end of the previous run.
            i = bisect.bisect_right(self._text_starts, offset) - 1
            if i < 0:
                return self._runs[0][2] if self._runs else 0
            ts, tl, os_, ol = self._runs[i]
            return os_ + ol
        ts, tl, os_, ol = run
        return os_ + (offset - ts) if tl == ol else os_

    def end_of(self, offset: int) -> int:
        """Original offset just past text char ``offset``."""
        run = self._run_for(offset)
        if run is None:
            return self.start_of(offset)
        ts, tl, os_, ol = run
        return os_ + (offset - ts) + 1 if tl == ol else os_ + ol


class TextBuilder:
    """Helps a reader assemble ``Source.text`` while recording where each piece came from."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.offsets = OffsetMap()
        self.blocks: list[Block] = []

    def add(self, piece: str, orig_start: int, orig_end: int | None = None) -> None:
        """Append ``piece`` taken from ``original[orig_start:orig_end]``.

        When the original range has the piece's length, the mapping is char by char; otherwise
        (an entity, an escape) the whole piece maps to the whole original range.
        """
        if not piece:
            return
        if orig_end is None:
            orig_end = orig_start + len(piece)
        self.offsets.add(self.length, len(piece), orig_start, orig_end - orig_start)
        self.parts.append(piece)
        self.length += len(piece)

    def add_synthetic(self, piece: str) -> None:
        """Append text that is not in the original (a separator between blocks)."""
        self.parts.append(piece)
        self.length += len(piece)

    def end_block(self, start: int, kind: BlockKind = "paragraph", **kw: object) -> None:
        """Close a block that began at text offset ``start``, then separate it from the next."""
        if self.length > start:
            self.blocks.append(Block(start, self.length, kind, **kw))  # type: ignore[arg-type]
            self.add_synthetic("\n\n")

    def text(self) -> str:
        return "".join(self.parts)


def line_starts(text: str) -> list[int]:
    """Offsets at which each line of ``text`` begins (the first is 0)."""
    starts = [0]
    find = text.find
    i = find("\n")
    while i != -1:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


class LineIndex:
    """Original offset -> 1-based (line, column) in code points. ``\\r\\n`` counts as one break."""

    __slots__ = ("_starts",)

    def __init__(self, original: str) -> None:
        self._starts = line_starts(original)

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


@dataclass(slots=True)
class Source:
    """One file's copy, ready for analysis."""

    path: str
    format: str
    original: str
    text: str
    blocks: list[Block]
    offsets: OffsetMap
    directives: list[Directive] = field(default_factory=list)
    _lines: LineIndex | None = None

    @classmethod
    def from_builder(
        cls, path: str, fmt: str, original: str, builder: TextBuilder,
        directives: list[Directive] | None = None,
    ) -> Source:
        text = builder.text()
        return cls(path, fmt, original, text, builder.blocks, builder.offsets, directives or [])

    def original_range(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering text [start, end)."""
        if end <= start:
            o = self.offsets.start_of(start)
            return o, o
        return self.offsets.start_of(start), self.offsets.end_of(end - 1)

    def position(self, original_offset: int) -> tuple[int, int]:
        if self._lines is None:
            self._lines = LineIndex(self.original)
        return self._lines.position(original_offset)

    def locate(self, start: int, end: int) -> Location:
        """The original-file Location of text [start, end)."""
        ostart, oend = self.original_range(start, end)
        line, col = self.position(ostart)
        end_line, end_col = self.position(oend)
        return Location(line, col, end_line, end_col, self.original[ostart:oend])

    def locate_original(self, ostart: int, oend: int) -> Location:
        line, col = self.position(ostart)
        end_line, end_col = self.position(oend)
        return Location(line, col, end_line, end_col, self.original[ostart:oend])

"""Helpers every reader shares: emitting copy with whitespace normalised, skipping URLs, parsing
``msglint-disable`` directives, and finishing a :class:`~msglint.source.Source`.

Whitespace: a person reads ``inventory\\n   control`` as two words with one space between them,
and so must the matcher, so every run of whitespace inside a block becomes one space that maps
back to the whole original run (a single whitespace character maps to itself). Whitespace at the
start and end of a block is dropped.

URLs and e-mail addresses inside running text are not copy: nobody reads
``https://example.com/lowest-price`` as a promise of the lowest price.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from msglint.models import Location
from msglint.source import BlockKind, Directive, LineIndex, Source, TextBuilder

# A URL or an e-mail address inside running text. The e-mail branch only starts at the beginning
# of a word (lookbehind) so scanning stays linear on long runs of letters.
URL_RE = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.|\bmailto:)[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]}]"
    r"|(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)
# What breaks a literal piece: a URL, or a run of two or more whitespace characters.
_BREAK_RE = re.compile(URL_RE.pattern + r"|\s{2,}")
# An emitter operation: ("lit", start, end) | ("atom", text, start, end) | ("ws", start, end)
# | ("open", start) | ("close", end).
Op = tuple[Any, ...]
_WS_TO_SPACE = {c: " " for c in range(0x3100) if chr(c).isspace() and c != 0x20}

# <!-- msglint-disable-next-line a, b -- optional reason -->, also after '#' in YAML.
DIRECTIVE_RE = re.compile(
    r"msglint-(disable-next-line|disable-file|disable|enable)(?![\w-])([^\n]*)"
)
_ID_SPLIT = re.compile(r"[\s,]+")


def parse_directive_body(body: str) -> tuple[str, tuple[str, ...]] | None:
    """``' msglint-disable a, b -- why '`` -> ``('disable', ('a', 'b'))``; None if not one."""
    m = DIRECTIVE_RE.match(body.strip())
    if m is None:
        return None
    rest = m.group(2)
    if " -- " in rest + " ":
        rest = (rest + " ").split(" -- ", 1)[0]
    rest = rest.replace("-->", " ")
    ids = tuple(i for i in _ID_SPLIT.split(rest.strip()) if i)
    return m.group(1), ids


class Emitter:
    """Builds ``Source.text`` block by block from pieces of the original.

    Pieces are literal ranges of the original (``literal``), decoded atoms such as entities
    (``atom``) and whitespace (``space``). Whitespace is held back until the next visible
    character so runs collapse to one space and blocks never start or end with one.

    Inline markup that wraps words (``*emphasis*``, ``<b>...</b>``) is reported with
    ``mark_open``/``mark_close``: the first character after an opener and the last character
    before a closer then map to the markup as well, so a mention of ``inventory control`` in
    ``inventory *control*`` points at the balanced original ``inventory *control*``.
    """

    def __init__(self, original: str) -> None:
        self.original = original
        self.builder = TextBuilder()
        self.block_start = 0
        self._ws: tuple[int, int] | None = None
        self._open: int | None = None  # an opener right before the next visible character
        self._held: tuple[str, int, int] | None = None  # last visible piece, not yet added
        self._deferred: list[tuple[list[Op], BlockKind, dict[str, object]]] = []

    # -- pieces -------------------------------------------------------------------------------
    def space(self, ostart: int, oend: int) -> None:
        """Whitespace (or something that reads as whitespace) at original[ostart:oend]."""
        self._open = None
        if self._ws is None:
            self._ws = (ostart, oend)
        else:
            self._ws = (self._ws[0], max(self._ws[1], oend))

    def mark_open(self, ostart: int) -> None:
        """Inline markup opens at original[ostart] (``*``, ``<em>``)."""
        if self._open is None:
            self._open = ostart

    def mark_close(self, oend: int) -> None:
        """Inline markup that closes right after the last visible piece ends at ``oend``."""
        if self._held is not None and self._ws is None:
            text, s, e = self._held
            self._held = (text, s, max(e, oend))

    def _flush_held(self) -> None:
        if self._held is not None:
            text, s, e = self._held
            self._held = None
            self.builder.add(text, s, e)

    def _visible(self, text: str, ostart: int, oend: int) -> None:
        """Add visible ``text`` from original[ostart:oend] (char by char if same length)."""
        self._flush_held()
        ws = self._ws
        if ws is not None:
            self._ws = None
            if self.builder.length > self.block_start:
                self.builder.add(" ", ws[0], ws[1])
        identity = len(text) == oend - ostart
        if self._open is not None:
            o = self._open
            self._open = None
            if o < ostart:
                if identity and len(text) > 1:
                    self.builder.add(text[0], o, ostart + 1)
                    text, ostart = text[1:], ostart + 1
                else:
                    ostart, identity = o, False
        if identity and len(text) > 1:
            self.builder.add(text[:-1], ostart, oend - 1)
            self._held = (text[-1], oend - 1, oend)
        else:
            self._held = (text, ostart, oend)

    def atom(self, text: str, ostart: int, oend: int) -> None:
        """``text`` decoded from original[ostart:oend] (an entity, an escape): maps as a whole."""
        if not text:
            return
        if text.isspace():
            self.space(ostart, oend)
            return
        self._visible(text, ostart, oend)

    def literal(self, ostart: int, oend: int, urls: bool = True) -> None:
        """original[ostart:oend] is copy as it stands (whitespace normalised, URLs skipped)."""
        if oend <= ostart:
            return
        original = self.original
        pos = ostart
        pattern = _BREAK_RE if urls else _MULTI_WS
        for m in pattern.finditer(original, ostart, oend):
            if m.start() > pos:
                self._plain(pos, m.start())
            if original[m.start()].isspace():
                self.space(m.start(), m.end())
            else:
                self._open = None  # a skipped URL: nothing to balance
            pos = m.end()
        if pos < oend:
            self._plain(pos, oend)

    def _plain(self, ostart: int, oend: int) -> None:
        """A piece whose whitespace runs are at most one character long."""
        original = self.original
        if original[ostart].isspace():
            self.space(ostart, ostart + 1)
            ostart += 1
            if ostart >= oend:
                return
        trail = original[oend - 1].isspace()
        if trail:
            oend -= 1
            if oend <= ostart:
                self.space(oend, oend + 1)
                return
        piece = original[ostart:oend]
        self._visible(piece.translate(_WS_TO_SPACE), ostart, oend)
        if trail:
            self.space(oend, oend + 1)

    # -- blocks -------------------------------------------------------------------------------
    @property
    def empty(self) -> bool:
        return self.builder.length <= self.block_start and self._held is None

    def _close(self, kind: BlockKind, kw: dict[str, object]) -> None:
        self._flush_held()
        self._ws = None
        self._open = None
        self.builder.end_block(self.block_start, kind, **kw)
        self.block_start = self.builder.length

    def end_block(self, kind: BlockKind = "paragraph", **kw: object) -> None:
        self._close(kind, kw)
        if self._deferred:
            deferred, self._deferred = self._deferred, []
            for ops, dkind, dkw in deferred:
                self.replay(ops)
                self._close(dkind, dkw)

    def defer(self, ops: list[Op], kind: BlockKind, **kw: object) -> None:
        """A block (alt text) to emit right after the block being built ends."""
        self._deferred.append((ops, kind, kw))

    def replay(self, ops: Iterable[Op]) -> None:
        for op in ops:
            tag = op[0]
            if tag == "lit":
                self.literal(op[1], op[2])
            elif tag == "atom":
                self.atom(op[1], op[2], op[3])
            elif tag == "ws":
                self.space(op[1], op[2])
            elif tag == "open":
                self.mark_open(op[1])
            elif tag == "close":
                self.mark_close(op[1])

    def finish(self) -> None:
        self.end_block()


_MULTI_WS = re.compile(r"\s{2,}")


class Recorder:
    """Collects emitter operations to replay later (image alt text)."""

    def __init__(self) -> None:
        self.ops: list[Op] = []

    def literal(self, ostart: int, oend: int) -> None:
        if oend > ostart:
            self.ops.append(("lit", ostart, oend))

    def atom(self, text: str, ostart: int, oend: int) -> None:
        self.ops.append(("atom", text, ostart, oend))

    def space(self, ostart: int, oend: int) -> None:
        self.ops.append(("ws", ostart, oend))

    def mark_open(self, ostart: int) -> None:
        self.ops.append(("open", ostart))

    def mark_close(self, oend: int) -> None:
        self.ops.append(("close", oend))

    @property
    def visible(self) -> bool:
        return any(op[0] in ("lit", "atom") for op in self.ops)


def make_directive(body: str, ostart: int, oend: int, lines: LineIndex,
                   original: str) -> Directive | None:
    """A Directive for a comment whose text is ``body`` and which spans original[ostart:oend]."""
    parsed = parse_directive_body(body)
    if parsed is None:
        return None
    action, ids = parsed
    line, col = lines.position(ostart)
    end_line, end_col = lines.position(oend)
    loc = Location(line, col, end_line, end_col, original[ostart:oend])
    return Directive(action, ids, loc)  # type: ignore[arg-type]


def finish_source(path: str, fmt: str, original: str, emitter: Emitter,
                  directives: list[Directive] | None = None,
                  lines: LineIndex | None = None) -> Source:
    """Close the last block, resolve each disable-next-line target, build the Source."""
    emitter.finish()
    src = Source.from_builder(path, fmt, original, emitter.builder, directives or [])
    if lines is not None:
        src._lines = lines
    if src.directives:
        src.directives = resolve_targets(src, src.directives)
    return src


def copy_lines(src: Source) -> list[int]:
    """Sorted original line numbers that hold at least one character of copy."""
    found: set[int] = set()
    for _ts, _tl, os_, ol in src.offsets.runs():
        if ol <= 0:
            continue
        first = src.position(os_)[0]
        last = src.position(os_ + ol - 1)[0]
        found.update(range(first, last + 1))
    return sorted(found)


def resolve_targets(src: Source, directives: list[Directive]) -> list[Directive]:
    """Set ``target_line`` of each disable-next-line to the next line holding copy."""
    if not any(d.action == "disable-next-line" for d in directives):
        return directives
    lines = copy_lines(src)
    out = []
    for d in directives:
        if d.action == "disable-next-line":
            i = bisect.bisect_right(lines, d.location.end_line)
            target = lines[i] if i < len(lines) else d.location.end_line + 1
            d = replace(d, target_line=target)
        out.append(d)
    return out


def line_starts(original: str) -> list[int]:
    """Offsets where each line starts, splitting like CommonMark: ``\\r\\n``, ``\\r`` or ``\\n``."""
    starts = [0]
    for m in _NEWLINE.finditer(original):
        starts.append(m.end())
    return starts


_NEWLINE = re.compile(r"\r\n?|\n")

"""HTML: the text a visitor sees, and the ``alt`` text of images.

Not copy: markup, attributes (except ``alt`` of ``<img>``, ``<area>`` and ``<input
type=image>``), comments, ``<script>``, ``<style>``, ``<template>``, ``<noscript>``, ``<svg>``,
``<math>``, ``<iframe>``, ``<object>``, ``<canvas>``, elements with a ``hidden`` attribute, and
``<head>`` except its ``<title>``. Block-level elements (``p``, ``h1``-``h6``, ``li``, ``td``,
``div``, ``section``, ...) end a block; inline ones (``b``, ``em``, ``a``, ``span``) do not. One
``<br>`` reads as a space, two in a row end the block (e-mail HTML uses them as paragraphs).

Uses the standard library's tolerant ``html.parser`` with character references left unconverted,
so every entity (``&amp;``, ``&#8217;``, ``&nbsp;``) maps back to its exact original range.
"""

from __future__ import annotations

import codecs
import html as html_lib
import re
from collections import Counter
from html.parser import HTMLParser
from typing import Any

from msglint.errors import ReadError
from msglint.readers.common import Emitter, Recorder, finish_source, make_directive
from msglint.readers.decode import decode_bytes, looks_binary
from msglint.source import BlockKind, Directive, LineIndex, Source, line_starts

BLOCK_TAGS = frozenset("""
address article aside blockquote body caption center dd details dialog dir div dl dt fieldset
figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main
menu nav ol p pre section summary table tbody td tfoot th thead title tr ul option optgroup
""".split())
SKIP_TAGS = frozenset(
    "script style template noscript svg math iframe object canvas head".split())
VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split())
FORMAT_TAGS = frozenset("b strong i em u s mark small sub sup del ins cite q".split())
# Tags that may sit in <head> without closing it implicitly.
HEAD_TAGS = frozenset("title meta link style script noscript base template".split())
KIND_OF: dict[str, BlockKind] = {
    **{f"h{i}": "heading" for i in range(1, 7)},
    "li": "list_item", "dt": "list_item", "dd": "list_item",
    "td": "table_cell", "th": "table_cell",
    "title": "title",
    "blockquote": "blockquote",
}

ENTITY_RE = re.compile(r"&(?:#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z][-.a-zA-Z0-9]*);?")
_ATTR_RE = re.compile(
    r"""(?<=[\s"'/])([^\s/>"'=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_COMMENT_END = re.compile(r"--\s*!?>")
_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii",
                 "windows-1252", "cp1252", "iso_8859-1"}


def decode_html(data: bytes, display: str) -> str:
    """Decode HTML bytes: a BOM wins, then ``<meta charset>`` in the first 4 KiB, else UTF-8."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_bytes(data, display)
    m = _META_CHARSET.search(data[:4096])
    if m is None:
        return decode_bytes(data, display)
    label = m.group(1).decode("ascii", "replace").lower()
    if label in _WINDOWS_1252:
        codec = "cp1252"  # what browsers do for these labels (WHATWG Encoding)
    else:
        try:
            codec = codecs.lookup(label).name
        except LookupError:
            return decode_bytes(data, display)
    if codec in ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        return decode_bytes(data, display)  # a UTF-16 label without a BOM cannot be right
    if looks_binary(data):
        raise ReadError("looks like a binary file, not text; exclude it or name a text file",
                        display)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        if codec == "cp1252":
            return data.decode("latin-1")
        raise ReadError(f"invalid {label} at byte {exc.start} (the page declares "
                        f"charset={label}); fix the declaration or re-save as UTF-8",
                        display) from None


class HTMLExtractor(HTMLParser):
    """Feeds original[start:end] through html.parser into an Emitter."""

    def __init__(self, original: str, emitter: Emitter, directives: list[Directive],
                 lines: LineIndex) -> None:
        super().__init__(convert_charrefs=False)
        self.original = original
        self.em = emitter
        self.directives = directives
        self.lines = lines
        self.base = 0
        self._starts: list[int] = [0]
        self.skip: list[list[Any]] = []  # [tag, depth] of elements whose content is not copy
        self.in_title = False
        self.stack: list[str] = []  # open block elements
        self.kinds: list[BlockKind] = []  # effective block kind at each stack level
        self.open: Counter[str] = Counter()
        self.brs = 0
        self.formatting: list[str] = []  # open bare formatting tags (<b>, <em>, ...)

    def run(self, start: int, end: int) -> None:
        text = self.original[start:end]
        self.base = start
        self._starts = line_starts(text)
        self.feed(text)
        self.close()
        self.boundary()

    # -- helpers ------------------------------------------------------------------------------
    def _pos(self) -> int:
        line, col = self.getpos()
        return self.base + self._starts[line - 1] + col

    def skipping(self) -> bool:
        if not self.skip:
            return False
        return not (len(self.skip) == 1 and self.skip[0][0] == "head" and self.in_title)

    def kind(self) -> BlockKind:
        return self.kinds[-1] if self.kinds else "paragraph"

    def boundary(self) -> None:
        self.brs = 0
        if not self.em.empty or self.em._deferred:
            self.em.end_block(self.kind(), quoted=self.open["blockquote"] > 0)

    def _push(self, tag: str) -> None:
        self.stack.append(tag)
        self.kinds.append(KIND_OF.get(tag) or self.kind())
        self.open[tag] += 1

    def _pop_to(self, tag: str) -> None:
        if self.open[tag] <= 0:
            return
        while self.stack:
            t = self.stack.pop()
            self.kinds.pop()
            self.open[t] -= 1
            if t == tag:
                break

    # -- parser callbacks ---------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._pos()
        raw = self.get_starttag_text() or ""
        if self.skip:
            top = self.skip[-1]
            if top[0] == "head" and (tag == "body" or tag not in HEAD_TAGS):
                self.skip.pop()  # <head> ends implicitly at the first body element
            elif top[0] == tag and tag not in VOID_TAGS:
                top[1] += 1
                return
            elif top[0] != "head":
                return
        hidden = any(k == "hidden" for k, _ in attrs)
        if tag in SKIP_TAGS or (hidden and tag not in VOID_TAGS):
            self.boundary()
            self.skip.append([tag, 1])
            return
        if tag == "title" and not hidden:
            self.in_title = True
        if hidden or self.skipping():
            return
        if tag == "br":
            if self.brs >= 1:
                self.boundary()
            else:
                self.em.space(start, start + len(raw))
            self.brs += 1
            return
        if tag in ("img", "area") or (
                tag == "input" and any(k == "type" and (v or "").lower() == "image"
                                       for k, v in attrs)):
            self._alt(start, raw)
            return
        if tag in BLOCK_TAGS:
            self.boundary()
            if tag not in VOID_TAGS:
                self._push(tag)
        elif tag in FORMAT_TAGS and raw.lower() == f"<{tag}>":
            # <b>lowest</b> <i>price</i>: a mention maps to the balanced original. Only for
            # bare formatting tags, so a mention never drags in <a href="..."> and its URL.
            self.em.mark_open(start)
            self.formatting.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            top = self.skip[-1]
            if tag == top[0]:
                top[1] -= 1
                if top[1] == 0:
                    self.skip.pop()
                return
            if top[0] != "head" or tag != "title":
                return
        if tag == "title":
            self.in_title = False
        if tag in BLOCK_TAGS:
            self.boundary()
            self._pop_to(tag)
        elif self.formatting and tag == self.formatting[-1]:
            self.formatting.pop()
            start = self._pos()
            end = self.original.find(">", start)
            if end >= 0:
                self.em.mark_close(end + 1)

    def handle_data(self, data: str) -> None:
        if self.skipping() or not data:
            return
        start = self._pos()
        if data.startswith("<!--") and self.original.find("-->", start) < 0:
            # An unclosed comment: browsers hide everything after it, and so do we.
            self.skip.append(["#comment", 1])
            return
        if not data.isspace():
            self.brs = 0
        self.em.literal(start, start + len(data))

    def _ref(self) -> None:
        start = self._pos()
        m = ENTITY_RE.match(self.original, start)
        if m is None or self.skipping():
            return
        raw = m.group()
        decoded = html_lib.unescape(raw)
        self.brs = 0
        if decoded == raw:
            self.em.literal(start, m.end())
        else:
            self.em.atom(decoded, start, m.end())

    def handle_entityref(self, name: str) -> None:
        self._ref()

    def handle_charref(self, name: str) -> None:
        self._ref()

    def handle_comment(self, data: str) -> None:
        start = self._pos()
        end = start + 4 + len(data)
        m = _COMMENT_END.match(self.original, end)
        if m is not None:
            end = m.end()
        end = min(end, len(self.original))
        d = make_directive(data, start, end, self.lines, self.original)
        if d is not None:
            self.directives.append(d)

    def _alt(self, tag_start: int, raw: str) -> None:
        for m in _ATTR_RE.finditer(raw):
            if m.group(1).lower() != "alt":
                continue
            value = m.group(2)
            if not value:
                return
            vstart = tag_start + m.start(2)
            vend = tag_start + m.end(2)
            if value[0] in "\"'":
                vstart += 1
                vend -= 1
            rec = Recorder()
            decode_into(self.original, vstart, vend, rec)
            if rec.visible:
                self.em.defer(rec.ops, "alt", quoted=self.open["blockquote"] > 0)
            return


def decode_into(original: str, start: int, end: int, sink: Emitter | Recorder) -> None:
    """Send original[start:end] (text with character references) to ``sink``."""
    pos = start
    for m in ENTITY_RE.finditer(original, start, end):
        raw = m.group()
        decoded = html_lib.unescape(raw)
        if decoded == raw:
            continue
        sink.literal(pos, m.start())
        sink.atom(decoded, m.start(), m.end())
        pos = m.end()
    sink.literal(pos, end)


def read(original: str, display: str) -> Source:
    em = Emitter(original)
    directives: list[Directive] = []
    lines = LineIndex(original)
    HTMLExtractor(original, em, directives, lines).run(0, len(original))
    return finish_source(display, "html", original, em, directives, lines)

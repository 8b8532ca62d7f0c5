"""Markdown (CommonMark + GFM tables and strikethrough) via markdown-it-py.

Copy: headings, paragraphs, list items, table cells (each its own block), block quotes
(``quoted=True``), emphasis, link text, image alt text (its own ``alt`` block) and the visible
text of raw HTML blocks. Not copy: YAML/TOML front matter, fenced and indented code, inline code,
link destinations and titles, autolinks, bare URLs, reference definitions, HTML comments and tags.

Positions. markdown-it gives each block a line range (``token.map``) and each inline run its
content, but no columns. We place every content line back on its source line (it is that line
minus the container prefix such as ``> `` or ``- ``), which gives a content -> original map, then
walk the inline tokens in order with a cursor through the content: text tokens are literal
substrings of it, and the markup in between (``*``, ``[``, ``](url)``, code spans) is skipped
explicitly. Entities and backslash escapes come as ``text_special`` tokens (``text_join`` is
disabled) that carry their original markup, so they map back as atomic runs.
"""

from __future__ import annotations

import bisect
import re
from typing import Protocol

from markdown_it import MarkdownIt
from markdown_it.token import Token

from msglint.readers.common import Emitter, Recorder, finish_source, make_directive
from msglint.readers.html import HTMLExtractor
from msglint.source import BlockKind, Directive, LineIndex, Source

_MD: MarkdownIt | None = None
_NEWLINE = re.compile(r"\r\n?|\n")
_COMMENT = re.compile(r"<!--(.*?)(?:-->|\Z)", re.S)
_MD_WS = " \t\n\r\f\v"


def _parser() -> MarkdownIt:
    global _MD
    if _MD is None:
        _MD = (MarkdownIt("commonmark")
               .enable(["table", "strikethrough"])
               .disable("text_join"))
    return _MD


class _Sink(Protocol):
    def literal(self, ostart: int, oend: int) -> None: ...
    def atom(self, text: str, ostart: int, oend: int) -> None: ...
    def space(self, ostart: int, oend: int) -> None: ...
    def mark_open(self, ostart: int) -> None: ...
    def mark_close(self, oend: int) -> None: ...


class _Lines:
    """The original split into lines the way markdown-it splits them."""

    def __init__(self, original: str) -> None:
        self.original = original
        starts = [0]
        ends = []
        for m in _NEWLINE.finditer(original):
            ends.append(m.start())
            starts.append(m.end())
        ends.append(len(original))
        self.starts = starts
        self.ends = ends

    def text(self, k: int) -> str:
        return self.original[self.starts[k]:self.ends[k]].replace("\0", "\ufffd")


def _front_matter_end(lines: _Lines) -> int:
    """Number of lines taken by YAML (``---``) or TOML (``+++``) front matter; 0 if none."""
    if not lines.starts:
        return 0
    first = lines.text(0).rstrip()
    if first not in ("---", "+++"):
        return 0
    closers = ("---", "...") if first == "---" else ("+++",)
    for k in range(1, len(lines.starts)):
        if lines.text(k).rstrip() in closers:
            return k + 1
    return 0


class _ContentMap:
    """Maps offsets in an inline token's content to offsets in the original file.

    Segments are ``(content_start, content_len, orig_start, orig_len)``: identity when the
    lengths match, atomic otherwise. Content offsets in no segment (spaces markdown-it made from
    a tab) map to the start of the next segment.
    """

    def __init__(self) -> None:
        self.segs: list[tuple[int, int, int, int]] = []
        self.cstarts: list[int] = []

    def add(self, cs: int, cl: int, os_: int, ol: int) -> None:
        if cl <= 0:
            return
        if self.segs:
            pcs, pcl, pos, pol = self.segs[-1]
            if pcl == pol and cl == ol and pcs + pcl == cs and pos + pol == os_:
                self.segs[-1] = (pcs, pcl + cl, pos, pol + ol)
                return
        self.segs.append((cs, cl, os_, ol))
        self.cstarts.append(cs)

    def pieces(self, a: int, b: int) -> list[tuple[int, int, int, int, bool]]:
        """Split content [a, b) into (ca, cb, oa, ob, identity) pieces."""
        out: list[tuple[int, int, int, int, bool]] = []
        i = max(bisect.bisect_right(self.cstarts, a) - 1, 0)
        segs = self.segs
        while i < len(segs) and a < b:
            cs, cl, os_, ol = segs[i]
            if cs + cl <= a:
                i += 1
                continue
            if cs >= b:
                break
            lo, hi = max(a, cs), min(b, cs + cl)
            if cl == ol:
                out.append((lo, hi, os_ + lo - cs, os_ + hi - cs, True))
            else:
                out.append((lo, hi, os_, os_ + ol, False))
            a = hi
            i += 1
        return out

    def orig(self, c: int) -> int:
        i = bisect.bisect_right(self.cstarts, c) - 1
        if i < 0:
            return self.segs[0][2] if self.segs else 0
        cs, cl, os_, ol = self.segs[i]
        if c < cs + cl:
            return os_ + (c - cs) if cl == ol else os_
        if i + 1 < len(self.segs):
            return self.segs[i + 1][2]
        return os_ + ol

    def orig_end(self, c: int) -> int:
        """Original offset just past content char ``c``."""
        i = bisect.bisect_right(self.cstarts, c) - 1
        if i < 0:
            return self.orig(c)
        cs, cl, os_, ol = self.segs[i]
        if c < cs + cl:
            return os_ + (c - cs) + 1 if cl == ol else os_ + ol
        return self.orig(c)


def _common_suffix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    k = 0
    while k < n and a[-1 - k] == b[-1 - k]:
        k += 1
    return k


class _Reader:
    def __init__(self, original: str, display: str) -> None:
        self.original = original
        self.display = display
        self.lines = _Lines(original)
        self.index = LineIndex(original)
        self.em = Emitter(original)
        self.directives: list[Directive] = []
        self.quote = 0
        self.list_depth = 0
        self.cell = False
        self.heading: Token | None = None
        self.row_cursor: dict[int, int] = {}
        self.misses = 0  # inline tokens that could not be placed (tests assert none)

    # -- block level --------------------------------------------------------------------------
    def run(self) -> Source:
        lines = self.lines
        skip = _front_matter_end(lines)
        src_lines = [lines.text(k) for k in range(len(lines.starts))]
        for k in range(skip):
            src_lines[k] = ""
        tokens = _parser().parse("\n".join(src_lines))
        for tok in tokens:
            t = tok.type
            if t == "blockquote_open":
                self.quote += 1
            elif t == "blockquote_close":
                self.quote -= 1
            elif t == "list_item_open":
                self.list_depth += 1
            elif t == "list_item_close":
                self.list_depth -= 1
            elif t == "heading_open":
                self.heading = tok
            elif t == "heading_close":
                self.heading = None
            elif t in ("th_open", "td_open"):
                self.cell = True
            elif t in ("th_close", "td_close"):
                self.cell = False
            elif t == "inline":
                self.inline(tok)
            elif t == "html_block":
                self.html_block(tok)
        return finish_source(self.display, "markdown", self.original, self.em, self.directives,
                             self.index)

    def kind(self) -> BlockKind:
        if self.heading is not None:
            return "heading"
        if self.cell:
            return "table_cell"
        if self.list_depth:
            return "list_item"
        if self.quote:
            return "blockquote"
        return "paragraph"

    def html_block(self, tok: Token) -> None:
        if not tok.map:
            return
        start = self.lines.starts[tok.map[0]]
        end = self.lines.ends[max(tok.map[1] - 1, tok.map[0])]
        self.em.end_block(self.kind(), quoted=self.quote > 0)
        if self.quote or self.list_depth:
            # Container prefixes (``> ``) sit inside the range: take only the directives.
            for m in _COMMENT.finditer(self.original, start, end):
                d = make_directive(m.group(1), m.start(), m.end(), self.index, self.original)
                if d is not None:
                    self.directives.append(d)
            return
        HTMLExtractor(self.original, self.em, self.directives, self.index).run(start, end)

    # -- content -> original ------------------------------------------------------------------
    def content_map(self, tok: Token) -> _ContentMap:
        content = tok.content
        cmap = _ContentMap()
        if not tok.map or not content:
            return cmap
        first, last = tok.map
        if self.cell:
            if self._map_cell(cmap, content, first):
                return cmap
        elif self.heading is not None and self.heading.markup.startswith("#"):
            line = self.lines.text(first)
            at = len(line) - len(line.lstrip(" \t"))
            while at < len(line) and line[at] == "#":
                at += 1
            idx = line.find(content, at)
            if idx >= 0 and "\n" not in content:
                cmap.add(0, len(content), self.lines.starts[first] + idx, len(content))
                return cmap
        else:
            # (a setext heading's inline map already leaves out its underline)
            if self._map_lines(cmap, content, first, last - first):
                return cmap
        cmap = _ContentMap()
        self.misses += 1
        self._align(cmap, content, self.lines.starts[first],
                    self.lines.ends[max(last - 1, first)])
        return cmap

    def _map_lines(self, cmap: _ContentMap, content: str, first: int, n: int) -> bool:
        parts = content.split("\n")
        if len(parts) != n:
            return False
        ci = 0
        lines = self.lines
        for j, part in enumerate(parts):
            k = first + j
            line = lines.text(k)
            if part:
                tail = len(part) - len(part.rstrip(_MD_WS))
                t = min(len(line.rstrip(_MD_WS)) + tail, len(line))
                body = line[:t]
                if body.endswith(part):
                    cmap.add(ci, len(part), lines.starts[k] + t - len(part), len(part))
                else:
                    common = _common_suffix(part, body)
                    if common == 0 or part[:len(part) - common].strip(_MD_WS):
                        return False
                    cmap.add(ci + len(part) - common, common,
                             lines.starts[k] + t - common, common)
            ci += len(part)
            if j < len(parts) - 1:
                nl_start = lines.ends[k]
                cmap.add(ci, 1, nl_start, lines.starts[k + 1] - nl_start)
                ci += 1
        return True

    def _map_cell(self, cmap: _ContentMap, content: str, line_no: int) -> bool:
        line = self.lines.text(line_no)
        cursor = self.row_cursor.get(line_no, 0)
        form = content.replace("|", "\\|")
        idx = line.find(form, cursor)
        if idx < 0:
            return False
        self.row_cursor[line_no] = idx + len(form)
        base = self.lines.starts[line_no] + idx
        ci = 0
        oi = 0
        for j, part in enumerate(content.split("|")):
            if j:
                oi += 1  # the backslash
                cmap.add(ci, 1, base + oi, 1)
                ci += 1
                oi += 1
            cmap.add(ci, len(part), base + oi, len(part))
            ci += len(part)
            oi += len(part)
        return True

    def _align(self, cmap: _ContentMap, content: str, ostart: int, oend: int) -> None:
        """Fallback: place content chars greedily, in order, on the original range."""
        original = self.original
        p = ostart
        i = 0
        n = len(content)
        while i < n and p < oend:
            c = content[i]
            o = original[p]
            if o == c or (c == "\n" and o == "\r") or (c == "\ufffd" and o == "\0"):
                if c == "\n" and original.startswith("\r\n", p):
                    cmap.add(i, 1, p, 2)
                    p += 2
                else:
                    cmap.add(i, 1, p, 1)
                    p += 1
                i += 1
            else:
                p += 1
        if i < n:
            a = min(p, oend)
            if a >= oend:
                a = max(ostart, oend - 1)
            cmap.add(i, n - i, a, oend - a)

    # -- inline -------------------------------------------------------------------------------
    def inline(self, tok: Token) -> None:
        if not tok.children:
            return
        cmap = self.content_map(tok)
        walker = _InlineWalker(self, tok.content, cmap)
        walker.walk(tok.children, self.em, top=True)
        self.em.end_block(self.kind(), quoted=self.quote > 0)


class _InlineWalker:
    def __init__(self, reader: _Reader, content: str, cmap: _ContentMap) -> None:
        self.r = reader
        self.c = content
        self.cmap = cmap
        self.p = 0

    def emit(self, a: int, b: int, sink: _Sink) -> None:
        for ca, cb, oa, ob, ident in self.cmap.pieces(a, b):
            if ident:
                sink.literal(oa, ob)
            else:
                piece = self.c[ca:cb]
                if piece.isspace():
                    sink.space(oa, ob)
                else:
                    sink.atom(piece, oa, ob)

    def find(self, s: str) -> int:
        idx = self.c.find(s, self.p)
        if idx < 0:
            self.r.misses += 1
        return idx

    def walk(self, children: list[Token], sink: _Sink, top: bool = False) -> None:
        c = self.c
        i = 0
        n = len(children)
        while i < n:
            t = children[i]
            typ = t.type
            if typ == "text":
                idx = self.find(t.content)
                if idx >= 0:
                    self.emit(idx, idx + len(t.content), sink)
                    self.p = idx + len(t.content)
            elif typ == "text_special":
                idx = self.find(t.markup)
                if idx >= 0 and t.content == t.markup:
                    # Not really an escape (``\ ``, ``\a``): plain characters.
                    self.emit(idx, idx + len(t.markup), sink)
                    self.p = idx + len(t.markup)
                elif idx >= 0:
                    end = idx + len(t.markup)
                    oa, ob = self.cmap.orig(idx), self.cmap.orig_end(end - 1)
                    if t.content.isspace():
                        sink.space(oa, ob)
                    else:
                        sink.atom(t.content, oa, ob)
                    self.p = end
            elif typ in ("softbreak", "hardbreak"):
                idx = self.find("\n")
                if idx >= 0:
                    sink.space(self.cmap.orig(idx), self.cmap.orig_end(idx))
                    self.p = idx + 1
            elif typ == "code_inline":
                self.p = self.skip_code(t.markup or "`")
            elif typ == "html_inline":
                idx = self.find(t.content)
                if idx >= 0:
                    end = idx + len(t.content)
                    oa, ob = self.cmap.orig(idx), self.cmap.orig_end(end - 1)
                    if t.content.startswith("<!--"):
                        body = t.content[4:]
                        if body.endswith("-->"):
                            body = body[:-3]
                        d = make_directive(body, oa, ob, self.r.index, self.r.original)
                        if d is not None:
                            self.r.directives.append(d)
                    elif t.content[1:3].lower() == "br":
                        sink.space(oa, ob)
                    self.p = end
            elif typ == "link_open":
                if t.markup == "autolink" or t.info == "auto":
                    lt = self.find("<")
                    gt = c.find(">", lt + 1) if lt >= 0 else -1
                    if gt >= 0:
                        self.p = gt + 1
                    depth = 1
                    while i + 1 < n and depth:
                        i += 1
                        if children[i].type == "link_open":
                            depth += 1
                        elif children[i].type == "link_close":
                            depth -= 1
                else:
                    lb = self.find("[")
                    if lb >= 0:
                        self.p = lb + 1
            elif typ in ("em_open", "strong_open", "s_open"):
                idx = c.find(t.markup, self.p) if t.markup else -1
                if idx >= 0:
                    sink.mark_open(self.cmap.orig(idx))
                    self.p = idx + len(t.markup)
            elif typ in ("em_close", "strong_close", "s_close"):
                idx = c.find(t.markup, self.p) if t.markup else -1
                if idx >= 0:
                    end = idx + len(t.markup)
                    sink.mark_close(self.cmap.orig_end(end - 1))
                    self.p = end
            elif typ == "link_close":
                self.p = self.skip_link_tail()
            elif typ == "image":
                start = self.find("![")
                if start >= 0:
                    self.p = start + 2
                rec = Recorder()
                self.walk(t.children or [], rec)
                self.p = self.skip_link_tail()
                if top and rec.visible:
                    self.r.em.defer(rec.ops, "alt", quoted=self.r.quote > 0)
                if start >= 0:
                    sink.space(self.cmap.orig(start), self.cmap.orig_end(max(self.p - 1, start)))
            i += 1

    def skip_code(self, marker: str) -> int:
        c = self.c
        n = len(marker)
        pos = self.p
        found: list[int] = []
        while len(found) < 2:
            idx = c.find(marker, pos)
            if idx < 0:
                return self.p
            run = idx
            while run < len(c) and c[run] == "`":
                run += 1
            if run - idx == n:
                found.append(run)
            pos = run
        return found[1]

    def skip_link_tail(self) -> int:
        c = self.c
        q = c.find("]", self.p)
        if q < 0:
            return self.p
        q += 1
        if q < len(c) and c[q] == "(":
            end = self._inline_dest(q)
            return end if end is not None else q
        if q < len(c) and c[q] == "[":
            j = q + 1
            while j < len(c) and c[j] != "]":
                j += 2 if c[j] == "\\" else 1
            return min(j + 1, len(c))
        return q

    def _inline_dest(self, q: int) -> int | None:
        c = self.c
        n = len(c)
        j = q + 1

        def ws(j: int) -> int:
            while j < n and c[j] in " \t\n":
                j += 1
            return j

        j = ws(j)
        if j < n and c[j] == "<":
            j += 1
            while j < n and c[j] not in ">\n":
                j += 2 if c[j] == "\\" else 1
            j += 1
        else:
            depth = 0
            while j < n:
                ch = c[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch in " \t\n" or ord(ch) < 0x20:
                    break
                if ch == "(":
                    depth += 1
                elif ch == ")":
                    if depth == 0:
                        break
                    depth -= 1
                j += 1
        j = ws(j)
        if j < n and c[j] in "\"'(":
            closer = ")" if c[j] == "(" else c[j]
            j += 1
            while j < n and c[j] != closer:
                j += 2 if c[j] == "\\" else 1
            j += 1
            j = ws(j)
        if j < n and c[j] == ")":
            return j + 1
        close = c.find(")", q)
        return close + 1 if close >= 0 else None


def read(original: str, display: str) -> Source:
    return _Reader(original, display).run()


def read_with_stats(original: str, display: str) -> tuple[Source, int]:
    """``read`` plus how many inline pieces fell back to approximate placement (for tests)."""
    reader = _Reader(original, display)
    return reader.run(), reader.misses

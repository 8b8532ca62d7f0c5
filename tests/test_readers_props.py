"""Property-based tests: every reader, on generated documents, never raises anything but
ReadError, and every block's every sub-span maps back inside the original with ``locate().text``
equal to the original characters of that range (and to the extracted text where the mapping is
char by char)."""

from __future__ import annotations

import io
import json
import os
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msglint.errors import ReadError
from msglint.readers import read_bytes
from msglint.readers.assets import looks_like_identifier
from msglint.readers.markdown import read_with_stats
from msglint.source import Source

# MSGLINT_FUZZ=5000 pytest tests/test_readers_props.py runs a longer search.
EXAMPLES = int(os.environ.get("MSGLINT_FUZZ", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(max_examples=max(EXAMPLES // 6, 10), deadline=None,
               suppress_health_check=[HealthCheck.too_slow])


def _ws_norm(s: str) -> str:
    return re.sub(r"\s", " ", s)


def check_source(src: Source, data: st.DataObject | None = None) -> None:
    """The invariants every Source must hold."""
    text, original = src.text, src.original
    prev_end = 0
    for b in src.blocks:
        assert 0 <= b.start < b.end <= len(text)
        assert b.start >= prev_end
        prev_end = b.end
        assert not text[b.start].isspace() and not text[b.end - 1].isspace()
    # Identity runs: the copy is the original's characters (whitespace may become a space).
    for ts, tl, os_, ol in src.offsets.runs():
        assert 0 <= os_ <= os_ + ol <= len(original)
        assert ts + tl <= len(text)
        if tl == ol:
            got, want = text[ts:ts + tl], original[os_:os_ + ol]
            assert _ws_norm(got) == _ws_norm(want.replace("\0", "\ufffd")) or got == want, (
                got, want)
    # Within a block, the original offsets never go backwards.
    for b in src.blocks:
        last = -1
        for i in range(b.start, b.end):
            o = src.offsets.start_of(i)
            assert o >= last, (text[b.start:b.end], i)
            last = o
    # Every span inside a block locates to the original's characters.
    for b in src.blocks:
        spans = [(b.start, b.end)]
        if data is not None:
            a = data.draw(st.integers(b.start, b.end - 1), label="span start")
            z = data.draw(st.integers(a + 1, b.end), label="span end")
            spans.append((a, z))
        for a, z in spans:
            loc = src.locate(a, z)
            ostart, oend = src.original_range(a, z)
            assert 0 <= ostart <= oend <= len(original)
            assert loc.text == original[ostart:oend]
            assert (loc.line, loc.column) == src.position(ostart)
            assert (loc.end_line, loc.end_column) <= (original.count("\n") + 1, 10**9)
            assert loc.column >= 1 and loc.end_column >= 1
            if oend - ostart == z - a:
                assert _ws_norm(loc.text.replace("\0", "\ufffd")) == _ws_norm(text[a:z])


def read_or_error(data: bytes, fmt: str) -> Source | None:
    try:
        return read_bytes(data, "gen." + fmt, fmt)
    except ReadError as exc:
        assert "internal error" not in exc.message, exc.message
        assert "\n" not in str(exc)
        return None


# -- Markdown ----------------------------------------------------------------------------------

MD_PIECES = [
    "# ", "## ", "> ", "- ", "* ", "1. ", "    ", "\t", "  ", " ", "\n", "\n", "\n", "\r\n",
    "\n\n", "*", "**", "_", "~~", "`", "``", "```", "~~~", "[", "]", "](", "(", ")", "![",
    "<", ">", "<!--", "-->", "<!-- msglint-disable-next-line a -->", "&amp;", "&#8217;",
    "&nbsp;", "&bogus;", "\\*", "\\", "\\|", "|", "| a | b |\n|---|---|\n", "---\n", "===\n",
    "<b>", "</b>", "<div>", "</div>", "<br>", "http://x.com/y", "<http://a.b/c>", "a@b.co",
    "\"", "'", "word", "inventory", "control", "gross", "margin", "é", "😀", "\0", "[x]: /u\n",
    "+++\n", "\u00a0", "\u2028", ":", "#",
]


@SETTINGS
@given(st.lists(st.sampled_from(MD_PIECES), max_size=60), st.data())
def test_markdown_generated(pieces: list[str], data: st.DataObject) -> None:
    doc = "".join(pieces)
    src, misses = read_with_stats(doc.replace("\0", "\ufffd"), "gen.md")
    check_source(src, data)
    got = read_or_error(doc.encode("utf-8"), "markdown")
    if got is not None:
        check_source(got)


@SETTINGS
@given(st.text(max_size=300), st.data())
def test_markdown_random_text(doc: str, data: st.DataObject) -> None:
    src = read_or_error(doc.encode("utf-8", "surrogatepass"), "markdown")
    if src is not None:
        check_source(src, data)


MD_WELL_FORMED = st.lists(st.sampled_from([
    "Plain words here.", "*emphasis words*", "**strong words**", "`code`", "&amp;", "\\*",
    "[link text](http://x.com/a \"title\")", "![alt words](i.png)", "<http://auto.link>",
    "<span>inline</span>", "trailing  ", "x_y_z", "~~gone~~", "é😀",
]), min_size=1, max_size=8).map(" ".join)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["", "# ", "> ", "- ", "1. ", "> - ", "| "]),
                          MD_WELL_FORMED), min_size=1, max_size=8),
       st.sampled_from(["\n", "\r\n"]), st.data())
def test_markdown_well_formed_has_no_misses(lines: list[tuple[str, str]], nl: str,
                                            data: st.DataObject) -> None:
    """On ordinary documents every inline token is placed exactly (no fallback)."""
    doc = nl.join(prefix + body + (" |" if prefix == "| " else "") for prefix, body in lines)
    src, misses = read_with_stats(doc, "gen.md")
    assert misses == 0, doc
    check_source(src, data)


# -- HTML --------------------------------------------------------------------------------------

HTML_PIECES = [
    "<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<em>", "</em>", "<a href='http://x'>",
    "</a>", "<br>", "<br/>", "<h1>", "</h1>", "<li>", "<ul>", "</ul>", "<table><tr><td>",
    "</td><td>", "</td></tr></table>", "<script>", "</script>", "<style>", "</style>",
    "<head>", "</head>", "<title>", "</title>", "<body>", "<!--", "-->",
    "<!-- msglint-disable x -->",
    "<img src=a alt=\"alt &amp; text\">", "<img alt='x'>", "<div hidden>", "<template>",
    "</template>", "<noscript>", "</noscript>", "&amp;", "&#8217;", "&#x2019;", "&nbsp;", "&amp",
    "&unknown;", "&", "<", ">", "word", " ", "  ", "\n", "\r\n", "\t", "é", "😀", "\"", "'",
    "<![CDATA[x]]>", "<!DOCTYPE html>", "<?xml?>", "</", "<p class=\"inventory control\">",
    "<blockquote>", "</blockquote>", "http://example.com/x",
]


@SETTINGS
@given(st.lists(st.sampled_from(HTML_PIECES), max_size=60), st.data())
def test_html_generated(pieces: list[str], data: st.DataObject) -> None:
    src = read_or_error("".join(pieces).encode("utf-8"), "html")
    if src is not None:
        check_source(src, data)
        assert "inventory control" not in src.text


@SETTINGS
@given(st.text(max_size=300), st.data())
def test_html_random_text(doc: str, data: st.DataObject) -> None:
    src = read_or_error(doc.encode("utf-8", "surrogatepass"), "html")
    if src is not None:
        check_source(src, data)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_never_crash(data: bytes) -> None:
    for fmt in ("markdown", "html", "text", "yaml", "json", "docx"):
        src = read_or_error(data, fmt)
        if src is not None:
            check_source(src)


# -- plain text --------------------------------------------------------------------------------

@SETTINGS
@given(st.lists(st.sampled_from(list("ab \t\n\r.é😀(") + ["\u00a0", "http://x.y/z", "\r\n"]),
                max_size=80).map("".join), st.data())
def test_text_generated(doc: str, data: st.DataObject) -> None:
    from msglint.readers.common import URL_RE

    src = read_or_error(doc.encode("utf-8"), "text")
    assert src is not None
    check_source(src, data)
    assert src.text.split() == URL_RE.sub("", doc).split()


# -- YAML and JSON -----------------------------------------------------------------------------

WORDS = st.text(alphabet=st.sampled_from(list("abcXY ,.!?'\"\\:#-é😀\t") + ["\n", "\u00a0"]),
                min_size=1, max_size=30)
KEYS = st.sampled_from(["subject", "headline", "body", "cta", "preheader", "text", "notes",
                        "title", "items", "a b", "x.y", "id", "url"])
TREES = st.recursive(
    WORDS | st.integers() | st.booleans() | st.none(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children,
                                                                       max_size=4),
    max_leaves=12,
)


def _expected_values(tree: object, key: str | None = None) -> list[str]:
    """String values the readers must keep, in document order."""
    from msglint.readers.assets import is_identifier_key

    out: list[str] = []
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += _expected_values(v, k)
    elif isinstance(tree, list):
        for v in tree:
            out += _expected_values(v, key)
    elif isinstance(tree, str):
        if not is_identifier_key(key) and not looks_like_identifier(tree):
            out.append(tree)
    return out


def _norm(s: str) -> str:
    return " ".join(s.split())


@SETTINGS
@given(TREES, st.sampled_from([None, '"', "'", "|", ">"]), st.integers(20, 80),
       st.booleans(), st.data())
def test_yaml_generated(tree: object, style: str | None, width: int, flow: bool,
                        data: st.DataObject) -> None:
    doc = yaml.safe_dump(tree, default_style=style, width=width, allow_unicode=True,
                         sort_keys=False, default_flow_style=flow)
    src = read_or_error(doc.encode("utf-8"), "yaml")
    assert src is not None, doc
    check_source(src, data)
    expected = [_norm(v) for v in _expected_values(tree) if _norm(v)]
    got = [src.text[b.start:b.end] for b in src.blocks]
    if style not in ("|", ">"):  # block styles may fold/keep trailing spaces differently
        assert got == expected, doc
    # Char-by-char runs must hold the very characters of the value.
    for b in src.blocks:
        assert b.kind == "field" and b.field


@SETTINGS
@given(TREES, st.booleans(), st.sampled_from([None, 2]), st.data())
def test_json_generated(tree: object, ascii_only: bool, indent: int | None,
                        data: st.DataObject) -> None:
    doc = json.dumps(tree, ensure_ascii=ascii_only, indent=indent)
    src = read_or_error(doc.encode("utf-8"), "json")
    assert src is not None, doc
    check_source(src, data)
    expected = [_norm(v) for v in _expected_values(tree) if _norm(v)]
    assert [src.text[b.start:b.end] for b in src.blocks] == expected, doc


@SETTINGS
@given(st.lists(st.sampled_from(list("{}[]:,\"'\\ \n\t-#|>&*!abc12") + ["\r\n", "\\u00e9",
                                                                      "# msglint-disable x\n"]),
                max_size=120).map("".join), st.data())
def test_yaml_json_garbage(doc: str, data: st.DataObject) -> None:
    for fmt in ("yaml", "json"):
        src = read_or_error(doc.encode("utf-8"), fmt)
        if src is not None:
            check_source(src, data)


# -- docx --------------------------------------------------------------------------------------

@FEW
@given(st.lists(st.tuples(st.sampled_from(["Normal", "Heading 1", "Title", "List Bullet",
                                           "Quote"]),
                          st.text(alphabet=st.sampled_from(list("ab \tcd\n.é")),
                                  max_size=20)),
                max_size=6),
       st.integers(0, 2), st.data())
def test_docx_generated(paras: list[tuple[str, str]], cells: int, data: st.DataObject) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    for style, text in paras:
        d.add_paragraph(text, style=style)
    if cells:
        table = d.add_table(rows=1, cols=cells)
        for i, cell in enumerate(table.rows[0].cells):
            cell.text = f"cell {i}"
    buf = io.BytesIO()
    d.save(buf)
    src = read_or_error(buf.getvalue(), "docx")
    assert src is not None
    check_source(src, data)
    lines = src.original.split("\n")
    # python-docx's template starts with no paragraphs: line n = the n-th paragraph we added.
    for i, (_style, text) in enumerate(paras):
        assert _norm(lines[i]) == _norm(text.replace("\t", " "))
    for i in range(cells):
        assert lines[len(paras) + i] == f"cell {i}"

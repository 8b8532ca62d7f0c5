"""Readers: what is copy, where it came from, directives, and every bad-input path."""

from __future__ import annotations

import codecs
import io
import re
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from msglint.errors import ReadError
from msglint.readers import FORMATS, format_for, read_bytes, read_source
from msglint.source import Source

FIXTURES = Path(__file__).parent / "fixtures" / "readers"
CASES = yaml.safe_load((FIXTURES / "cases.yaml").read_text(encoding="utf-8"))


def read(text: str, fmt: str) -> Source:
    return read_bytes(text.encode("utf-8"), f"t.{fmt}", fmt)


def find(src: Source, phrase: str) -> list[re.Match[str]]:
    return list(re.finditer(r"\s+".join(map(re.escape, phrase.split())), src.text, re.I))


def block_at(src: Source, offset: int):
    return next(b for b in src.blocks if b.start <= offset < b.end)


def loc_tuple(src: Source, start: int, end: int) -> tuple[list[int], str]:
    loc = src.locate(start, end)
    return [loc.line, loc.column, loc.end_line, loc.end_column], loc.text


# -- table-driven fixtures ---------------------------------------------------------------------

def _present_cases():
    for name, case in CASES.items():
        for phrase, places in case["present"].items():
            yield pytest.param(name, phrase, places, id=f"{name}-{phrase}")


@pytest.mark.parametrize("name", list(CASES))
def test_fixture_absent(name: str) -> None:
    src = read_source(FIXTURES / name, name)
    for phrase in CASES[name]["absent"]:
        assert phrase.lower() not in src.text.lower(), (phrase, src.text)
    assert not any(d.location.text in src.text for d in src.directives)


@pytest.mark.parametrize(("name", "phrase", "places"), list(_present_cases()))
def test_fixture_present(name: str, phrase: str, places: list[dict]) -> None:
    src = read_source(FIXTURES / name, name)
    matches = find(src, phrase)
    assert len(matches) == len(places), (phrase, src.text)
    for m, want in zip(matches, places, strict=True):
        at, original = loc_tuple(src, m.start(), m.end())
        assert at == want["at"]
        assert original == want["original"]
        block = block_at(src, m.start())
        assert block.kind == want["kind"]
        assert block.quoted == want.get("quoted", False)
        if "field" in want:
            assert block.field == want["field"]
            assert block.role == want["role"]


def test_format_table() -> None:
    assert {s: FORMATS[s] for s in (".md", ".markdown", ".html", ".htm", ".txt", ".text",
                                    ".docx", ".yaml", ".yml", ".json")} == {
        ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
        ".txt": "text", ".text": "text", ".docx": "docx", ".yaml": "yaml", ".yml": "yaml",
        ".json": "json"}
    assert format_for(Path("A.MD")) == "markdown"
    assert format_for(Path("notes")) is None


# -- Markdown ----------------------------------------------------------------------------------

def test_markdown_mention_across_emphasis() -> None:
    src = read("We offer inventory *control* today.\n", "markdown")
    assert src.text.strip() == "We offer inventory control today."
    (m,) = find(src, "inventory control")
    at, original = loc_tuple(src, m.start(), m.end())
    assert original == "inventory *control*"
    assert at == [1, 10, 1, 29]
    # One word inside the emphasis maps to the emphasis, both delimiters included.
    (c,) = find(src, "control")
    assert loc_tuple(src, c.start(), c.end())[1] == "*control*"
    # Part of a word maps to just those characters.
    assert loc_tuple(src, c.start() + 1, c.end() - 1)[1] == "ontro"


def test_markdown_strong_and_underscore() -> None:
    src = read("Better __gross__ **margin** here\n", "markdown")
    (m,) = find(src, "gross margin")
    assert loc_tuple(src, m.start(), m.end())[1] == "__gross__ **margin**"


def test_markdown_entities_and_escapes_are_atomic() -> None:
    src = read("Tom &amp; Jerry &copy; 2024 \\*not emphasis\\* &#8217;\n", "markdown")
    assert src.text.strip() == "Tom & Jerry © 2024 *not emphasis* ’"
    amp = src.text.index("&")
    assert loc_tuple(src, amp, amp + 1) == ([1, 5, 1, 10], "&amp;")
    star = src.text.index("*")
    assert loc_tuple(src, star, star + 1)[1] == "\\*"
    q = src.text.index("’")
    assert loc_tuple(src, q, q + 1)[1] == "&#8217;"
    # A span over "Tom & Jerry" covers the whole entity.
    assert loc_tuple(src, 0, src.text.index("Jerry") + 5)[1] == "Tom &amp; Jerry"


def test_markdown_hard_and_soft_breaks_become_spaces() -> None:
    src = read("gross  \nmargin and\\\nlowest\nprice\n", "markdown")
    assert src.text.strip() == "gross margin and lowest price"
    (m,) = find(src, "lowest price")
    assert loc_tuple(src, m.start(), m.end()) == ([3, 1, 4, 6], "lowest\nprice")


def test_markdown_crlf_positions() -> None:
    src = read("# Title\r\n\r\nSome gross\r\nmargin here\r\n", "markdown")
    (m,) = find(src, "gross margin")
    at, original = loc_tuple(src, m.start(), m.end())
    assert at == [3, 6, 4, 7]
    assert original == "gross\r\nmargin"


def test_markdown_not_copy() -> None:
    doc = """+++
title = "inventory control"
+++
Text with `inventory control` and <span data-x="inventory control">kept</span>.

~~~
inventory control
~~~

[ref]: https://example.com/inventory "inventory control"

Visit https://example.com/inventory-control or mail sales@example.com today.
<!-- inventory control -->
"""
    src = read(doc, "markdown")
    assert "inventory" not in src.text
    assert "example" not in src.text
    assert "kept" in src.text and "today" in src.text


def test_markdown_blocks_follow_document() -> None:
    doc = "# Heading\nPara one.\n\n- item one\n- item two\n\n| a | b |\n|---|---|\n| c | d |\n"
    src = read(doc, "markdown")
    got = [(src.text[b.start:b.end], b.kind) for b in src.blocks]
    assert got == [("Heading", "heading"), ("Para one.", "paragraph"),
                   ("item one", "list_item"), ("item two", "list_item"),
                   ("a", "table_cell"), ("b", "table_cell"), ("c", "table_cell"),
                   ("d", "table_cell")]


def test_markdown_raw_html_block_text_is_copy() -> None:
    doc = "<div>\n<p>Real <b>gross</b> margin</p>\n<script>inventory control</script>\n</div>\n"
    src = read(doc, "markdown")
    assert src.text.strip() == "Real gross margin"
    (m,) = find(src, "gross margin")
    assert loc_tuple(src, m.start(), m.end())[1] == "<b>gross</b> margin"


def test_markdown_image_alt_is_its_own_block() -> None:
    src = read("Try ![lowest price badge](b.png \"inventory control\") now.\n", "markdown")
    blocks = [(src.text[b.start:b.end], b.kind) for b in src.blocks]
    assert blocks == [("Try now.", "paragraph"), ("lowest price badge", "alt")]


# -- HTML --------------------------------------------------------------------------------------

def test_html_entities_map_back() -> None:
    src = read("<p>Don&#8217;t&nbsp;wait &amp; see &#x2014; now &copy</p>", "html")
    assert src.text.strip() == "Don’t wait & see — now ©"
    i = src.text.index("’")
    assert loc_tuple(src, i, i + 1)[1] == "&#8217;"
    sp = src.text.index(" ")
    assert loc_tuple(src, sp, sp + 1)[1] == "&nbsp;"
    d = src.text.index("—")
    assert loc_tuple(src, d, d + 1) == ([1, 36, 1, 44], "&#x2014;")


def test_html_inline_vs_block() -> None:
    src = read("<div>Inventory <span>con</span>trol<p>Next</p>after<br>line<br><br>new</div>",
               "html")
    assert [src.text[b.start:b.end] for b in src.blocks] == [
        "Inventory control", "Next", "after line", "new"]


def test_html_head_and_hidden() -> None:
    doc = ("<html><head><title>Shown title</title><meta content='inventory control'>"
           "<link href=x></head><body><p hidden>inventory control</p>"
           "<svg><text>inventory control</text></svg><p>Body</p></body></html>")
    src = read(doc, "html")
    assert [src.text[b.start:b.end] for b in src.blocks] == ["Shown title", "Body"]
    assert src.blocks[0].kind == "title"


def test_html_head_without_close_tag() -> None:
    src = read("<head><title>T</title><style>x</style><h1>Heading</h1>", "html")
    assert [src.text[b.start:b.end] for b in src.blocks] == ["T", "Heading"]


def test_html_meta_charset_is_honoured() -> None:
    body = "<html><head><meta charset=\"windows-1252\"></head><body><p>Caf\xe9 \u201cbest\u201d</p>"
    src = read_bytes(body.encode("cp1252"), "t.html", "html")
    assert src.text.strip() == "Café “best”"
    latin = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"><p>\xe9"
    assert read_bytes(latin.encode("latin-1"), "t.html", "html").text.strip() == "é"


def test_html_bom_beats_meta_charset() -> None:
    doc = "<meta charset=\"iso-8859-1\"><p>Café</p>"
    src = read_bytes(codecs.BOM_UTF8 + doc.encode("utf-8"), "t.html", "html")
    assert src.text.strip() == "Café"


def test_html_unknown_charset_falls_back_to_utf8() -> None:
    doc = "<meta charset=\"x-made-up\"><p>Café</p>"
    assert read_bytes(doc.encode("utf-8"), "t.html", "html").text.strip() == "Café"


# -- plain text --------------------------------------------------------------------------------

def test_text_paragraphs_and_urls() -> None:
    src = read("First para\nwraps here.\n\n\n  Second https://x.com/lowest-price para.\n",
               "text")
    assert [src.text[b.start:b.end] for b in src.blocks] == [
        "First para wraps here.", "Second para."]


# -- docx --------------------------------------------------------------------------------------

def _docx_bytes() -> bytes:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("Lowest price promise", style="Title")       # line 1
    d.add_paragraph("Why owners switch", style="Heading 1")      # line 2
    d.add_paragraph("")                                          # line 3
    p = d.add_paragraph("We grow your ")                         # line 4
    p.add_run("gross").bold = True
    p.add_run(" margin.")
    d.add_paragraph("Tell a friend", style="List Bullet")        # line 5
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Plan"                               # line 6
    table.cell(0, 1).text = "Benefit"                            # line 7
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "The lowest price in town"                     # line 8 (merged: once)
    d.add_paragraph("They said it best.", style="Quote")          # line 9
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_positions_are_paragraph_numbers() -> None:
    src = read_bytes(_docx_bytes(), "t.docx", "docx")
    assert src.original.split("\n") == [
        "Lowest price promise", "Why owners switch", "", "We grow your gross margin.",
        "Tell a friend", "Plan", "Benefit", "The lowest price in town", "They said it best."]
    kinds = [(src.text[b.start:b.end], b.kind, b.quoted) for b in src.blocks]
    assert kinds == [
        ("Lowest price promise", "title", False), ("Why owners switch", "heading", False),
        ("We grow your gross margin.", "paragraph", False), ("Tell a friend", "list_item", False),
        ("Plan", "table_cell", False), ("Benefit", "table_cell", False),
        ("The lowest price in town", "table_cell", False),
        ("They said it best.", "blockquote", True)]
    found = [loc_tuple(src, m.start(), m.end())[0] for m in find(src, "lowest price")]
    assert found == [[1, 1, 1, 13], [8, 5, 8, 17]]
    (g,) = find(src, "gross margin")
    assert loc_tuple(src, g.start(), g.end()) == ([4, 14, 4, 26], "gross margin")


@pytest.mark.parametrize("data", [
    b"not a zip at all",
    b"PK\x03\x04 truncated zip",
])
def test_docx_not_a_zip(data: bytes) -> None:
    with pytest.raises(ReadError, match="docx"):
        read_bytes(data, "bad.docx", "docx")


def test_docx_zip_of_junk() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "junk")
    with pytest.raises(ReadError, match=r"not a readable \.docx"):
        read_bytes(buf.getvalue(), "junk.docx", "docx")


# -- YAML / JSON assets ------------------------------------------------------------------------

def test_yaml_roles_and_skips() -> None:
    doc = """\
subject_line: Save time
previewText: Your evenings back
button_text: Start now
copy: More money in your pocket
hero_title: Your shop, your way
ctas: [Try it, Book a demo]
sender_email: hi@example.com
logo: logo.png
when: 2024-05-01
price: "$19.99"
tag: spring-sale
lang: en-US
meta:
  campaign_id: abc
"""
    src = read(doc, "yaml")
    got = [(src.text[b.start:b.end], b.field, b.role) for b in src.blocks]
    assert got == [
        ("Save time", "subject_line", "subject"),
        ("Your evenings back", "previewText", "preheader"),
        ("Start now", "button_text", "cta"),
        ("More money in your pocket", "copy", "body"),
        ("Your shop, your way", "hero_title", "headline"),
        ("Try it", "ctas[0]", "cta"),
        ("Book a demo", "ctas[1]", "cta"),
    ]


def test_yaml_block_scalars_map_line_by_line() -> None:
    doc = "body: |\n  First line here.\n  Gross margin\n  up.\nnote: >-\n  lowest\n\n  price\n"
    src = read(doc, "yaml")
    assert [src.text[b.start:b.end] for b in src.blocks] == [
        "First line here. Gross margin up.", "lowest price"]
    (m,) = find(src, "gross margin")
    assert loc_tuple(src, m.start(), m.end()) == ([3, 3, 3, 15], "Gross margin")


def test_yaml_escapes_are_atomic() -> None:
    src = read('subject: "Caf\\u00e9 \\"deals\\" it\'s"\nalt: \'It\'\'s here\'\n', "yaml")
    assert [src.text[b.start:b.end] for b in src.blocks] == ['Café "deals" it\'s', "It's here"]
    e = src.text.index("é")
    assert loc_tuple(src, e, e + 1)[1] == "\\u00e9"
    q = src.text.index("'", src.blocks[1].start)
    assert loc_tuple(src, q, q + 1)[1] == "''"


def test_yaml_aliases_read_once() -> None:
    src = read("a: &x Shared headline\nb: *x\n", "yaml")
    assert [src.text[b.start:b.end] for b in src.blocks] == ["Shared headline"]


def test_json_escapes_and_paths() -> None:
    src = read('{"v": [{"headline": "Gross \\u00e9 margin"}, {"a b": "x y"}], '
               '"t": "\\ud83d\\ude00 ok"}', "json")
    got = [(src.text[b.start:b.end], b.field) for b in src.blocks]
    assert got == [("Gross é margin", "v[0].headline"), ("x y", 'v[1]["a b"]'),
                   ("😀 ok", "t")]
    s = src.text.index("😀")
    assert loc_tuple(src, s, s + 1)[1] == "\\ud83d\\ude00"


@pytest.mark.parametrize(("doc", "where"), [
    ("a: [1, 2\nb: 3\n", (2, 2)),
    ("a: b\n  c: d\n", (2, 4)),
    ("key: 'unclosed\n", (2, 1)),
])
def test_yaml_malformed_has_line_and_column(doc: str, where: tuple[int, int]) -> None:
    with pytest.raises(ReadError) as info:
        read(doc, "yaml")
    assert (info.value.line, info.value.column) == where
    assert str(info.value).startswith(f"t.yaml:{where[0]}:{where[1]}: invalid YAML")


@pytest.mark.parametrize(("doc", "where"), [
    ('{"a": 1,\n "b": }', (2, 7)),
    ('{"a": "x"\n"b": 2}', (2, 1)),
    ("[1, 2", (1, 6)),
])
def test_json_malformed_has_line_and_column(doc: str, where: tuple[int, int]) -> None:
    with pytest.raises(ReadError) as info:
        read(doc, "json")
    assert (info.value.line, info.value.column) == where
    assert "invalid JSON" in info.value.message


def test_yaml_too_deep_is_an_error_not_a_crash() -> None:
    with pytest.raises(ReadError, match="nested"):
        read("[" * 5000 + "x" + "]" * 5000, "yaml")
    with pytest.raises(ReadError, match="nested"):
        read("[" * 100000, "json")


# -- directives --------------------------------------------------------------------------------

def test_markdown_directives() -> None:
    doc = """<!-- msglint-disable-file empty-praise -->
# Title

<!-- msglint-disable-next-line inventory-control, gross-margin -->

We manage inventory control.

<!-- msglint-disable -->
Para <!-- msglint-enable price-discount --> text.

```
<!-- msglint-disable-file in-a-code-fence -->
```
"""
    src = read(doc, "markdown")
    got = [(d.action, d.ids, d.location.line, d.target_line) for d in src.directives]
    assert got == [
        ("disable-file", ("empty-praise",), 1, None),
        ("disable-next-line", ("inventory-control", "gross-margin"), 4, 6),
        ("disable", (), 8, None),
        ("enable", ("price-discount",), 9, None),
    ]
    assert "msglint" not in src.text
    d = src.directives[3]
    assert (d.location.column, d.location.end_column) == (6, 44)
    assert d.location.text == "<!-- msglint-enable price-discount -->"


def test_html_directives() -> None:
    doc = ("<p>a</p>\n<!-- msglint-disable-next-line vendor-voice -- legal wording -->\n"
           "<p>b</p>\n<!--msglint-disable-file-->")
    src = read(doc, "html")
    got = [(d.action, d.ids, d.location.line, d.target_line) for d in src.directives]
    assert got == [("disable-next-line", ("vendor-voice",), 2, 3), ("disable-file", (), 4, None)]


def test_yaml_directives() -> None:
    doc = ("# msglint-disable-file price-discount\nsubject: 'x # msglint-disable nope'\n"
           "body: |\n  # msglint-disable in-block\n  text\n"
           "cta: Go  # msglint-disable-next-line a,b\nheadline: Hi\n")
    src = read(doc, "yaml")
    got = [(d.action, d.ids, d.location.line, d.target_line) for d in src.directives]
    assert got == [("disable-file", ("price-discount",), 1, None),
                   ("disable-next-line", ("a", "b"), 6, 7)]


# -- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["markdown", "html", "text", "yaml", "json"])
def test_invalid_utf8_reports_byte_offset(fmt: str) -> None:
    data = b"line one\nab" + b"\xff\xfe" + b"cd\n"
    with pytest.raises(ReadError) as info:
        read_bytes(data, f"bad.{fmt}", fmt)
    assert "invalid UTF-8 at byte 11" in info.value.message
    assert (info.value.line, info.value.column) == (2, 3)
    assert str(info.value).startswith(f"bad.{fmt}:2:3: ")


@pytest.mark.parametrize("fmt", ["markdown", "html", "text", "yaml", "json"])
@pytest.mark.parametrize("bom,codec", [(codecs.BOM_UTF8, "utf-8"),
                                       (codecs.BOM_UTF16_LE, "utf-16-le"),
                                       (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_boms_decode(fmt: str, bom: bytes, codec: str) -> None:
    body = {"json": '{"body": "Café gross margin"}', "yaml": "body: Café gross margin\n",
            "html": "<p>Café gross margin</p>"}.get(fmt, "Café gross margin\n")
    src = read_bytes(bom + body.encode(codec), f"b.{fmt}", fmt)
    assert src.text.strip() == "Café gross margin"
    (m,) = find(src, "gross margin")
    assert src.locate(m.start(), m.end()).text == "gross margin"


@pytest.mark.parametrize("fmt", ["markdown", "html", "text", "yaml", "json"])
def test_binary_is_an_error(fmt: str) -> None:
    with pytest.raises(ReadError, match="binary"):
        read_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", f"x.{fmt}", fmt)


@pytest.mark.parametrize("fmt", ["markdown", "html", "text", "yaml", "json", "docx"])
def test_empty_file_is_empty_source(fmt: str) -> None:
    src = read_bytes(b"", f"e.{fmt}", fmt)
    assert src.text == "" and src.blocks == [] and src.directives == []


@pytest.mark.parametrize("fmt", ["markdown", "html", "text", "yaml", "json"])
def test_whitespace_only_file(fmt: str) -> None:
    assert read_bytes(b"  \n\n \t\n", f"w.{fmt}", fmt).blocks == []


def test_read_source_errors(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no such file"):
        read_source(tmp_path / "missing.md")
    with pytest.raises(ReadError, match="directory"):
        read_source(tmp_path, "dir", "markdown")
    with pytest.raises(ReadError, match="unknown format"):
        read_bytes(b"x", "x.rst", "rst")


def test_fifty_megabytes_of_text_is_linear() -> None:
    para = "Keep more of every sale and get your evenings back.\nSecond line here.\n\n"
    data = (para * (50_000_000 // len(para))).encode()
    start = time.perf_counter()
    src = read_bytes(data, "big.txt", "text")
    elapsed = time.perf_counter() - start
    assert len(src.blocks) == 50_000_000 // len(para)
    assert src.locate(len(src.text) - 10, len(src.text) - 3).line > 2_000_000
    assert elapsed < 60


@pytest.mark.parametrize("fmt", ["markdown", "html", "yaml", "json"])
def test_big_structured_files_scale_linearly(fmt: str) -> None:
    unit = {
        "markdown": "# Head\n\nSome *gross* margin &amp; [link](http://x) text.\n\n",
        "html": "<p>Some <b>gross</b> margin &amp; <a href='x'>link</a> text.</p>\n",
        "yaml": "- headline: Some gross margin\n  body: \"text \\u00e9\"\n",
        "json": '{"headline": "Some gross margin", "body": "text \\u00e9"},\n',
    }[fmt]

    def timed(n: int) -> float:
        doc = unit * n
        if fmt == "json":
            doc = "[" + doc.rstrip(",\n") + "]"
        t = time.perf_counter()
        read_bytes(doc.encode(), f"big.{fmt}", fmt)
        return time.perf_counter() - t

    small, big = timed(2_000), timed(16_000)
    assert big < max(small, 0.01) * 8 * 3  # 8x the input: far from 64x (quadratic)


def test_a_broken_link_is_named_as_one(tmp_path: Path) -> None:
    link = tmp_path / "draft.md"
    link.symlink_to(tmp_path / "gone.md")
    with pytest.raises(ReadError) as info:
        read_source(link)
    assert "broken symbolic link" in info.value.message
    assert "gone.md" in info.value.message
    missing = tmp_path / "never.md"
    with pytest.raises(ReadError) as info:
        read_source(missing)
    assert info.value.message == "no such file or directory; check the path"


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_a_run_too_long_to_be_copy_is_a_read_error_at_its_start(fmt: str) -> None:
    # spaCy refuses a sentence over a million characters (E088), which stopped every file of
    # the run; one of 200,000 took 79 s to parse. Copy never runs 10,000 characters without a
    # full stop, question or exclamation mark or line break, so such a file is not read.
    data = b"Real copy here.\n\nsave time " + b"with stock levels and more " * 400 + b"\n"
    with pytest.raises(ReadError) as info:
        read_bytes(data, "big.txt", fmt)
    err = info.value
    assert (err.line, err.column) == (3, 1)
    assert "characters without a full stop" in err.message and "break it up" in err.message
    ok = b"Short sentence. " * 2000  # 32,000 characters, but none of its runs is long
    assert read_bytes(ok, "ok.txt", fmt).text.startswith("Short sentence.")

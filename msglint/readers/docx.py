"""Word documents (.docx) via python-docx.

Copy: body paragraphs (``Title`` style -> kind ``title``, ``Heading N``/``Subtitle`` ->
``heading``, list styles or numbered paragraphs -> ``list_item``, ``Quote`` styles -> quoted),
and table cells (each cell one block). Headers, footers, footnotes, comments and text boxes are
not read.

Positions. A .docx has no lines, so the Source's ``original`` is a synthetic text with one line
per paragraph, in document order, table cells included (row by row, left to right; a merged cell
counts once; a cell's paragraphs are joined by spaces; nested tables follow their cell). So a
finding's ``line`` is the paragraph number a writer can count to, and ``column`` the character
within that paragraph. Empty paragraphs count too.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from msglint.errors import ReadError
from msglint.readers.common import Emitter, finish_source
from msglint.source import BlockKind, Source

_LINE_BREAKS = re.compile(r"[\r\n\v\f\u2028\u2029\x85]")


def _style_name(par: Any) -> str:
    try:
        style = par.style
        return (style.name or "") if style is not None else ""
    except Exception:  # noqa: BLE001 - a broken style reference is not worth failing over
        return ""


def _kind(par: Any) -> tuple[BlockKind, bool]:
    name = _style_name(par).lower()
    quoted = "quote" in name
    if name == "title":
        return "title", quoted
    if name.startswith("heading") or name == "subtitle":
        return "heading", quoted
    if name.startswith("list"):
        return "list_item", quoted
    try:
        ppr = par._p.pPr
        if ppr is not None and ppr.numPr is not None:
            return "list_item", quoted
    except AttributeError:
        pass
    return ("blockquote" if quoted else "paragraph"), quoted


def _clean(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text)


def _cells(table: Any, seen: set[Any]) -> Iterator[tuple[str, BlockKind, bool]]:
    for row in table.rows:
        for cell in row.cells:
            key = cell._tc  # the element itself: ids of freed lxml proxies get reused
            if key in seen:
                continue  # a merged cell repeats across the cells it spans
            seen.add(key)
            yield " ".join(_clean(p.text) for p in cell.paragraphs), "table_cell", False
            for inner in cell.tables:
                yield from _cells(inner, seen)


def _items(doc: Any) -> Iterator[tuple[str, BlockKind, bool]]:
    from docx.table import Table

    seen: set[Any] = set()
    for item in doc.iter_inner_content():
        if isinstance(item, Table):
            yield from _cells(item, seen)
        else:
            kind, quoted = _kind(item)
            yield _clean(item.text), kind, quoted


def read_docx(data: bytes, display: str) -> Source:
    if not data:
        return finish_source(display, "docx", "", Emitter(""))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError("not a .docx file (not a zip archive); save it from Word as .docx, or "
                        "exclude it", display)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        items = list(_items(document))
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for broken files
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise ReadError(f"not a readable .docx file ({reason}); re-save it from Word, or "
                        "exclude it", display) from None
    original = "\n".join(text for text, _, _ in items)
    em = Emitter(original)
    pos = 0
    for text, kind, quoted in items:
        em.literal(pos, pos + len(text))
        em.end_block(kind, quoted=quoted)
        pos += len(text) + 1
    return finish_source(display, "docx", original, em)

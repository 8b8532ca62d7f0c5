"""Bytes -> str, with a clear error for what cannot be decoded.

UTF-8 (with or without a BOM) and UTF-16 with a BOM decode; anything else that is not valid
UTF-8 is an error naming the byte offset (and the line and column where it sits).
"""

from __future__ import annotations

import codecs

from msglint.errors import ReadError, utf8_error_at

# Magic numbers of common binary formats someone might name by mistake.
_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x7fELF",
          b"\xd0\xcf\x11\xe0")


def looks_binary(data: bytes) -> bool:
    return data.startswith(_MAGIC) or b"\x00" in data[:8192]


def decode_bytes(data: bytes, display: str) -> str:
    bom = 0
    if data.startswith(codecs.BOM_UTF8):
        bom = len(codecs.BOM_UTF8)
        data = data[bom:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(f"invalid UTF-16 at byte {exc.start}; re-save the file as UTF-8",
                            display) from None
    if looks_binary(data):
        raise ReadError("looks like a binary file, not text; exclude it or name a text file",
                        display)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = utf8_error_at(data, exc.start)
        # The position goes in line/column: text output prefixes path:line:col, JSON adds it to
        # the message and the error object (api._with_position), as for a YAML syntax error.
        raise ReadError(f"invalid UTF-8 at byte {exc.start + bom}; re-save the file as UTF-8",
                        display, line, column) from None

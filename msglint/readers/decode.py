"""Bytes -> str, with a clear error for what cannot be decoded."""

from __future__ import annotations

import codecs

from msglint.errors import ReadError


def decode_bytes(data: bytes, display: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(f"invalid UTF-16 at byte {exc.start}; re-save the file as UTF-8",
                            display) from None
    if b"\x00" in data[:8192]:
        raise ReadError("looks like a binary file, not text; exclude it or name a text file",
                        display)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReadError(f"invalid UTF-8 at byte {exc.start}; re-save the file as UTF-8",
                        display) from None

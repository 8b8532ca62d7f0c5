"""Format adapters: each turns one file into a :class:`~msglint.source.Source`.

Readers know nothing about themes or rules; they only decide what is copy and where it came from.
"""

from __future__ import annotations

from pathlib import Path

from msglint.errors import ReadError
from msglint.readers.decode import decode_bytes
from msglint.source import Source

# file suffix -> format name
FORMATS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
}


def format_for(path: Path) -> str | None:
    return FORMATS.get(path.suffix.lower())


def read_source(path: Path, display: str | None = None, fmt: str | None = None) -> Source:
    """Read ``path`` as ``fmt`` (guessed from its suffix when None). Raises ReadError."""
    display = display or str(path)
    fmt = fmt or format_for(path) or "text"
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ReadError("is a directory, not a file", display) from None
    except FileNotFoundError:
        raise ReadError("no such file; check the path", display) from None
    except PermissionError:
        raise ReadError("permission denied; make the file readable", display) from None
    except OSError as exc:
        raise ReadError(f"cannot read file ({exc.strerror or exc})", display) from None
    return read_bytes(data, display, fmt)


def read_bytes(data: bytes, display: str, fmt: str) -> Source:
    from msglint.readers import text

    original = decode_bytes(data, display)
    return text.read(original, display)

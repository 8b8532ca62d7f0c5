"""Format adapters: each turns one file into a :class:`~msglint.source.Source`.

Readers know nothing about themes or rules; they only decide what is copy and where it came from.
Every failure is a :class:`~msglint.errors.ReadError` with one line naming the file and what to do;
nothing else escapes ``read_source``/``read_bytes``. docs/formats.md describes each format.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from msglint.errors import ReadError
from msglint.readers.decode import decode_bytes
from msglint.source import Source

# file suffix -> format name
FORMATS: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".text": "text",
    ".docx": "docx",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
}
# Formats picked up when walking a directory; YAML/JSON assets only through ``assets`` globs.
DEFAULT_FORMATS = frozenset({"markdown", "html", "text", "docx"})
ASSET_FORMATS = frozenset({"yaml", "json"})
ALL_FORMATS = frozenset(FORMATS.values())
# Other names callers may use for a format (``lint_text(fmt="md")``).
_ALIASES = {"md": "markdown", "htm": "html", "txt": "text", "plain": "text", "yml": "yaml"}


def format_for(path: Path) -> str | None:
    return FORMATS.get(path.suffix.lower())


def normalize_format(fmt: str) -> str:
    f = fmt.lower().lstrip(".")
    return _ALIASES.get(f, f)


def broken_link(path: Path) -> str | None:
    """What to say of a path that is not there when it is a symbolic link whose target is gone
    (the link itself is there, so "no such file" would mislead); None otherwise."""
    if not path.is_symlink():
        return None
    return f"broken symbolic link (to {os.readlink(path)}); fix or remove the link"


def read_source(path: Path, display: str | None = None, fmt: str | None = None,
                data: bytes | None = None) -> Source:
    """Read ``path`` as ``fmt`` (guessed from its suffix when None). Raises ReadError.

    ``data``: the file's bytes when the caller has already read them.
    """
    display = display or str(path)
    fmt = fmt or format_for(path) or "text"
    if data is not None:
        return read_bytes(data, display, fmt)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ReadError("is a directory, not a file", display) from None
    except FileNotFoundError:
        raise ReadError(broken_link(path) or "no such file or directory; check the path",
                        display) from None
    except PermissionError:
        raise ReadError("permission denied; make the file readable", display) from None
    except OSError as exc:
        raise ReadError(f"cannot read file ({exc.strerror or exc})", display) from None
    return read_bytes(data, display, fmt)


def read_bytes(data: bytes, display: str, fmt: str) -> Source:
    """Turn a file's bytes into a Source. Raises ReadError, and nothing else, for bad input."""
    fmt = normalize_format(fmt)
    if fmt not in ALL_FORMATS:
        raise ReadError(f"unknown format '{fmt}'; use one of {', '.join(sorted(ALL_FORMATS))}",
                        display)
    try:
        source = _read(data, display, fmt)
    except ReadError:
        raise
    except RecursionError:
        raise ReadError(f"{fmt} is nested too deeply to read; simplify the file",
                        display) from None
    except MemoryError:
        raise ReadError("file too large to read", display) from None
    except Exception as exc:  # noqa: BLE001 - a reader bug must not become a traceback
        raise ReadError(f"could not read this {fmt} file (internal error: "
                        f"{type(exc).__name__}: {exc}); please report it", display) from None
    _check_runs(source, display)
    return source


# Copy never runs this long without a full stop, question or exclamation mark or line break;
# a run that does (a minified file, a data dump) is not copy. spaCy refuses a sentence over a
# million characters (E088), which stopped the whole run, and one of 200,000 took 79 s to parse.
MAX_RUN = 10_000
# Each run whole (greedy, so a file is scanned once: `[^.!?\n]{10001,}` would rescan up to
# 10,000 characters from every position of a file made of long runs).
_RUN = re.compile(r"[^.!?\n]+")


def _check_runs(source: Source, display: str) -> None:
    if len(source.text) <= MAX_RUN:
        return
    for run in _RUN.finditer(source.text):
        if run.end() - run.start() > MAX_RUN:
            at = source.locate(run.start(), run.start())
            raise ReadError(f"{run.end() - run.start():,} characters without a full stop, "
                            f"question or exclamation mark or line break (copy runs under "
                            f"{MAX_RUN:,}); break it up or exclude the file", display, at.line,
                            at.column)


def _read(data: bytes, display: str, fmt: str) -> Source:
    if fmt == "docx":
        from msglint.readers.docx import read_docx

        return read_docx(data, display)
    if fmt == "html":
        from msglint.readers import html

        return html.read(html.decode_html(data, display), display)
    original = decode_bytes(data, display)
    if fmt == "markdown":
        from msglint.readers import markdown

        return markdown.read(original, display)
    if fmt == "yaml":
        from msglint.readers.assets import read_yaml

        return read_yaml(original, display)
    if fmt == "json":
        from msglint.readers.assets import read_json

        return read_json(original, display)
    from msglint.readers import text

    return text.read(original, display)


__all__ = ["FORMATS", "DEFAULT_FORMATS", "ASSET_FORMATS", "format_for", "read_source",
           "read_bytes", "ReadError"]

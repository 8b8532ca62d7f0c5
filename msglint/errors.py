"""Errors a user can fix. Each renders as one line: where, what is wrong, what to do."""

from __future__ import annotations

from pathlib import Path


class MsglintError(Exception):
    """Base for every error msglint reports to a user instead of a traceback (exit code 2)."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        # Further problems found in the same pass (schema validation finds them all at once);
        # commands that check files (`profile validate`) print them too, runs stop at the first.
        self.others: list[MsglintError] = []

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return where + self.message


def position_note(line: int, column: int | None) -> str:
    """" (line L, column C)": how a read error's message carries its position (JSON keeps it
    there; the text reporter moves it to a path:line:col prefix)."""
    return f" (line {line}" + (f", column {column}" if column is not None else "") + ")"


def utf8_error_at(data: bytes, start: int) -> tuple[int, int]:
    """The 1-based line and column (in code points) of byte ``start`` of mostly-UTF-8 ``data``:
    where an invalid UTF-8 sequence sits, for the error that names it."""
    line = data.count(b"\n", 0, start) + 1
    line_start = data.rfind(b"\n", 0, start) + 1
    return line, len(data[line_start:start].decode("utf-8", "replace")) + 1


def read_utf8(path: Path, display: str, what: str) -> str:
    """A config or profile file's text; invalid UTF-8 is a ConfigError at its line and column.
    OSError (FileNotFoundError, ...) is the caller's to word."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"invalid UTF-8 at byte {exc.start}; save the {what} as UTF-8",
                          display, *utf8_error_at(data, exc.start)) from None


class ConfigError(MsglintError):
    """A bad profile, project config or theme pack."""


class ReadError(MsglintError):
    """A file that could not be read or decoded; the other files are still linted."""

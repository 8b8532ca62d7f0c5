"""Errors a user can fix. Each renders as one line: where, what is wrong, what to do."""

from __future__ import annotations


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


class ConfigError(MsglintError):
    """A bad profile, project config or theme pack."""


class ReadError(MsglintError):
    """A file that could not be read or decoded; the other files are still linted."""

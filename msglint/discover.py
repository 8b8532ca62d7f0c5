"""Which files to lint: paths from the command line -> an ordered list of Targets.

Rules (docs/formats.md has the user-facing version):

- Files named on the command line are always linted, whatever their suffix (unknown suffixes
  are read as plain text), even when hidden or matching ``exclude`` - as ruff does. Pass
  ``force_exclude=True`` (``--force-exclude``) to apply ``exclude`` to them too.
- Directories are walked depth first, entries sorted by name (code point order), so output is
  deterministic. Hidden files and folders (name starting with ``.``) and ``node_modules`` are
  skipped; so is anything matching an ``exclude`` glob (a matching directory is not entered).
- In a walked directory, Markdown, HTML, plain text and .docx files are picked by suffix; YAML and
  JSON campaign assets only when they match an ``assets`` glob.
- Globs are relative to ``root`` and use ``/``: ``*`` and ``?`` stay within one path segment,
  ``**`` spans any number of segments, ``[abc]``/``[!abc]`` are classes. A glob without ``/``
  matches at any depth (``*.bak`` = ``**/*.bak``); a leading ``/`` anchors it at the root.
- A path that does not exist, or a directory that cannot be read, becomes a Target with
  ``error`` set so the caller can lint the rest and exit 2 afterwards.
- A file reached twice (named twice, or named and inside a named directory) is linted once.
- Symbolic links are followed; a directory already walked (a symlink loop) is not walked again.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from msglint.readers import ASSET_FORMATS, DEFAULT_FORMATS, FORMATS, broken_link

SKIP_DIRS = frozenset({"node_modules"})


@dataclass(frozen=True, slots=True)
class Target:
    path: Path
    display: str
    format: str | None
    error: str | None = None


# -- globs ---------------------------------------------------------------------------------------

def validate_glob(pattern: str) -> str | None:
    """None if ``pattern`` is a usable glob, else what is wrong with it (one line)."""
    if not isinstance(pattern, str) or not pattern.strip():
        return "empty pattern"
    if "\\" in pattern:
        return "use '/' to separate folders (backslashes are not allowed)"
    if "\0" in pattern:
        return "contains a NUL character"
    for seg in pattern.strip("/").split("/"):
        if "**" in seg and seg != "**":
            return "'**' must be a whole path segment, as in 'a/**/b'"
    i = 0
    while i < len(pattern):
        if pattern[i] == "[":
            j = i + 1
            if j < len(pattern) and pattern[j] in "!^":
                j += 1
            if j < len(pattern) and pattern[j] == "]":
                j += 1
            while j < len(pattern) and pattern[j] != "]":
                if pattern[j] == "/":
                    return "a '[...]' class cannot contain '/'"
                j += 1
            if j >= len(pattern):
                return "unclosed '[' (write '[[]' for a literal '[')"
            i = j
        i += 1
    try:
        _compile(pattern)
    except re.error as exc:
        return f"not a valid pattern ({exc})"
    return None


def _translate_segment(seg: str) -> str:
    out = []
    i, n = 0, len(seg)
    while i < n:
        ch = seg[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            j = i + 1
            neg = j < n and seg[j] in "!^"
            if neg:
                j += 1
            k = j + 1 if j < n and seg[j] == "]" else j  # a leading ']' is literal
            while k < n and seg[k] != "]":
                k += 1
            if k >= n:
                out.append(re.escape(ch))
            else:
                body = seg[j:k].replace("\\", "\\\\").replace("[", "\\[")
                if body.startswith("]"):
                    body = "\\" + body
                out.append(("[^/" if neg else "[") + body + "]")
                i = k
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    anchored = pattern.startswith("/")
    pat = pattern.strip("/")
    while pat.startswith("./"):
        pat = pat[2:]
    segs = [s for s in pat.split("/") if s not in ("", ".")]
    if not anchored and len(segs) == 1 and segs[0] != "**":
        segs = ["**"] + segs
    parts: list[str] = []
    for idx, seg in enumerate(segs):
        last = idx == len(segs) - 1
        if seg == "**":
            parts.append(".*" if last else "(?:[^/]+/)*")
        else:
            parts.append(_translate_segment(seg) + ("" if last else "/"))
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def glob_match(pattern: str, relpath: str) -> bool:
    """Does ``relpath`` (relative to the root, ``/``-separated) match ``pattern``?"""
    rel = relpath.replace(os.sep, "/")
    while rel.startswith("./"):
        rel = rel[2:]
    try:
        return _compile(pattern).match(rel) is not None
    except re.error:
        return False  # validate_glob reports it; a bad glob matches nothing


def _dir_excluded(patterns: Iterable[str], rel: str) -> bool:
    """A directory is excluded when it matches, or everything inside it would (``a/**``)."""
    for p in patterns:
        if glob_match(p, rel):
            return True
        stripped = p.rstrip("/")
        if stripped.endswith("/**") and glob_match(stripped[:-3] or "/", rel):
            return True
    return False


# -- walking -------------------------------------------------------------------------------------

class _Walker:
    def __init__(self, root: Path, exclude: list[str], assets: list[str]) -> None:
        self.root = Path(os.path.abspath(root))
        try:
            self.root_real = Path(os.path.realpath(root))
        except OSError:
            self.root_real = self.root
        self.exclude = list(exclude)
        self.assets = list(assets)
        self.cwd = Path(os.path.abspath(os.getcwd()))
        self.out: list[Target] = []
        self.seen_files: set[str] = set()
        self.seen_dirs: set[tuple[int, int]] = set()

    def rel_to_root(self, path: Path) -> str | None:
        ab = Path(os.path.abspath(path))
        for base in (self.root, self.root_real):
            try:
                return ab.relative_to(base).as_posix()
            except ValueError:
                pass
        try:
            return Path(os.path.realpath(path)).relative_to(self.root_real).as_posix()
        except (ValueError, OSError):
            return None

    def display(self, path: Path) -> str:
        ab = Path(os.path.abspath(path))
        try:
            return ab.relative_to(self.cwd).as_posix()
        except ValueError:
            return path.as_posix()

    def excluded(self, rel: str | None, is_dir: bool) -> bool:
        if rel is None or not self.exclude or rel in ("", "."):
            return False
        if is_dir:
            return _dir_excluded(self.exclude, rel)
        if any(glob_match(p, rel) for p in self.exclude):
            return True
        # A file inside an excluded directory.
        parts = rel.split("/")
        return any(_dir_excluded(self.exclude, "/".join(parts[:i])) for i in range(1, len(parts)))

    def add(self, path: Path, display: str, fmt: str | None, error: str | None = None) -> None:
        key = os.path.abspath(path)
        if error is None:
            if key in self.seen_files:
                return
            self.seen_files.add(key)
        self.out.append(Target(path, display, fmt, error))

    def explicit(self, path: Path, force_exclude: bool) -> None:
        display = self.display(path)
        try:
            st = path.stat()
        except FileNotFoundError:
            self.add(path, display, None, broken_link(path) or "no such file or directory; "
                     "check the path (it is relative to the current directory)")
            return
        except PermissionError:
            self.add(path, display, None, "permission denied; make it readable")
            return
        except OSError as exc:
            self.add(path, display, None, f"cannot access ({exc.strerror or exc})")
            return
        import stat as stat_mod

        is_dir = stat_mod.S_ISDIR(st.st_mode)
        if force_exclude and self.excluded(self.rel_to_root(path), is_dir):
            return
        if is_dir:
            rel = self.rel_to_root(path)
            self.walk(path, display, rel)
            return
        self.add(path, display, FORMATS.get(path.suffix.lower(), "text"))

    def _list(self, dir_path: str, display: str) -> list[os.DirEntry[str]] | None:
        """Sorted entries of a directory not walked before; None (and an error Target) if it
        cannot be read."""
        try:
            st = os.stat(dir_path)
            key = (st.st_dev, st.st_ino)
            if key in self.seen_dirs:
                return []  # a symlink back to a directory already walked
            self.seen_dirs.add(key)
            with os.scandir(dir_path) as it:
                return sorted(it, key=lambda e: e.name)
        except PermissionError:
            error = ("permission denied: cannot read this directory; fix its permissions or "
                     "exclude it")
        except FileNotFoundError:
            error = "no such file or directory (it went away while being walked); run again"
        except OSError as exc:
            error = f"cannot read this directory ({exc.strerror or exc})"
        self.add(Path(dir_path), display, None, error)
        return None

    def walk(self, top: Path, top_display: str, top_rel: str | None) -> None:
        """Depth first, entries in name order; an explicit stack so depth is unlimited."""
        entries = self._list(str(top), top_display)
        if entries is None:
            return
        prefix = "" if top_display in ("", ".") else top_display.rstrip("/") + "/"
        frames = [(iter(entries), prefix, top_rel)]
        while frames:
            it, prefix, dir_rel = frames[-1]
            entry = next(it, None)
            if entry is None:
                frames.pop()
                continue
            name = entry.name
            if name.startswith(".") or name in SKIP_DIRS:
                continue
            rel = None if dir_rel is None else (
                name if dir_rel in ("", ".") else f"{dir_rel}/{name}")
            display = prefix + name
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            if is_dir:
                if not self.excluded(rel, True):
                    sub = self._list(entry.path, display)
                    if sub:
                        frames.append((iter(sub), display + "/", rel))
                continue
            fmt = FORMATS.get(os.path.splitext(name)[1].lower())
            if fmt is None:
                continue
            if fmt in ASSET_FORMATS:
                if rel is None or not any(glob_match(p, rel) for p in self.assets):
                    continue
            elif fmt not in DEFAULT_FORMATS:
                continue
            if rel is not None and any(glob_match(p, rel) for p in self.exclude):
                continue  # (its folders were checked on the way down)
            try:
                if not entry.is_file():  # follows symlinks
                    # A named pipe, socket or device: reading it would block the run (or
                    # never end). A broken symlink raises below and is reported when read.
                    entry.stat()
                    continue
            except OSError:
                pass
            self.add(Path(entry.path), display, fmt)


def discover(paths: list[Path], *, root: Path, exclude: list[str], assets: list[str],
             force_exclude: bool = False) -> list[Target]:
    """The files to lint, in order: arguments in the order given, directories walked sorted."""
    walker = _Walker(root, exclude, assets)
    for p in paths:
        walker.explicit(Path(p), force_exclude)
    return walker.out


__all__ = ["Target", "discover", "glob_match", "validate_glob"]

"""The result cache: an unchanged file under the same settings is never analysed twice.

Why: a pre-commit hook lints one or two files, and importing spaCy plus loading its pipeline
(~1.5 s) costs far more than everything else together. When every file is cached, no spaCy
module is imported at all.

Key (sha256 over all of these; any change is a miss):

- the file's bytes (not its mtime), its display path and the reader format;
- the profile (``Profile.fingerprint`` and id), the run's rule overrides (config ``rules:``)
  and config ``min_words``;
- whether the semantic layer is on, and then its embedding model's package version;
- the voice word model (rules/voice-words.json, msglint.wordvoice), by its bytes;
- the theme word model (rules/theme-words.json, msglint.wordthemes), by its bytes;
- the rules catalogue (``Catalogue.fingerprint``), the spaCy model (name and its ``meta.json``)
  and the installed spaCy, thinc, markdown-it, python-docx and PyYAML (path, size and mtime of
  their ``__init__.py``, which an upgrade rewrites);
- msglint's version and a fingerprint of its source files (name, size, mtime), so editing the
  code in a checkout never serves results computed by older code;
- ``FORMAT_VERSION`` below, bumped whenever the stored shape changes.

Value: the :class:`~msglint.models.FileResult` as JSON inside an envelope that names the format,
its version and the key. A cache file is never trusted: it is parsed as JSON (never pickle) and
every field is checked against the dataclass types; anything unexpected (truncated, corrupt,
written by another program or version) is a miss, and the entry is rewritten.

The same store keeps a validated snapshot of the rules catalogue (keyed by the exact bytes of its
files) and remembers which YAML documents already passed their JSON Schema, so a fully cached run
skips parsing the theme files and never imports jsonschema.

Writes are atomic (a temporary file in the same folder, then ``os.replace``), so concurrent runs
never see half a file. The store is bounded: at most once a day a run removes entries not used
for ``MAX_AGE_DAYS`` and, beyond ``MAX_BYTES``, the least recently used ones (a hit refreshes an
entry's mtime).

Location: ``MSGLINT_CACHE_DIR`` if set, else ``platformdirs.user_cache_dir("msglint")``.
``set_enabled(False)`` (the CLI's ``--no-cache``) turns every read and write off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import time
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msglint import __version__, wordthemes, wordvoice
from msglint.models import FileResult
from msglint.nlp import package_dir

if TYPE_CHECKING:
    from msglint.catalogue import Catalogue
    from msglint.profile import Profile

FORMAT_NAME = "msglint-cache"
FORMAT_VERSION = 1
ENV_DIR = "MSGLINT_CACHE_DIR"
MAX_AGE_DAYS = 30
MAX_BYTES = 256 * 1024 * 1024
PRUNE_EVERY_S = 24 * 3600
_TMP_PREFIX = ".tmp-"
_STAMP = ".last-prune"


def default_dir() -> Path:
    """``$MSGLINT_CACHE_DIR``, else the user cache folder (``~/.cache/msglint`` on Linux)."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env).expanduser()
    import platformdirs  # only when needed: ~10 ms of imports

    return Path(platformdirs.user_cache_dir("msglint", appauthor=False))


def digest(*parts: str | bytes) -> str:
    """sha256 over length-prefixed parts (so ("ab", "c") and ("a", "bc") differ)."""
    h = hashlib.sha256()
    for part in parts:
        b = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


_code_fp: str | None = None


def code_fingerprint() -> str:
    """msglint's version plus (name, size, mtime_ns) of every .py file of the package.

    Stat-only (about 50 files, well under a millisecond): in a checkout, editing any module
    invalidates cached results; in an installed wheel, nothing changes until an upgrade.
    """
    global _code_fp
    if _code_fp is None:
        root = Path(__file__).resolve().parent
        rows: list[str] = [__version__, str(FORMAT_VERSION)]
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir() and entry.name != "__pycache__":
                    stack.append(Path(entry.path))
                elif entry.name.endswith(".py"):
                    st = entry.stat()
                    rows.append(f"{os.path.relpath(entry.path, root)}:{st.st_size}:"
                                f"{st.st_mtime_ns}")
        _code_fp = digest(*rows)
    return _code_fp


# Third-party packages whose behaviour shapes a result; an upgrade rewrites their __init__.py.
_RESULT_PACKAGES = ("spacy", "thinc", "markdown_it", "docx", "yaml")


def model_identity(name: str | None) -> str:
    """The spaCy pipeline (name, ``meta.json``) and the packages results depend on.

    Never imports them: ``find_spec`` plus a stat or a small read each (about a millisecond in
    all); ``importlib.metadata`` alone would cost ~40 ms of imports on every cached run.
    """
    from msglint.nlp import resolve_model

    try:
        model = resolve_model(name)
    except Exception:  # noqa: BLE001 - no model: the uncached path reports it properly
        return f"missing:{name}"
    parts = [model]
    folder: Path | None = Path(model) if Path(model).is_dir() else package_dir(model)
    if folder is not None:
        parts.append(_read_small(folder / "meta.json"))
    for package in _RESULT_PACKAGES:
        pkg = package_dir(package)
        if pkg is None:
            parts.append(f"{package}:absent")
            continue
        try:
            st = (pkg / "__init__.py").stat()
            parts.append(f"{package}:{pkg}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{package}:{pkg}")
    return digest(*parts)


def _read_small(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[:20000]
    except OSError:
        return f"unreadable:{path}"


# -- JSON codec for the dataclasses in models.py, profile.py and catalogue.py -------------------
#
# Generic over the dataclass fields and their type hints, so a field added to FileResult is
# cached without touching this module (and the code fingerprint turns old entries into misses).

class BadEntry(ValueError):
    """A cache file whose content does not have the expected shape."""


def to_jsonable(value: Any) -> Any:
    """Dataclasses -> dicts, tuples -> lists; everything else must already be JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


_hints: dict[type, dict[str, Any]] = {}


def _fields(cls: type) -> dict[str, Any]:
    if cls not in _hints:
        resolved = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
        _hints[cls] = {f.name: resolved[f.name] for f in dataclasses.fields(cls)
                       if f.init and not f.name.startswith("_")}
    return _hints[cls]


def from_jsonable(tp: Any, data: Any, where: str = "$") -> Any:
    """Rebuild a value of type ``tp`` from JSON data, checking every field; BadEntry if not."""
    if tp is Any:
        return data
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(data, dict):
            raise BadEntry(f"{where}: expected an object")
        fields = _fields(tp)
        if set(data) != set(fields):
            raise BadEntry(f"{where}: fields {sorted(data)} != {sorted(fields)}")
        return tp(**{name: from_jsonable(ftp, data[name], f"{where}.{name}")
                     for name, ftp in fields.items()})
    if origin is typing.Literal:
        if data not in args or type(data) is not type(args[0]):
            raise BadEntry(f"{where}: {data!r} not one of {args}")
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None:
            if type(None) in args:
                return None
            raise BadEntry(f"{where}: null not allowed")
        options = [a for a in args if a is not type(None)]
        last: BadEntry | None = None
        for option in options:
            try:
                return from_jsonable(option, data, where)
            except BadEntry as exc:
                last = exc
        raise last or BadEntry(where)
    if origin is list:
        if not isinstance(data, list):
            raise BadEntry(f"{where}: expected a list")
        return [from_jsonable(args[0], v, f"{where}[{i}]") for i, v in enumerate(data)]
    if origin is tuple:
        if not isinstance(data, list):
            raise BadEntry(f"{where}: expected a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_jsonable(args[0], v, f"{where}[{i}]") for i, v in enumerate(data))
        if len(args) != len(data):
            raise BadEntry(f"{where}: expected {len(args)} items")
        return tuple(from_jsonable(a, v, f"{where}[{i}]")
                     for i, (a, v) in enumerate(zip(args, data, strict=True)))
    if origin is dict:
        if not isinstance(data, dict):
            raise BadEntry(f"{where}: expected an object")
        return {k: from_jsonable(args[1], v, f"{where}.{k}") for k, v in data.items()}
    if tp is float:
        if type(data) not in (int, float):
            raise BadEntry(f"{where}: expected a number")
        return float(data)
    if tp in (str, int, bool):
        if type(data) is not tp:
            raise BadEntry(f"{where}: expected {tp.__name__}")
        return data
    if tp is type(None):
        if data is not None:
            raise BadEntry(f"{where}: expected null")
        return None
    if tp is Path:
        if not isinstance(data, str):
            raise BadEntry(f"{where}: expected a path")
        return Path(data)
    raise BadEntry(f"{where}: cannot rebuild type {tp!r}")


def file_result_to_dict(result: FileResult) -> dict[str, Any]:
    return to_jsonable(result)  # type: ignore[no-any-return]


def file_result_from_dict(data: Any) -> FileResult:
    """Raises BadEntry when ``data`` is not exactly a serialised FileResult."""
    return from_jsonable(FileResult, data)  # type: ignore[no-any-return]


# -- the store ----------------------------------------------------------------------------------

class Store:
    """JSON entries under ``root/<kind>/<key[:2]>/<key>.json``, each in a checked envelope."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_dir()
        self.wrote = False

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.json"

    def read(self, kind: str, key: str) -> Any | None:
        """The payload stored under ``key``, or None (missing, unreadable or not ours)."""
        path = self._path(kind, key)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        try:
            doc = json.loads(raw)
        except (ValueError, RecursionError):
            return None
        if not (isinstance(doc, dict) and doc.get("format") == FORMAT_NAME
                and doc.get("version") == FORMAT_VERSION and doc.get("kind") == kind
                and doc.get("key") == key and "data" in doc):
            return None
        try:
            os.utime(path)  # least recently *used* goes first when pruning
        except OSError:
            pass
        return doc["data"]

    def write(self, kind: str, key: str, data: Any) -> bool:
        """Store atomically; False (and nothing left behind) if the folder is not writable."""
        path = self._path(kind, key)
        body = json.dumps({"format": FORMAT_NAME, "version": FORMAT_VERSION, "kind": kind,
                           "key": key, "data": data}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
        tmp = path.with_name(f"{_TMP_PREFIX}{os.getpid()}-{os.urandom(6).hex()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(body)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            os.replace(tmp, path)
        except OSError:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
            return False
        self.wrote = True
        return True

    # -- bounding ---------------------------------------------------------------------------
    def maybe_prune(self) -> None:
        """Prune at most once per PRUNE_EVERY_S (one stat otherwise)."""
        stamp = self.root / _STAMP
        try:
            if time.time() - stamp.stat().st_mtime < PRUNE_EVERY_S:
                return
        except OSError:
            pass
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            stamp.touch()
        except OSError:
            return
        self.prune()

    def prune(self, max_age_days: float = MAX_AGE_DAYS, max_bytes: int = MAX_BYTES) -> int:
        """Remove stale and least recently used entries; return how many files went."""
        now = time.time()
        entries: list[tuple[float, int, str]] = []
        removed = 0
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                full = os.path.join(dirpath, name)
                try:
                    st = os.stat(full)
                except OSError:
                    continue
                age = now - st.st_mtime
                stale_tmp = name.startswith(_TMP_PREFIX) and age > 3600
                if stale_tmp or (name.endswith(".json") and age > max_age_days * 86400):
                    removed += _unlink(full)
                elif name.endswith(".json"):
                    entries.append((st.st_mtime, st.st_size, full))
        total = sum(size for _, size, _ in entries)
        if total > max_bytes:
            entries.sort()
            target = max_bytes * 0.8
            for _, size, full in entries:
                if total <= target:
                    break
                removed += _unlink(full)
                total -= size
        return removed


def _unlink(path: str) -> int:
    try:
        os.unlink(path)
        return 1
    except OSError:
        return 0


# -- results ------------------------------------------------------------------------------------

class ResultCache:
    """FileResults keyed by file bytes and every setting that can change them."""

    KIND = "results"

    def __init__(self, store: Store, *, catalogue: Catalogue, model: str | None,
                 rules: dict[str, str], semantic: bool = False, min_words: int = 0) -> None:
        self.store = store
        self.base = digest(code_fingerprint(), catalogue.fingerprint, model_identity(model),
                           json.dumps(rules, sort_keys=True), _semantic_identity(semantic),
                           str(min_words), "voice-words:" + wordvoice.identity(),
                           "theme-words:" + wordthemes.identity())
        self.hits = 0
        self.misses = 0

    def key(self, data: bytes, display: str, fmt: str | None, profile: Profile) -> str:
        return digest(self.base, profile.id, profile.fingerprint, display, fmt or "",
                      hashlib.sha256(data).digest())

    def get(self, key: str) -> FileResult | None:
        payload = self.store.read(self.KIND, key)
        if payload is not None:
            try:
                result = file_result_from_dict(payload)
            except (BadEntry, TypeError, ValueError, KeyError, RecursionError):
                result = None
            if result is not None:
                self.hits += 1
                return result
        self.misses += 1
        return None

    def put(self, key: str, result: FileResult) -> None:
        if result.error is None:
            self.store.write(self.KIND, key, file_result_to_dict(result))


def _semantic_identity(on: bool) -> str:
    """'' without the semantic layer; else its embedding model's name and version."""
    if not on:
        return ""
    from msglint.semantic import identity

    return "semantic:" + identity()


# -- catalogue snapshot and known-valid documents ---------------------------------------------
#
# Parsing the theme files with PyYAML and validating them costs ~0.2-0.5 s and importing
# jsonschema ~50-80 ms: more than the rest of a cached run. Both are skipped when the bytes are
# known: the catalogue is stored as a checked JSON snapshot keyed by its files' contents, and a
# YAML document (profile, config, theme) whose exact data already passed a schema is not
# validated again. Errors are never stored, so a bad file reports the same line:col every time.

_enabled = True
_valid_seen: set[str] = set()


def set_enabled(flag: bool) -> None:
    """Turn every cache use in this process on or off (``--no-cache`` turns it off)."""
    global _enabled
    _enabled = flag


def enabled() -> bool:
    return _enabled


def catalogue_snapshot(root: Path, load: Callable[[Path], Catalogue]) -> Catalogue:
    """``load(root)``, or its snapshot when the rule files' bytes are those it was built from."""
    from msglint.catalogue import Catalogue

    if not _enabled:
        return load(root)
    h = hashlib.sha256()
    try:
        files = sorted((root / "themes").glob("*.yaml")) + sorted((root / "checks").glob("*.yaml"))
        for path in files:
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    except OSError:
        return load(root)
    store = Store()
    key = digest(code_fingerprint(), str(root.resolve()), h.hexdigest())
    payload = store.read("catalogue", key)
    if payload is not None:
        try:
            return from_jsonable(Catalogue, payload)  # type: ignore[no-any-return]
        except (BadEntry, TypeError, ValueError, KeyError, RecursionError):
            pass
    catalogue = load(root)
    store.write("catalogue", key, to_jsonable(catalogue))
    return catalogue


def _valid_key(schema: Any, data: Any) -> str:
    def tagged(o: Any) -> Any:  # dates and other YAML scalars: never equal to their string
        return {"__type__": type(o).__name__, "value": str(o)}

    return digest(code_fingerprint(), json.dumps(schema, sort_keys=True, default=tagged),
                  json.dumps(data, sort_keys=True, default=tagged))


def known_valid(schema: Any, data: Any) -> bool:
    """True when exactly this data already passed exactly this schema."""
    if not _enabled:
        return False
    try:
        key = _valid_key(schema, data)
    except (TypeError, ValueError, RecursionError):
        return False
    if key in _valid_seen:
        return True
    if Store().read("valid", key) is True:
        _valid_seen.add(key)
        return True
    return False


def remember_valid(schema: Any, data: Any) -> None:
    if not _enabled:
        return
    try:
        key = _valid_key(schema, data)
    except (TypeError, ValueError, RecursionError):
        return
    _valid_seen.add(key)
    Store().write("valid", key, True)

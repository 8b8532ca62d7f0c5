"""Project configuration (CONTRACT.md section 5): `.msglint.yaml` or `[tool.msglint]`.

Found by walking up from the current directory; `--config FILE` overrides the search. Paths
inside are relative to the config file. Validation is strict, with file:line:col.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msglint import yamlmarks
from msglint.errors import ConfigError, read_utf8
from msglint.profile import shipped_profile

CONFIG_NAMES = (".msglint.yaml", ".msglint.yml")
FAIL_LEVELS = ["error", "warning", "info", "never"]

CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://msglint.dev/schema/config.json",
    "title": "msglint project configuration",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "profile": {"type": "string", "description": "Default profile for every file."},
        "overrides": {
            "type": "array", "description": "Per-path profiles; later entries win.",
            "items": {"type": "object", "additionalProperties": False,
                      "required": ["paths", "profile"],
                      "properties": {"paths": {"type": "array", "minItems": 1,
                                               "items": {"type": "string"}},
                                     "profile": {"type": "string"}}}},
        "exclude": {"type": "array", "items": {"type": "string"},
                    "description": "Globs of files and folders never linted from a directory."},
        "assets": {"type": "array", "items": {"type": "string"},
                   "description": "Globs of YAML/JSON campaign assets to lint."},
        "rules": {"type": "object",
                  "additionalProperties": {"enum": ["error", "warning", "info", "off", False]},
                  "description": "Check id -> severity or off (beats the profile's checks)."},
        "model": {"type": "string", "description": "spaCy pipeline to load (package or path)."},
        "fail_on": {"enum": FAIL_LEVELS, "description": "Lowest severity that fails the run."},
        "min_score": {"type": "integer", "minimum": 0, "maximum": 100},
        "min_words": {"type": "integer", "minimum": 0,
                      "description": "Files with fewer words of copy skip the whole-file checks "
                                     "(missing-drivers, vendor-voice) and min_score."},
        "semantic": {"type": "boolean",
                     "description": "Also match themes by meaning (needs the msglint[semantic] "
                                    "extra); same as --semantic."},
    },
}


@dataclass
class Config:
    path: Path | None = None  # the config file, None when there is none
    root: Path = field(default_factory=Path.cwd)  # paths and globs are relative to this
    profile: Path | None = None
    overrides: list[tuple[list[str], Path]] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    rules: dict[str, str] = field(default_factory=dict)
    model: str | None = None
    fail_on: str | None = None
    min_score: int | None = None
    # Copy shorter than this skips the whole-file checks: a one-line tagline or a button label
    # cannot cover the segment's drivers, and one sentence is no sample of a voice.
    min_words: int = 0
    semantic: bool = False
    origins: dict[str, str] = field(default_factory=dict)  # key -> where its value came from
    # key -> (line, column) of the key in the config file, for errors found only at run time
    positions: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)

    def profile_for(self, file: Path) -> Path | None:
        """The profile for ``file``: the last matching override, else the default."""
        from msglint.discover import glob_match

        chosen = self.profile
        try:
            rel = file.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            rel = None
        if rel is not None:
            for globs, profile in self.overrides:
                if any(glob_match(g, rel) for g in globs):
                    chosen = profile
        return chosen


def find_config(start: Path) -> Path | None:
    """Walk up from ``start``: .msglint.yaml/.yml first, then pyproject.toml with [tool.msglint]."""
    here = start.resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


# A [tool.msglint] (or [tool.msglint.x]) header, found by text so that a pyproject.toml that is
# not valid TOML but meant to configure msglint is reported, not silently skipped.
_TOOL_HEADER = re.compile(r"^\s*\[\s*tool\s*\.\s*msglint\s*(?:[\].]|$)", re.M)


def _has_tool_table(pyproject: Path) -> bool:
    try:
        raw = pyproject.read_bytes()
    except OSError:
        return False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:  # reported by load_config if it is meant for msglint
        return bool(_TOOL_HEADER.search(raw.decode("utf-8", "replace")))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return bool(_TOOL_HEADER.search(text))
    return isinstance(data.get("tool"), dict) and "msglint" in data["tool"]


def load_config(path: Path | None, display: str | None = None) -> Config:
    if path is None:
        return Config()
    display = display or _display(path)
    try:
        text = read_utf8(path, display, "config")
    except FileNotFoundError:
        raise ConfigError("config file not found; check the --config path", display) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config ({exc.strerror or exc}); check the file",
                          display) from None
    if path.name == "pyproject.toml":
        doc = _toml_doc(text, display)
    else:
        doc = yamlmarks.load(text, display)
        if doc.data is None:
            doc.data = {}
    yamlmarks.validate(doc, CONFIG_SCHEMA, "config")
    return _build(doc, path)


def _toml_doc(text: str, display: str) -> yamlmarks.Marked:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib (Python 3.11) gives the position only inside its message.
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        what = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "",
                      str(exc))
        raise ConfigError(f"invalid TOML: {what}; fix the file or remove its [tool.msglint] "
                          "table", display, int(where[1]) if where else None,
                          int(where[2]) if where else None) from None
    table = (data.get("tool") or {}).get("msglint") or {}
    # tomllib keeps no positions; find each key's line in the [tool.msglint] section by text.
    values: dict[tuple[str | int, ...], tuple[int, int]] = {}
    in_table = False
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.startswith("[tool.msglint")
            if in_table:
                values.setdefault((), (n, 1))
            continue
        if in_table and "=" in stripped and not stripped.startswith("#"):
            key = stripped.split("=", 1)[0].strip().strip('"')
            values.setdefault((key,), (n, line.index(key) + 1 if key in line else 1))
    return yamlmarks.Marked(table, values, dict(values), display)


def _build(doc: yamlmarks.Marked, path: Path) -> Config:
    from msglint.discover import validate_glob

    data: dict[str, Any] = doc.data
    root = path.parent.resolve()
    where = f"{doc.path}"
    cfg = Config(path=path, root=root)

    def profile_path(value: str, at: tuple[str | int, ...]) -> Path:
        p = (root / value)
        if p.is_file():
            return p
        # A bare name is a shipped sample, as for --profile and a profile's `extends`.
        shipped = shipped_profile(value)
        if shipped is not None:
            return shipped
        raise doc.error(at, f"profile '{value}' not found (looked for {p}); fix the path, "
                            "which is relative to the config file, or give a shipped sample's "
                            "name")

    if "profile" in data:
        cfg.profile = profile_path(data["profile"], ("profile",))
        cfg.origins["profile"] = where
    for i, item in enumerate(data.get("overrides", [])):
        for j, g in enumerate(item["paths"]):
            problem = validate_glob(g)
            if problem:
                raise doc.error(("overrides", i, "paths", j), f"bad glob '{g}': {problem}")
        cfg.overrides.append((list(item["paths"]), profile_path(item["profile"],
                                                                 ("overrides", i, "profile"))))
        cfg.origins["overrides"] = where
    for key in ("exclude", "assets"):
        for j, g in enumerate(data.get(key, [])):
            problem = validate_glob(g)
            if problem:
                raise doc.error((key, j), f"bad glob '{g}': {problem}")
        if key in data:
            setattr(cfg, key, list(data[key]))
            cfg.origins[key] = where
    if "rules" in data:
        from msglint.catalogue import load_catalogue

        known = set(load_catalogue().checks)
        for rid in data["rules"]:
            if rid not in known:
                hint = yamlmarks.closest(rid, known)
                raise doc.error(("rules", rid), f"unknown check id '{rid}'" +
                                (f" (did you mean '{hint}'?)" if hint else "") +
                                f"; valid ids: {', '.join(sorted(known))}", key=True)
        # YAML 1.1 reads a bare `off` as false.
        cfg.rules = {k: ("off" if v is False else v) for k, v in data["rules"].items()}
        cfg.origins["rules"] = where
    if "model" in data:
        # A pipeline folder is relative to the config file, like every path in it; anything
        # else must be an installed package. Checked now, where the line is known: spaCy
        # would fail only when the run loads it, naming no file.
        local = root / data["model"]
        if local.exists():
            cfg.model = str(local)
        else:
            from msglint.nlp import package_dir, resolve_model

            if package_dir(resolve_model(data["model"])) is None:
                raise doc.error(("model",), f"spaCy pipeline '{data['model']}' not found: no "
                                f"installed package of that name and no folder {local}; "
                                "install it or fix the path, which is relative to the config "
                                "file")
            cfg.model = data["model"]
        cfg.origins["model"] = where
    for key in ("fail_on", "min_score", "min_words", "semantic"):
        if key in data:
            setattr(cfg, key, data[key])
            cfg.origins[key] = where
            cfg.positions[key] = doc.where((key,), True)
    return cfg


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

"""Segment profiles: what a segment values (drivers), what is off-target and why, in YAML.

Validation is strict and points into the user's file: unknown keys, unknown theme ids and wrong
types are errors at ``file:line:col`` that list the valid values and suggest the closest one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msglint import yamlmarks
from msglint.catalogue import THEME_SCHEMA, Catalogue, Theme, theme_from_data
from msglint.errors import ConfigError, MsglintError, read_utf8
from msglint.models import Role

SEVERITY_OR_OFF = ["error", "warning", "info", "off"]
_ID_PATTERN = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"


def profile_schema(catalogue: Catalogue | None = None) -> dict[str, Any]:
    """The JSON Schema of a profile file; theme ids are offered for completion when known."""
    theme_ids = sorted(catalogue.themes) if catalogue else []
    check_ids = sorted(catalogue.checks) if catalogue else []
    theme_key: dict[str, Any] = {"type": "string", "pattern": _ID_PATTERN}
    if theme_ids:
        # Built-in ids for completion; the pattern admits the profile's own themes.
        theme_key = {"anyOf": [{"enum": theme_ids}, {"type": "string", "pattern": _ID_PATTERN}]}
    driver = {
        "oneOf": [
            {"type": "number", "exclusiveMinimum": 0, "description": "Weight (shorthand)."},
            {"type": "object", "additionalProperties": False, "required": ["weight"],
             "properties": {
                 "weight": {"type": "number", "exclusiveMinimum": 0,
                            "description": "How much this driver matters (relative)."},
                 "say": {"type": "string",
                         "description": "How the segment itself puts it, used in suggestions."}}},
        ]
    }
    off_target = {
        "type": "object", "additionalProperties": False, "required": ["reason", "reframe"],
        "properties": {
            "reason": {"type": "string", "description": "Why this segment does not buy it."},
            "reframe": {"type": "string", "description": "What to say instead, in the "
                                                         "segment's words."}},
    }
    check_setting: dict[str, Any] = {
        "oneOf": [
            {"enum": SEVERITY_OR_OFF},
            # YAML 1.1 reads a bare `off` as false; accept it as "off".
            {"const": False},
            {"type": "object", "additionalProperties": False,
             "properties": {"severity": {"enum": SEVERITY_OR_OFF}}},
        ]
    }
    check_key: dict[str, Any] = {"enum": check_ids} if check_ids else {"type": "string"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://msglint.dev/schema/profile.json",
        "title": "msglint segment profile",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": _ID_PATTERN,
                   "description": "Profile id shown in reports; defaults to the file name."},
            "name": {"type": "string", "description": "Who the segment is."},
            "description": {"type": "string"},
            "extends": {"type": "string", "description": "Another profile (path relative to "
                                                         "this file, or a shipped sample name "
                                                         "such as smb-owner) whose values "
                                                         "this one inherits and overrides."},
            "brands": {"type": "array", "items": {"type": "string"},
                       "description": "Names of the vendor: sentences about them are "
                                      "vendor-centred."},
            "drivers": {"type": "object", "propertyNames": theme_key,
                        "additionalProperties": driver,
                        "description": "Themes the segment values, with weights."},
            "off_target": {"type": "object", "propertyNames": theme_key,
                           "additionalProperties": off_target,
                           "description": "Themes this segment does not buy, with the reason "
                                          "and a reframing."},
            "voice": {"type": "object", "additionalProperties": False,
                      "properties": {"target": {"type": "number", "minimum": 0, "maximum": 1,
                                                "description": "Lowest acceptable "
                                                               "customer_focus (0-1)."}}},
            "min_score": {"type": "integer", "minimum": 0, "maximum": 100,
                          "description": "Files scoring below this fail the run."},
            "top_drivers": {"type": "integer", "minimum": 1,
                            "description": "How many of the heaviest drivers the "
                                           "missing-drivers check expects (default 3)."},
            "themes": {"type": "array", "items": {**THEME_SCHEMA,
                                                  "required": ["id", "name", "description",
                                                               "examples"]},
                       "description": "Segment-specific themes, same shape as rules/themes."},
            "checks": {"type": "object", "propertyNames": check_key,
                       "additionalProperties": check_setting,
                       "description": "Per-check severity overrides, or off."},
        },
    }


@dataclass(frozen=True)
class Driver:
    theme: str
    weight: float
    say: str = ""


@dataclass(frozen=True)
class OffTarget:
    theme: str
    reason: str
    reframe: str


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    path: str
    description: str = ""
    drivers: dict[str, Driver] = field(default_factory=dict)
    off_target: dict[str, OffTarget] = field(default_factory=dict)
    voice_target: float = 0.5
    min_score: int | None = None
    top_drivers: int = 3
    themes: tuple[Theme, ...] = ()
    checks: dict[str, str] = field(default_factory=dict)
    brands: tuple[str, ...] = ()
    fingerprint: str = ""

    def role(self, theme_id: str) -> Role:
        if theme_id in self.drivers:
            return "driver"
        if theme_id in self.off_target:
            return "off-target"
        return "neutral"

    def top(self) -> list[Driver]:
        ranked = sorted(self.drivers.values(), key=lambda d: (-d.weight, d.theme))
        return ranked[: self.top_drivers]


def builtin_profiles_dir() -> Path | None:
    """Sample profiles shipped with the package (msglint/profiles in a wheel)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "profiles", here.parent / "samples" / "profiles"):
        if candidate.is_dir():
            return candidate
    return None


def shipped_profile(name: str) -> Path | None:
    """The shipped sample profile called ``name`` (``smb-owner``), if there is one.

    Only a bare name qualifies: anything with a path separator or a YAML suffix is a path.
    """
    if not name or "/" in name or "\\" in name or name.endswith((".yaml", ".yml")):
        return None
    shipped = builtin_profiles_dir()
    candidate = shipped / f"{name}.yaml" if shipped else None
    return candidate if candidate and candidate.is_file() else None


def _samples_hint(name: str) -> str:
    """" (shipped samples: ...; did you mean ...?)" for a missing profile, or "" without samples."""
    shipped = builtin_profiles_dir()
    names = sorted(p.stem for p in shipped.glob("*.yaml")) if shipped else []
    if not names:
        return ""
    guess = yamlmarks.closest(Path(name).stem, names)
    return f" (shipped samples: {', '.join(names)}" + \
        (f"; did you mean '{guess}'?)" if guess else ")")


def _unknown_ids(doc: yamlmarks.Marked, data: dict[str, Any], catalogue: Catalogue,
                 known: set[str]) -> list[ConfigError]:
    """One error per driver or off-target key that names no theme, in file order."""
    out = []
    for section in ("drivers", "off_target"):
        keys = data.get(section)
        for key in keys if isinstance(keys, dict) else {}:
            if key in known or catalogue.resolve(str(key)) is not None:
                continue
            hint = yamlmarks.closest(str(key), known)
            msg = f"unknown theme id '{key}' in {section}"
            msg += f" (did you mean '{hint}'?)" if hint else ""
            msg += "; valid ids: " + ", ".join(sorted(known))
            out.append(doc.error((section, key), msg, key=True))
    return sorted(out, key=lambda e: (e.line or 0, e.column or 0))


def load_profile(path: Path, catalogue: Catalogue, _seen: tuple[Path, ...] = ()) -> Profile:
    """Load, merge ``extends`` chains, and validate a profile. Raises ConfigError."""
    path = path.resolve() if path.exists() else path
    display = _display(path)
    if path in _seen:
        raise ConfigError("profile extends itself in a loop: " +
                          " -> ".join(_display(p) for p in _seen + (path,)), display)
    try:
        text = read_utf8(path, display, "profile")
    except FileNotFoundError:
        raise ConfigError("profile not found" + _samples_hint(path.name) +
                          "; check the path, give a sample name or run `msglint init`",
                          display) from None
    except OSError as exc:
        raise ConfigError(f"cannot read profile ({exc.strerror or exc}); check the file",
                          display) from None
    doc = yamlmarks.load(text, display)
    if doc.data is None:
        raise ConfigError("profile is empty; see docs/profiles.md for the keys", display)
    try:
        yamlmarks.validate(doc, profile_schema(catalogue), "profile")
    except ConfigError as exc:
        # `profile validate` shows every mistake at once: add the unknown theme ids, which the
        # schema admits (a profile may define its own themes). Without `extends` the known ids
        # are certain; with it they depend on the parent, so those wait for the next pass.
        if isinstance(doc.data, dict) and "extends" not in doc.data:
            own = doc.data.get("themes")
            known = set(catalogue.themes) | {t.get("id") for t in own if isinstance(t, dict)} \
                if isinstance(own, list) else set(catalogue.themes)
            extra = _unknown_ids(doc, doc.data, catalogue, {k for k in known if k})
            exc.others = sorted([*exc.others, *extra], key=lambda o: (o.line or 0, o.column or 0))
        raise
    data: dict[str, Any] = doc.data
    parent: Profile | None = None
    if "extends" in data:
        target = path.parent / data["extends"]
        if not target.exists():
            # The same bare names as `--profile` (`extends: smb-owner`); a file beside the
            # profile wins, so an existing setup never changes meaning.
            target = shipped_profile(data["extends"]) or target
        if not target.exists():
            raise doc.error(("extends",), f"extends '{data['extends']}': no file "
                                          f"{_display(target)} and no shipped sample of that "
                                          f"name{_samples_hint(str(data['extends']))}; give a "
                                          "path relative to this profile or a sample name")
        parent = load_profile(target, catalogue, _seen + (path,))
    own_themes = tuple(_own_theme(doc, i, t) for i, t in enumerate(data.get("themes", [])))
    for i, t in enumerate(own_themes):
        if t.id in catalogue.themes:
            raise doc.error(("themes", i, "id"), f"theme id '{t.id}' is already a built-in "
                                                 "theme; choose another id")
    known = set(catalogue.themes) | {t.id for t in own_themes}
    if parent:
        known |= {t.id for t in parent.themes}
    unknown = _unknown_ids(doc, data, catalogue, known)
    if unknown:
        unknown[0].others = list[MsglintError](unknown[1:])
        raise unknown[0]
    drivers = dict(parent.drivers) if parent else {}
    off = dict(parent.off_target) if parent else {}
    for key, value in (data.get("drivers") or {}).items():
        tid = catalogue.resolve(key) or key
        off.pop(tid, None)
        if isinstance(value, dict):
            drivers[tid] = Driver(tid, float(value["weight"]), value.get("say", ""))
        else:
            drivers[tid] = Driver(tid, float(value))
    for key, value in (data.get("off_target") or {}).items():
        tid = catalogue.resolve(key) or key
        if tid in (data.get("drivers") or {}):
            raise doc.error(("off_target", key), f"'{key}' is both a driver and off-target; "
                                                 "keep it in one of the two", key=True)
        drivers.pop(tid, None)
        off[tid] = OffTarget(tid, value["reason"], value["reframe"])
    checks = dict(parent.checks) if parent else {}
    for key, value in (data.get("checks") or {}).items():
        if value is False:
            value = "off"
        checks[key] = value if isinstance(value, str) else value.get("severity", "warning")
    voice_target = (data.get("voice") or {}).get(
        "target", parent.voice_target if parent else 0.5)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode())
    if parent:
        digest.update(parent.fingerprint.encode())
    return Profile(
        id=data.get("id", path.stem),
        name=data.get("name", parent.name if parent else path.stem),
        path=display,
        description=data.get("description", parent.description if parent else ""),
        drivers=drivers, off_target=off, voice_target=float(voice_target),
        min_score=data.get("min_score", parent.min_score if parent else None),
        top_drivers=data.get("top_drivers", parent.top_drivers if parent else 3),
        themes=(parent.themes if parent else ()) + own_themes,
        checks=checks,
        brands=tuple(data.get("brands", parent.brands if parent else ())),
        fingerprint=digest.hexdigest()[:16],
    )


def _own_theme(doc: yamlmarks.Marked, i: int, data: dict[str, Any]) -> Theme:
    sub = yamlmarks.Marked(data, {k[2:]: v for k, v in doc.values.items()
                                  if k[:2] == ("themes", i)},
                           {k[2:]: v for k, v in doc.keys.items() if k[:2] == ("themes", i)},
                           doc.path)
    return theme_from_data(data, sub, doc.path, default_group="custom")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

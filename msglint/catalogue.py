"""The built-in catalogue: themes (rules/themes/*.yaml) and check docs (rules/checks/*.yaml).

Rule instances are data; rule kinds are code. A theme file holds what the theme means, why it
matters, how to detect it (spaCy token patterns on lemmas plus fixed phrases) and its own match /
no-match examples, which one table-driven test runs. The file name is the id.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msglint import yamlmarks
from msglint.errors import ConfigError
from msglint.inflect import surface_forms

THEME_GROUPS = ("outcome", "operations", "company", "custom")

_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_PATTERN = {"type": "array", "minItems": 1, "items": {"type": "object"}}
_PATTERNS = {"type": "array", "items": _PATTERN}

THEME_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name", "description", "examples"],
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
               "description": "Stable theme id; for built-in themes it equals the file name."},
        "name": {"type": "string", "description": "Human name shown in reports."},
        "group": {"enum": list(THEME_GROUPS), "description": "outcome, operations, company."},
        "description": {"type": "string", "description": "What the copy talks about."},
        "why": {"type": "string", "description": "Why the theme matters to a segment."},
        "suggestion": {"type": "string", "description": "Default reframing advice."},
        "aliases": {**_STRINGS, "description": "Former ids that still resolve to this theme."},
        "negation": {"enum": ["keep", "drop"],
                     "description": "keep: 'no more stockouts' still talks about the theme; "
                                    "drop: 'we never compete on price' does not."},
        "patterns": {**_PATTERNS,
                     "description": "spaCy Matcher token patterns (LEMMA, LOWER, POS...); "
                                    "msglint adds `_: {opens_sentence: true}` for a "
                                    "sentence's first word."},
        "phrases": {**_STRINGS, "description": "Word sequences matched case-insensitively; "
                                               "the last word may be inflected."},
        "dependency_patterns": {"type": "array",
                                "items": {"type": "array", "items": {"type": "object"}},
                                "description": "spaCy DependencyMatcher patterns."},
        "unless": {**_PATTERNS, "description": "Token patterns that veto an overlapping match."},
        "unless_phrases": {**_STRINGS, "description": "Phrases that veto an overlapping match."},
        "examples": {
            "type": "object", "additionalProperties": False, "required": ["match", "no_match"],
            "properties": {"match": {**_STRINGS, "minItems": 1},
                           "no_match": {**_STRINGS, "minItems": 1}},
        },
        "semantic_examples": {**_STRINGS,
                              "description": "Extra phrasings of the theme for the optional "
                                             "semantic layer (msglint[semantic]), matched by "
                                             "meaning alongside examples.match; not run as "
                                             "pattern tests."},
        "semantic_negatives": {**_STRINGS,
                               "description": "Near misses the semantic layer must not read "
                                              "as this theme, alongside examples.no_match; "
                                              "not run as pattern tests."},
    },
}

CHECK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name", "severity", "summary", "why", "message", "suggestion", "examples"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "severity": {"enum": ["error", "warning", "info"]},
        "summary": {"type": "string"},
        "why": {"type": "string"},
        "message": {"type": "string"},
        "suggestion": {"type": "string"},
        "examples": {
            "type": "object", "additionalProperties": False, "required": ["match", "no_match"],
            "properties": {
                side: {"type": "array", "items": {
                    "type": "object", "additionalProperties": False,
                    "required": ["profile", "text"],
                    "properties": {"profile": {"type": "string"}, "text": {"type": "string"},
                                   "format": {"type": "string"}}}}
                for side in ("match", "no_match")},
        },
    },
}


@dataclass(frozen=True)
class Theme:
    id: str
    name: str
    description: str
    group: str = "custom"
    why: str = ""
    suggestion: str = ""
    negation: str = "keep"
    patterns: tuple[tuple[dict[str, Any], ...], ...] = ()
    phrases: tuple[str, ...] = ()
    dependency_patterns: tuple[tuple[dict[str, Any], ...], ...] = ()
    unless: tuple[tuple[dict[str, Any], ...], ...] = ()
    unless_phrases: tuple[str, ...] = ()
    match_examples: tuple[str, ...] = ()
    no_match_examples: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    origin: str = ""  # file the theme came from, for error messages and `explain`
    semantic_examples: tuple[str, ...] = ()  # more prototypes for msglint.semantic
    semantic_negatives: tuple[str, ...] = ()  # more negatives for msglint.semantic


@dataclass(frozen=True)
class CheckDoc:
    id: str
    name: str
    severity: str
    summary: str
    why: str
    message: str
    suggestion: str
    match_examples: tuple[dict[str, str], ...] = ()
    no_match_examples: tuple[dict[str, str], ...] = ()
    origin: str = ""


@dataclass(frozen=True)
class Catalogue:
    themes: dict[str, Theme]
    checks: dict[str, CheckDoc]
    fingerprint: str = ""
    aliases: dict[str, str] = field(default_factory=dict)

    def resolve(self, theme_id: str) -> str | None:
        if theme_id in self.themes:
            return theme_id
        return self.aliases.get(theme_id)


def _literal_words(spec: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for key, value in spec.items():
        k = key.upper()
        if k not in ("LEMMA", "LOWER", "ORTH", "TEXT", "NORM"):
            continue
        vals: list[str] = []
        if isinstance(value, str):
            vals = [value]
        elif isinstance(value, dict) and isinstance(value.get("IN"), list):
            vals = [v for v in value["IN"] if isinstance(v, str)]
        for v in vals:
            out |= surface_forms(v) if k == "LEMMA" else {v.lower()}
    return out


def _is_required(tok: dict[str, Any]) -> bool:
    """True when a token must be present for the pattern to match (not ?, *, ! or {0,n})."""
    op = tok.get("OP")
    if op is None or op in ("1", "+"):
        return True
    if isinstance(op, str) and op.startswith("{"):
        low = op[1:].split(",")[0].strip("}").strip()
        return low.isdigit() and int(low) >= 1
    return False


# Words so frequent that a pre-filter on them parses nearly every sentence.
_COMMON = frozenset(
    "a an the of in on at to for from with by as and or but not no so if than then up out off "
    "over into about all any each every more most less many much some other this that these "
    "those it its is are was were be been being am has have had do does did doing done can "
    "could will would should may might must get gets got make makes made take takes took go "
    "goes went one two first new just back now also only very you your yours we our us they "
    "their them i my me he she his her who what which when where how there here time way".split())


_VERY_COMMON = frozenset(
    "a an the of in on at to for from with by as and or is are be it this that you your we our"
    .split())


@functools.lru_cache(maxsize=4096)
def _commonness(words: frozenset[str]) -> tuple[int, int]:
    """Rough cost of pre-filtering on ``words``: very common words and punctuation weigh most."""
    return (sum(_word_cost(w) for w in words), len(words))


@functools.lru_cache(maxsize=16384)
def _word_cost(word: str) -> int:
    if word in _VERY_COMMON or not any(ch.isalnum() for ch in word):
        return 3
    return 1 if word in _COMMON else 0


def _required_literal(pattern: tuple[dict[str, Any], ...]) -> bool:
    for tok in pattern:
        spec = tok.get("RIGHT_ATTRS", tok)
        if _literal_words(spec) and _is_required(tok):
            return True
    return False


def rules_dir() -> Path:
    """Built-in packs: inside the installed package, or top-level rules/ in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "themes").is_dir():
            return candidate
    raise ConfigError("built-in rules not found; reinstall msglint", str(here / "rules"))


def read_model_file(path: Path, what: str) -> bytes | None:
    """The bytes of a trained model shipped beside the rules (the semantic head, the voice word
    model); None when the file does not exist, a ConfigError naming it when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read the {what} ({exc.strerror})", str(path)) from None


def model_file_identity(path: Path) -> str:
    """A shipped model's digest for the result cache key ('none' without one): its bytes hashed
    without parsing them, so a run served from the cache never builds the model."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return "none"


def _normalise_pattern(pattern: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    out = []
    for tok in pattern:
        t = dict(tok)
        for key in ("LEMMA", "LOWER"):
            v = t.get(key)
            if isinstance(v, str):
                t[key] = v.lower()
            elif isinstance(v, dict) and isinstance(v.get("IN"), list):
                t[key] = {**v, "IN": [x.lower() if isinstance(x, str) else x for x in v["IN"]]}
        out.append(t)
    return tuple(out)


_WORD_KEYS = frozenset({"LEMMA", "LOWER", "ORTH", "TEXT", "NORM"})
#: Token extensions msglint registers for theme patterns (``_: {opens_sentence: true}``);
#: their getters live in msglint.analysis.
TOKEN_EXTENSIONS: tuple[str, ...] = ("opens_sentence",)


def _check_token_tests(data: dict[str, Any], doc: yamlmarks.Marked) -> None:
    """A ``_`` test must name one of msglint's token extensions (spaCy would otherwise fail at
    match time with an internal error), and a word test must hold text: YAML reads a bare yes,
    no, on or off as true or false, so `{LOWER: {IN: [over, off]}}` would otherwise reach
    spaCy's validator as a boolean and come back as "Input should be a valid string", with no
    line and no hint."""
    for key in ("patterns", "unless"):
        for i, pattern in enumerate(data.get(key, [])):
            for j, tok in enumerate(pattern):
                for attr, value in tok.items() if isinstance(tok, dict) else ():
                    if attr == "_":
                        if not isinstance(value, dict):
                            raise doc.error((key, i, j, attr),
                                            f"`_` in {key}[{i}] must map a token extension to "
                                            "its value, e.g. `_: {opens_sentence: true}`")
                        unknown = [n for n in value if n not in TOKEN_EXTENSIONS]
                        if unknown:
                            raise doc.error((key, i, j, attr),
                                            f"unknown token extension _.{unknown[0]} in "
                                            f"{key}[{i}]; msglint provides: "
                                            + ", ".join(TOKEN_EXTENSIONS))
                        continue
                    if isinstance(value, dict) and isinstance(value.get("REGEX"), str):
                        try:
                            re.compile(value["REGEX"])
                        except re.error as exc:
                            raise doc.error((key, i, j, attr),
                                            f"invalid regular expression in {key}[{i}] "
                                            f"({value['REGEX']!r}: {exc}); fix it") from None
                    if str(attr).upper() not in _WORD_KEYS:
                        continue
                    values = [value] if not isinstance(value, dict) else \
                        [v for op in ("IN", "NOT_IN") if isinstance(value.get(op), list)
                         for v in value[op]]
                    if any(isinstance(v, bool) for v in values):
                        raise doc.error((key, i, j, attr),
                                        f"{attr} in {key}[{i}] holds true/false: YAML reads a "
                                        "bare yes, no, on or off as true or false; quote the "
                                        'word ("off")')


def pattern_position(theme: Theme, key: str, index: int,
                     node: int | None = None) -> tuple[int | None, int | None]:
    """The line and column of ``key[index]`` (node ``node`` of it) of ``theme`` in the file it
    came from (a theme file, or a profile's ``themes`` list); (None, None) when that file no
    longer reads. Parses the file again, so it is for error messages only: Theme keeps no
    positions, and spaCy checks patterns long after the file was read."""
    try:
        doc = yamlmarks.load(Path(theme.origin).read_text(encoding="utf-8"), theme.origin)
    except (OSError, UnicodeDecodeError, ConfigError):
        return None, None
    at: yamlmarks.Path_ = (key, index) + ((node,) if node is not None else ())
    data = doc.data
    if isinstance(data, dict) and data.get("id") == theme.id:
        return doc.where(at)
    own = data.get("themes") if isinstance(data, dict) else None
    for k, item in enumerate(own if isinstance(own, list) else []):
        if isinstance(item, dict) and item.get("id") == theme.id:
            return doc.where(("themes", k) + at)
    return None, None


def dependency_problem(pattern: tuple[dict[str, Any], ...]) -> tuple[int, str] | None:
    """(node, what is wrong) for a DependencyMatcher pattern whose shape spaCy would reject
    with a bare KeyError ('RIGHT_ATTRS') or a riddle (E101); None when the shape is sound."""
    declared: set[Any] = set()
    for j, node in enumerate(pattern):
        for needed in ("RIGHT_ID", "RIGHT_ATTRS"):
            if needed not in node:
                return j, f"node {j} has no {needed}; every node needs RIGHT_ID and RIGHT_ATTRS"
        if j > 0:
            for needed in ("LEFT_ID", "REL_OP"):
                if needed not in node:
                    return j, (f"node {j} has no {needed}; every node after the first names "
                               "the node it relates to (LEFT_ID) and how (REL_OP)")
            if node["LEFT_ID"] not in declared:
                return j, (f"node {j}'s LEFT_ID {node['LEFT_ID']!r} is no earlier node's "
                           "RIGHT_ID")
        if node["RIGHT_ID"] in declared:
            return j, f"node {j}'s RIGHT_ID {node['RIGHT_ID']!r} is already taken"
        declared.add(node["RIGHT_ID"])
    return None


def theme_from_data(data: dict[str, Any], doc: yamlmarks.Marked, origin: str,
                    default_group: str = "custom") -> Theme:
    _check_token_tests(data, doc)
    patterns = tuple(_normalise_pattern(p) for p in data.get("patterns", []))
    for i, p in enumerate(patterns):
        if not _required_literal(p):
            raise doc.error(("patterns", i), "pattern has no required word (LEMMA/LOWER value "
                            "without OP ? or *); add one so sentences can be pre-filtered")
    if not patterns and not data.get("phrases") and not data.get("dependency_patterns"):
        raise doc.error((), f"theme '{data['id']}' has no patterns, phrases or "
                            "dependency_patterns; add at least one")
    ex = data["examples"]
    return Theme(
        id=data["id"], name=data["name"], description=data["description"],
        group=data.get("group", default_group), why=data.get("why", ""),
        suggestion=data.get("suggestion", ""), negation=data.get("negation", "keep"),
        patterns=patterns, phrases=tuple(data.get("phrases", [])),
        dependency_patterns=tuple(tuple(p) for p in data.get("dependency_patterns", [])),
        unless=tuple(_normalise_pattern(p) for p in data.get("unless", [])),
        unless_phrases=tuple(data.get("unless_phrases", [])),
        match_examples=tuple(ex["match"]), no_match_examples=tuple(ex["no_match"]),
        aliases=tuple(data.get("aliases", [])), origin=origin,
        semantic_examples=tuple(data.get("semantic_examples", [])),
        semantic_negatives=tuple(data.get("semantic_negatives", [])),
    )


def _load_theme(path: Path) -> Theme:
    doc = yamlmarks.load(path.read_text(encoding="utf-8"), str(path))
    yamlmarks.validate(doc, THEME_SCHEMA, "theme")
    if doc.data["id"] != path.stem:
        raise doc.error(("id",), f"theme id '{doc.data['id']}' must equal the file name "
                                 f"'{path.stem}'")
    return theme_from_data(doc.data, doc, str(path))


def _load_check(path: Path) -> CheckDoc:
    doc = yamlmarks.load(path.read_text(encoding="utf-8"), str(path))
    yamlmarks.validate(doc, CHECK_SCHEMA, "check")
    d = doc.data
    if d["id"] != path.stem:
        raise doc.error(("id",), f"check id '{d['id']}' must equal the file name '{path.stem}'")
    return CheckDoc(d["id"], d["name"], d["severity"], d["summary"], d["why"], d["message"],
                    d["suggestion"], tuple(d["examples"]["match"]),
                    tuple(d["examples"]["no_match"]), str(path))


@functools.lru_cache(maxsize=4)
def load_catalogue(root: Path | None = None) -> Catalogue:
    """Load and validate every theme and check file (cached per process).

    Parsing the YAML costs more than the rest of a cached run, so the validated catalogue is
    also kept as a snapshot in the cache folder, keyed by the files' bytes (msglint.cache).
    """
    from msglint import cache

    return cache.catalogue_snapshot(root or rules_dir(), _load_catalogue)


def _load_catalogue(root: Path) -> Catalogue:
    digest = hashlib.sha256()
    themes: dict[str, Theme] = {}
    aliases: dict[str, str] = {}
    for path in sorted((root / "themes").glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        theme = _load_theme(path)
        themes[theme.id] = theme
        for alias in theme.aliases:
            aliases[alias] = theme.id
    checks: dict[str, CheckDoc] = {}
    for path in sorted((root / "checks").glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        check = _load_check(path)
        checks[check.id] = check
    return Catalogue(themes, checks, digest.hexdigest()[:16], aliases)

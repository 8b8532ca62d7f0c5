"""Load YAML while remembering where every key and value sits, and validate it against a JSON
Schema with errors that point at ``file:line:col``, name the valid values and suggest the closest.

Profiles, project config and theme packs all go through here, so every configuration mistake a
user can make reads the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from msglint.errors import ConfigError

if TYPE_CHECKING:
    import yaml

Path_ = tuple[str | int, ...]


class Marked:
    """Parsed YAML plus the 1-based (line, column) of each value and each mapping key."""

    def __init__(self, data: Any, values: dict[Path_, tuple[int, int]],
                 keys: dict[Path_, tuple[int, int]], path: str) -> None:
        self.data = data
        self.values = values
        self.keys = keys
        self.path = path

    def where(self, at: Path_, key: bool = False) -> tuple[int | None, int | None]:
        table = self.keys if key else self.values
        probe = tuple(at)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (None, None))

    def error(self, at: Path_, message: str, key: bool = False) -> ConfigError:
        line, col = self.where(at, key)
        return ConfigError(message, self.path, line, col)


def load(text: str, path: str) -> Marked:
    """Parse ``text``; raise ConfigError at the line:col of a syntax error or duplicate key."""
    import yaml  # here, not at the top: ~15 ms of imports that many runs never need

    # libyaml parses the theme catalogue ~10x faster with the same marks; its error wording
    # differs, so a file it rejects is parsed again by the pure-Python parser for the message.
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        loader = fast(text)
        try:
            node = loader.get_single_node()
        except yaml.YAMLError:
            loader.dispose()
        else:
            loader.dispose()
            return _build(loader, node, path)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        raise ConfigError(f"invalid YAML: {problem}; fix the syntax", path,
                          where.line + 1 if where else None,
                          where.column + 1 if where else None) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", path) from None
    finally:
        loader.dispose()
    return _build(loader, node, path)


def _build(loader: Any, node: Any, path: str) -> Marked:
    """Python values from a composed node tree, remembering each value's and key's mark."""
    import yaml

    values: dict[Path_, tuple[int, int]] = {}
    keys: dict[Path_, tuple[int, int]] = {}
    if node is None:
        return Marked(None, values, keys, path)

    def mark(n: yaml.Node) -> tuple[int, int]:
        return n.start_mark.line + 1, n.start_mark.column + 1

    def build(n: yaml.Node, at: Path_) -> Any:
        values[at] = mark(n)
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for kn, vn in n.value:
                if not isinstance(kn, yaml.ScalarNode):
                    raise ConfigError("mapping keys must be plain words", path, *mark(kn))
                k = loader.construct_scalar(kn)
                if k in out:
                    raise ConfigError(f"duplicate key '{k}'; keep only one", path, *mark(kn))
                keys[at + (k,)] = mark(kn)
                out[k] = build(vn, at + (k,))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(v, at + (i,)) for i, v in enumerate(n.value)]
        return loader.construct_object(n, deep=True)

    try:
        data = build(node, ())
    except yaml.constructor.ConstructorError as exc:
        m = exc.problem_mark
        raise ConfigError(f"invalid YAML value: {exc.problem}", path,
                          m.line + 1 if m else None, m.column + 1 if m else None) from None
    return Marked(data, values, keys, path)


def closest(word: str, options: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return found[0] if found else None


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number", type(None): "empty"}.get(type(value), "a value")


def _dotted(at: Path_) -> str:
    out = ""
    for p in at:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "the top level"


def validate(doc: Marked, schema: dict[str, Any], what: str) -> None:
    """Validate against ``schema``; raise the first error (by position) as a ConfigError."""
    from msglint import cache

    if cache.known_valid(schema, doc.data):  # same bytes passed before: skip jsonschema
        return
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    errors = list(validator.iter_errors(doc.data))
    if not errors:
        cache.remember_valid(schema, doc.data)
        return

    def pos(e: Any) -> tuple[int, int]:
        line, col = doc.where(tuple(e.absolute_path))
        return (line or 0, col or 0)

    # Prefer the most specific error (deepest path), then the earliest in the file; one per
    # position (a bad value can break several alternatives of the schema at once).
    errors.sort(key=lambda e: (pos(e), -len(e.absolute_path)))
    explained: list[ConfigError] = []
    for e in errors:
        one = _explain(doc, e, what)
        if all((one.line, one.column) != (x.line, x.column) for x in explained):
            explained.append(one)
    explained.sort(key=lambda x: (x.line or 0, x.column or 0))  # stable: specific first
    explained[0].others = list(explained[1:])
    raise explained[0]


def _explain(doc: Marked, e: Any, what: str) -> ConfigError:
    at: Path_ = tuple(e.absolute_path)
    where = _dotted(at)
    if e.validator == "additionalProperties":
        allowed = sorted(e.schema.get("properties", {}))
        extra = [k for k in e.instance if k not in allowed]
        key = extra[0]
        hint = closest(key, allowed)
        msg = f"unknown key '{key}' in {where} of this {what}"
        msg += f" (did you mean '{hint}'?)" if hint else ""
        msg += f"; valid keys: {', '.join(allowed)}"
        return doc.error(at + (key,), msg, key=True)
    if e.validator == "propertyNames":
        # The failing key is the instance itself for propertyNames errors.
        key = e.instance
        allowed = e.schema.get("enum") or []
        hint = closest(key, allowed) if allowed else None
        parent = at[:-1] if at and at[-1] == key else at
        msg = f"'{key}' is not allowed as a key in {_dotted(parent)}"
        if hint:
            msg += f" (did you mean '{hint}'?)"
        return doc.error(at + (key,) if key not in at else at, msg, key=True)
    if e.validator == "enum":
        # as YAML spells them: false, not Python's False
        allowed = ["null" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
                   for v in e.validator_value]
        hint = closest(str(e.instance), allowed)
        msg = f"'{e.instance}' is not a valid value for {where}"
        msg += f" (did you mean '{hint}'?)" if hint else ""
        msg += f"; valid values: {', '.join(allowed)}"
        return doc.error(at, msg)
    if e.validator == "type":
        expected = e.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return doc.error(at, f"{where} must be {expected}, not {_type_name(e.instance)}"
                             f" ({e.instance!r})")
    if e.validator in ("oneOf", "anyOf"):
        # A value of the right type that breaks another rule of its alternative (a weight of
        # 0, an unknown key in a mapping) is explained by that rule: "must be a number or a
        # mapping, not a number (0)" contradicted itself.
        specific = [c for c in e.context or () if c.validator not in ("type", "enum", "const")]
        if specific:
            return _explain(doc, min(specific, key=lambda c: -len(c.absolute_path)), what)
        wanted: list[str] = []
        for sub in e.validator_value:
            if "type" in sub:
                wanted.append({"object": "a mapping", "array": "a list", "string": "text",
                               "number": "a number", "integer": "a whole number",
                               "boolean": "true/false"}.get(sub["type"], sub["type"]))
            elif "enum" in sub:
                wanted.append("one of " + ", ".join(str(v) for v in sub["enum"]))
            elif "const" in sub:
                wanted.append(str(sub["const"]).lower())
        return doc.error(at, f"{where} must be {' or '.join(wanted) or 'something else'}, "
                             f"not {_type_name(e.instance)} ({e.instance!r})")
    if e.validator == "required":
        return doc.error(at, f"{where} is missing {e.message.split(' is ')[0]}; add it")
    if e.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return doc.error(at, f"{where}: {e.message}")
    return doc.error(at, f"{where}: {e.message}")

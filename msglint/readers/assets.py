"""Structured campaign assets: YAML (.yaml/.yml) and JSON (.json).

Every string value is copy, one block per value (kind ``field``), with ``field`` = its dotted path
(``email.subject``, ``variants[2].headline``) and ``role`` guessed from the last key name
(subject, headline, preheader, cta, body or None). Identifier-like values are not copy: keys such
as ``id``, ``*_id``, ``url``, ``href``, ``link``, ``slug``, ``src``, ``image``, e-mail address
fields, ``utm_*``, ``locale``, ``template``, and values that look like URLs, e-mail addresses,
slugs, hex colours, dates or numbers. Keys, numbers, booleans and nulls are never copy.

Positions map into the original file: YAML through the composed nodes' marks (plain and quoted
scalars char by char, escapes and ``''`` as atomic runs, block scalars ``|``/``>`` line by line),
JSON through a small scanner that records where every string starts and ends.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

from msglint.errors import ReadError
from msglint.readers.common import Emitter, Op, finish_source, make_directive
from msglint.source import Directive, LineIndex, Source

# libyaml when present (about 10x faster); its marks count code points just like PyYAML's.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# -- which fields are copy ---------------------------------------------------------------------

_ROLE_EXACT = {
    "subject": "subject", "subject_line": "subject",
    "headline": "headline", "title": "headline", "heading": "headline",
    "preheader": "preheader", "preview_text": "preheader",
    "cta": "cta", "button": "cta", "button_text": "cta",
    "body": "body", "copy": "body", "text": "body", "description": "body",
}
_ROLE_WORDS = (
    ("subject", "subject"), ("preheader", "preheader"), ("preview", "preheader"),
    ("cta", "cta"), ("button", "cta"), ("headline", "headline"), ("title", "headline"),
    ("heading", "headline"), ("body", "body"), ("copy", "body"), ("text", "body"),
    ("description", "body"),
)
_ID_KEYS = frozenset("""
id uuid guid url uri href link links slug src srcset image img icon logo thumbnail
email email_address from reply_to to cc bcc sender locale lang language template
color colour hex date time datetime timestamp
""".split())
_ID_SUFFIXES = ("_id", "_ids", "_url", "_uri", "_href", "_link", "_slug", "_src", "_image",
                "_img", "_email", "_color", "_colour", "_date", "_at", "_locale", "_template")
_SKIP_SUBTREE = frozenset({"utm", "tracking", "analytics"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

_VALUE_SKIP = re.compile(
    r"""^(?:
      [a-zA-Z][a-zA-Z0-9+.-]*://\S*          # URL
    | (?:www\.|mailto:)\S*
    | /\S*                                   # absolute path
    | \S+\.(?:png|jpe?g|gif|svg|webp|pdf|html?|css|js|mp4)  # a file name
    | [^\s@]+@[^\s@]+\.[^\s@]+               # e-mail address
    | [a-z0-9]+(?:[-_][a-z0-9]+)+            # slug
    | \#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})   # hex colour
    | \d{4}-\d{2}-\d{2}(?:[T\ ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?  # date / date-time
    | \d{1,2}:\d{2}(?::\d{2})?(?:\s?[aApP][mM])?               # time
    | [-+]?[$€£¥]?\d[\d,._\ ]*%?             # number
    | [a-z]{2,3}[-_][A-Z]{2}                 # locale
    | \{\{[^{}]*\}\}                         # a lone template placeholder
    )$""", re.VERBOSE)


def normalize_key(key: str) -> str:
    return _CAMEL.sub("_", key).lower().replace("-", "_").replace(" ", "_")


def role_for(key: str | None, in_list: bool = False) -> str | None:
    """subject|headline|preheader|cta|body|None, from the last key name."""
    if not key:
        return None
    name = normalize_key(key)
    candidates = [name]
    if in_list and name.endswith("s"):
        candidates.insert(0, name[:-1])
    for cand in candidates:
        if cand in _ROLE_EXACT:
            return _ROLE_EXACT[cand]
    for cand in candidates:
        words = set(cand.split("_"))
        for word, role in _ROLE_WORDS:
            if word in words:
                return role
    return None


def is_identifier_key(key: str | None) -> bool:
    if not key:
        return False
    name = normalize_key(key)
    return (name in _ID_KEYS or name.startswith("utm_") or name.endswith(_ID_SUFFIXES))


def looks_like_identifier(value: str) -> bool:
    v = value.strip()
    if len(v) > 300:
        return False  # identifiers are short; and this keeps the regex linear
    return not v or bool(_VALUE_SKIP.match(v))


def join_path(path: str, key: str) -> str:
    if not key or re.search(r"[.\[\]\s\"]", key):
        part = "[" + json.dumps(key) + "]"
        return path + part
    return f"{path}.{key}" if path else key


# -- YAML ----------------------------------------------------------------------------------------

_YAML_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_YAML_HEX = {"x": 2, "u": 4, "U": 8}


def _yaml_escape(original: str, p: int, end: int) -> tuple[str, int]:
    """Decode the escape at original[p] == '\\\\': (decoded text, length in the original)."""
    if p + 1 >= end:
        return "", 1
    ch = original[p + 1]
    if ch in _YAML_ESCAPES:
        return _YAML_ESCAPES[ch], 2
    if ch in _YAML_HEX:
        n = _YAML_HEX[ch]
        digits = original[p + 2:p + 2 + n]
        try:
            return chr(int(digits, 16)), 2 + n
        except (ValueError, OverflowError):
            return "", 2
    if ch == "\r" and original.startswith("\r\n", p + 1):
        return "", 3
    return "", 2


def align_scalar(value: str, original: str, s: int, e: int, style: str | None) -> list[Op]:
    """Map a YAML scalar's value onto original[s:e] (its content, quotes and header excluded)."""
    if original[s:e] == value:
        return [("lit", s, e)]
    ops: list[Op] = []
    i, p, n = 0, s, len(value)
    run = -1  # start of the current identity run in the original

    def flush(upto: int) -> None:
        nonlocal run
        if run >= 0 and upto > run:
            ops.append(("lit", run, upto))
        run = -1

    while i < n and p < e:
        c = value[i]
        o = original[p]
        if style == '"' and o == "\\":
            dec, length = _yaml_escape(original, p, e)
            flush(p)
            if dec and value.startswith(dec, i):
                ops.append(("atom", dec, p, p + length))
                i += len(dec)
            p += length
            continue
        if style == "'" and o == "'" and c == "'" and original.startswith("''", p):
            flush(p)
            ops.append(("atom", "'", p, p + 2))
            i += 1
            p += 2
            continue
        if o == c:
            if run < 0:
                run = p
            i += 1
            p += 1
            continue
        if c.isspace() and o in " \t\r\n":
            flush(p)
            q = p + 1
            if i + 1 < n and not value[i + 1].isspace():
                while q < e and original[q] in " \t\r\n":
                    q += 1
            elif original.startswith("\r\n", p):
                q = p + 2
            ops.append(("ws", p, q))
            i += 1
            p = q
            continue
        flush(p)
        p += 1  # indentation, a block header, a folded line's leading blanks
    flush(p)
    if i < n:
        a = min(p, e)
        if a >= e:
            a = max(s, e - 1)
        rest = value[i:]
        if rest.strip():
            ops.append(("atom", rest, a, max(e, a)))
    return ops


def _scalar_range(node: yaml.ScalarNode, original: str) -> tuple[int, int]:
    s, e = node.start_mark.index, node.end_mark.index
    style = node.style
    if style in ('"', "'"):
        return s + 1, max(s + 1, e - 1)
    if style in ("|", ">"):
        nl = original.find("\n", s, e)
        return (nl + 1 if nl >= 0 else e), e
    return s, e


def _yaml_fields(root: yaml.Node, original: str,
                 seen: set[int]) -> Iterator[tuple[str, str | None, list[Op]]]:
    # Iterative walk: (node, path, key name, inside a list?)
    todo: list[tuple[yaml.Node, str, str | None, bool]] = [(root, "", None, False)]
    while todo:
        node, path, key, in_list = todo.pop()
        if id(node) in seen:
            continue  # an alias: the anchored node was already read
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            children = []
            for k, v in node.value:
                kname = k.value if isinstance(k, yaml.ScalarNode) else None
                if kname is None or kname == "<<" or k.tag == "tag:yaml.org,2002:merge":
                    continue
                norm = normalize_key(kname)
                if norm in _SKIP_SUBTREE or norm.startswith("utm_"):
                    continue
                children.append((v, join_path(path, kname), kname, False))
            todo.extend(reversed(children))
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(reversed([(v, f"{path}[{i}]", key, True)
                                  for i, v in enumerate(node.value)]))
        elif isinstance(node, yaml.ScalarNode):
            if (node.tag != "tag:yaml.org,2002:str" or is_identifier_key(key)
                    or looks_like_identifier(node.value)):
                continue
            s, e = _scalar_range(node, original)
            ops = align_scalar(node.value, original, s, e, node.style)
            yield path or "(root)", role_for(key, in_list), ops


_YAML_COMMENT = re.compile(r"(?:^|(?<=[ \t]))#[ \t]*(msglint-[^\r\n]*)", re.M)


def _yaml_directives(original: str, scalars: list[tuple[int, int]],
                     lines: LineIndex) -> list[Directive]:
    out: list[Directive] = []
    if "msglint-" not in original:
        return out
    scalars.sort()
    starts = [a for a, _ in scalars]
    for m in _YAML_COMMENT.finditer(original):
        at = m.start()
        i = bisect.bisect_right(starts, at) - 1
        if i >= 0 and scalars[i][0] <= at < scalars[i][1]:
            continue  # inside a string value
        d = make_directive(m.group(1), at, m.end(), lines, original)
        if d is not None:
            out.append(d)
    return out


def _all_scalars(node: yaml.Node, out: list[tuple[int, int]], seen: set[int]) -> None:
    todo = [node]
    while todo:
        n = todo.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, yaml.ScalarNode):
            out.append((n.start_mark.index, n.end_mark.index))
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                todo.append(k)
                todo.append(v)
        elif isinstance(n, yaml.SequenceNode):
            todo.extend(n.value)


MAX_DEPTH = 500


def _check_depth(original: str) -> None:
    """libyaml's composer recurses in C: refuse absurd nesting before it can crash."""
    depth = 0
    starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    for ev in yaml.parse(original, Loader=_LOADER):
        if isinstance(ev, starts):
            depth += 1
            if depth > MAX_DEPTH:
                mark = ev.start_mark
                raise ReadError(f"YAML nested more than {MAX_DEPTH} levels deep; flatten it",
                                "", mark.line + 1, mark.column + 1)
        elif isinstance(ev, ends):
            depth -= 1


def read_yaml(original: str, display: str) -> Source:
    if not original.strip():
        return finish_source(display, "yaml", original, Emitter(original))
    try:
        _check_depth(original)
        docs = list(yaml.compose_all(original, Loader=_LOADER))
    except ReadError as exc:
        raise ReadError(exc.message, display, exc.line, exc.column) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise ReadError(f"invalid YAML: {problem}; fix the syntax", display,
                        mark.line + 1 if mark else None,
                        mark.column + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:
        line, col = LineIndex(original).position(min(exc.position, len(original)))
        raise ReadError(f"invalid YAML: character {exc.character!r} is not allowed; "
                        "remove it", display, line, col) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise ReadError(f"invalid YAML ({str(exc).splitlines()[0] if str(exc) else 'error'}); "
                        "fix the syntax", display) from None
    lines = LineIndex(original)
    em = Emitter(original)
    seen: set[int] = set()
    scalars: list[tuple[int, int]] = []
    scalar_seen: set[int] = set()
    for doc in docs:
        if doc is None:
            continue
        for path, role, ops in _yaml_fields(doc, original, seen):
            em.replay(ops)
            em.end_block("field", field=path, role=role)
        _all_scalars(doc, scalars, scalar_seen)
    directives = _yaml_directives(original, scalars, lines)
    return finish_source(display, "yaml", original, em, directives, lines)


# -- JSON ----------------------------------------------------------------------------------------

_JSON_WS = re.compile(r"[ \t\n\r]*")


def _ws(s: str, i: int) -> int:
    """Index of the first non-whitespace character at or after ``i``."""
    m = _JSON_WS.match(s, i)
    return m.end() if m is not None else i
_JSON_LITERAL = re.compile(
    r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity")
_JSON_ESCAPE = re.compile(r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
                          r"|u[0-9a-fA-F]{4}|.)", re.S)
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]


def _json_strings(s: str) -> Iterator[tuple[str, str | None, bool, int, int, str]]:
    """(path, key, in_list, start, end, value) for every string *value* of valid JSON ``s``."""
    stack: list[list[Any]] = []  # ["obj", path] or ["arr", path, index, key]
    i = _ws(s, 0)
    path, key, in_list = "", None, False
    state = "value"
    n = len(s)
    while i < n:
        if state == "value":
            ch = s[i]
            if ch == "{":
                stack.append(["obj", path])
                i = _ws(s, i + 1)
                if s[i] == "}":
                    stack.pop()
                    i += 1
                    state = "after"
                else:
                    state = "key"
            elif ch == "[":
                stack.append(["arr", path, 0, key])
                i = _ws(s, i + 1)
                if s[i] == "]":
                    stack.pop()
                    i += 1
                    state = "after"
                else:
                    path, in_list = f"{path}[0]", True
            elif ch == '"':
                value, j = _scanstring(s, i + 1)
                yield path or "(root)", key, in_list, i, j, value
                i = j
                state = "after"
            else:
                m = _JSON_LITERAL.match(s, i)
                if m is None:
                    return
                i = m.end()
                state = "after"
        elif state == "key":
            k, j = _scanstring(s, i + 1)
            i = _ws(s, j) + 1  # past ':'
            i = _ws(s, i)
            path, key, in_list = join_path(stack[-1][1], k), k, False
            state = "value"
            continue
        else:  # after a value
            if not stack:
                return
            ch = s[i]
            top = stack[-1]
            if ch == ",":
                i = _ws(s, i + 1)
                if top[0] == "obj":
                    state = "key"
                else:
                    top[2] += 1
                    path, key, in_list = f"{top[1]}[{top[2]}]", top[3], True
                    state = "value"
                continue
            stack.pop()
            i += 1
        i = _ws(s, i)


def _json_ops(original: str, start: int, end: int) -> list[Op]:
    s, e = start + 1, end - 1
    if original.find("\\", s, e) < 0:
        return [("lit", s, e)]
    ops: list[Op] = []
    pos = s
    for m in _JSON_ESCAPE.finditer(original, s, e):
        if m.start() > pos:
            ops.append(("lit", pos, m.start()))
        try:
            decoded = json.loads('"' + m.group() + '"')
        except ValueError:
            decoded = m.group()
        ops.append(("atom", decoded, m.start(), m.end()))
        pos = m.end()
    if pos < e:
        ops.append(("lit", pos, e))
    return ops


def read_json(original: str, display: str) -> Source:
    em = Emitter(original)
    if not original.strip():
        return finish_source(display, "json", original, em)
    try:
        json.loads(original)
    except json.JSONDecodeError as exc:
        raise ReadError(f"invalid JSON: {exc.msg}; fix the syntax", display, exc.lineno,
                        exc.colno) from None
    except RecursionError:
        raise ReadError("invalid JSON: nested too deeply", display) from None
    for path, key, in_list, start, end, value in _json_strings(original):
        if is_identifier_key(key):
            continue
        if looks_like_identifier(value):
            continue
        if any(part in _SKIP_SUBTREE or part.startswith("utm_")
               for part in (normalize_key(x) for x in re.findall(r"[A-Za-z_][\w-]*", path))):
            continue
        em.replay(_json_ops(original, start, end))
        em.end_block("field", field=path, role=role_for(key, in_list))
    return finish_source(display, "json", original, em)

"""Inline suppressions, applied after the checks ran (checks never know about them).

A directive names rule ids or theme ids (a finding is covered when its ``rule`` or its ``theme``
is named); no id means every rule.

- ``disable-next-line``: findings that start on the next line holding copy after the comment
  (the reader resolves that line into ``Directive.target_line``).
- ``disable`` ... ``enable``: findings that start after the ``disable`` comment and before the
  first later ``enable`` naming the id (or naming none). No ``enable``: to the end of the file.
  After a blanket ``disable``, ``enable X`` brings back findings whose rule or theme is X.
- ``disable-file``: every finding in the file.

A directive that suppressed nothing (or names ids that suppressed nothing) becomes an ``info``
finding, rule ``unused-suppression``, at the comment, so stale comments get cleaned up (like
ruff's unused ``noqa``). ``enable`` comments never are. An id that is neither a check nor a theme
(given ``known``) is named as unknown in that finding, with the closest real id. Findings come
back in their original order, unused-suppression findings appended.
"""

from __future__ import annotations

from collections.abc import Collection

from msglint.models import Finding
from msglint.source import Directive
from msglint.yamlmarks import closest

UNUSED_RULE = "unused-suppression"


def _keys(f: Finding) -> set[str]:
    return {k.lower() for k in (f.rule, f.theme) if k}


def _pos(line: int, column: int) -> tuple[int, int]:
    return (line, column)


class _Suppressor:
    def __init__(self, directives: list[Directive], known: Collection[str] = ()) -> None:
        self.directives = directives
        self.known = sorted({k.lower() for k in known})
        self.ids = [frozenset(i.lower() for i in d.ids) for d in directives]
        self.used: list[set[str]] = [set() for _ in directives]
        self.any_used = [False] * len(directives)
        self.enables = sorted(
            ((_pos(d.location.line, d.location.column), self.ids[i])
             for i, d in enumerate(directives) if d.action == "enable"),
            key=lambda e: e[0])

    def _range_end(self, start: tuple[int, int], keys: set[str]) -> tuple[int, int] | None:
        """Where a ``disable`` at ``start`` stops covering ``keys``: the next ``enable`` that
        names no id at all, or names one of ``keys``."""
        for pos, ids in self.enables:
            if pos > start and (not ids or keys & ids):
                return pos
        return None

    def covers(self, i: int, d: Directive, f: Finding, keys: set[str]) -> set[str] | None:
        """The matched keys if directive ``i`` covers finding ``f``, else None."""
        ids = self.ids[i]
        matched = keys & ids if ids else set(keys)
        if ids and not matched:
            return None
        loc = f.location
        if d.action == "disable-file":
            return matched
        if d.action == "disable-next-line":
            target = d.target_line if d.target_line is not None else d.location.end_line + 1
            return matched if loc.line == target else None
        if d.action == "disable":
            start = _pos(d.location.line, d.location.column)
            here = _pos(loc.line, loc.column)
            if here < start:
                return None
            if not ids:
                # A blanket disable: `enable` naming the finding's rule or theme ends it.
                end = self._range_end(start, keys)
                return matched if end is None or here < end else None
            hit = set()
            for key in matched:
                end = self._range_end(start, {key})
                if end is None or here < end:
                    hit.add(key)
            return hit or None
        return None

    def apply(self, findings: list[Finding]) -> list[Finding]:
        kept = []
        for f in findings:
            keys = _keys(f)
            suppressed = False
            for i, d in enumerate(self.directives):
                if d.action == "enable":
                    continue
                hit = self.covers(i, d, f, keys)
                if hit is None:
                    continue
                suppressed = True
                self.any_used[i] = True
                self.used[i].update(hit)
            if not suppressed:
                kept.append(f)
        return kept

    def unused(self) -> list[Finding]:
        out = []
        for i, d in enumerate(self.directives):
            if d.action == "enable":
                continue
            comment = f"msglint-{d.action}"
            if not d.ids:
                if self.any_used[i]:
                    continue
                message = f"`{comment}` suppressed nothing"
                suggestion = "Delete the comment: nothing here needs suppressing any more."
            else:
                unused = [x for x in d.ids if x.lower() not in self.used[i]]
                if not unused:
                    continue
                names = ", ".join(unused)
                unknown = [x for x in unused if self.known and x.lower() not in self.known]
                if unknown:
                    # A typo hides nothing and fails silently: say which id and the likely one.
                    guesses = {x: closest(x.lower(), self.known) for x in unknown}
                    message = f"`{comment}` names unknown id " + ", ".join(
                        f"'{x}'" + (f" (did you mean '{g}'?)" if g else "")
                        for x, g in guesses.items())
                    suggestion = ("Use a check id or a theme id (`msglint rules` lists them), or "
                                  "delete the comment.")
                elif len(unused) == len(d.ids):
                    message = f"`{comment}` for {names} suppressed nothing"
                    suggestion = "Delete the comment: nothing here needs suppressing any more."
                else:
                    message = f"`{comment}` for {names} suppressed nothing"
                    suggestion = f"Remove {names} from the comment; the other ids are in use."
            out.append(Finding(
                rule=UNUSED_RULE, severity="info", message=message, suggestion=suggestion,
                location=d.location,
                why="A suppression that no longer matches anything hides future problems "
                    "and misleads readers about the copy.",
            ))
        return out


def apply_suppressions(findings: list[Finding], directives: list[Directive],
                       path: str, known: Collection[str] = ()) -> list[Finding]:
    """Drop findings covered by ``directives``; report directives that suppressed nothing.

    ``path`` is the file's display path (kept for callers' messages and future use); ``known``
    the check and theme ids a directive may name (empty: ids are not checked).
    """
    if not directives:
        return list(findings)
    s = _Suppressor(list(directives), known)
    kept = s.apply(list(findings))
    return kept + s.unused()


__all__ = ["apply_suppressions", "UNUSED_RULE"]

"""Inline suppressions: next-line, ranges, whole file, unused reporting."""

from __future__ import annotations

from msglint.models import Finding, Location
from msglint.readers import read_bytes
from msglint.source import Directive
from msglint.suppress import apply_suppressions


def finding(line: int, rule: str = "off-target-theme", theme: str | None = "inventory-control",
            column: int = 1) -> Finding:
    return Finding(rule=rule, severity="error", message="m", suggestion="s",
                   location=Location(line, column, line, column + 5, "xxxxx"), theme=theme)


def directives(doc: str, fmt: str = "markdown") -> list[Directive]:
    return read_bytes(doc.encode(), f"t.{fmt}", fmt).directives


def lines_of(findings: list[Finding]) -> list[tuple[int, str]]:
    return [(f.location.line, f.rule) for f in findings]


def test_no_directives_is_identity() -> None:
    fs = [finding(1), finding(2)]
    assert apply_suppressions(fs, [], "t.md") == fs


def test_disable_next_line_by_theme_and_by_rule() -> None:
    ds = directives("<!-- msglint-disable-next-line inventory-control -->\nA\n\n"
                    "<!-- msglint-disable-next-line vendor-voice -->\nB\nC\n")
    fs = [finding(2), finding(5, rule="vendor-voice", theme=None), finding(6)]
    assert lines_of(apply_suppressions(fs, ds, "t.md")) == [(6, "off-target-theme")]


def test_disable_next_line_skips_blank_lines_to_the_next_copy() -> None:
    ds = directives("<!-- msglint-disable-next-line -->\n\n\nCopy here\n")
    assert ds[0].target_line == 4
    assert apply_suppressions([finding(4)], ds, "t.md") == []


def test_disable_next_line_does_not_cover_other_lines_or_ids() -> None:
    ds = directives("<!-- msglint-disable-next-line gross-margin -->\nA\nB\n")
    fs = [finding(2), finding(3, theme="gross-margin")]
    out = apply_suppressions(fs, ds, "t.md")
    assert lines_of(out) == [(2, "off-target-theme"), (3, "off-target-theme"),
                             (1, "unused-suppression")]
    unused = out[-1]
    assert unused.severity == "info"
    assert "gross-margin" in unused.message
    assert unused.location == ds[0].location
    assert "Delete" in unused.suggestion


def test_disable_enable_range() -> None:
    doc = ("A\n<!-- msglint-disable inventory-control -->\nB\nC\n"
           "<!-- msglint-enable inventory-control -->\nD\n")
    ds = directives(doc)
    fs = [finding(n) for n in (1, 3, 4, 6)]
    assert lines_of(apply_suppressions(fs, ds, "t.md")) == [
        (1, "off-target-theme"), (6, "off-target-theme")]


def test_disable_without_enable_runs_to_end_of_file() -> None:
    ds = directives("A\n<!-- msglint-disable -->\nB\n\nC\n")
    fs = [finding(1), finding(3, rule="vendor-voice", theme=None), finding(5)]
    assert lines_of(apply_suppressions(fs, ds, "t.md")) == [(1, "off-target-theme")]


def test_enable_of_one_id_keeps_others_disabled() -> None:
    doc = ("<!-- msglint-disable -->\nA\n<!-- msglint-enable inventory-control -->\nB\n")
    ds = directives(doc)
    fs = [finding(2), finding(4), finding(4, rule="vendor-voice", theme=None)]
    assert lines_of(apply_suppressions(fs, ds, "t.md")) == [(4, "off-target-theme")]


def test_range_respects_columns_on_the_comment_line() -> None:
    ds = directives("before <!-- msglint-disable --> after\n")
    fs = [finding(1, column=1), finding(1, column=33)]
    assert [f.location.column for f in apply_suppressions(fs, ds, "t.md")] == [1]


def test_disable_file() -> None:
    ds = directives("# T\n\nA\n\n<!-- msglint-disable-file price-discount, empty-praise -->\n")
    fs = [finding(1, rule="price-led", theme="price-discount"),
          finding(3, rule="empty-praise", theme="empty-praise"), finding(3)]
    out = apply_suppressions(fs, ds, "t.md")
    assert lines_of(out) == [(3, "off-target-theme")]


def test_partly_unused_directive_names_only_unused_ids() -> None:
    ds = directives("<!-- msglint-disable-file inventory-control, gross-margin -->\nA\n")
    out = apply_suppressions([finding(2)], ds, "t.md")
    assert lines_of(out) == [(1, "unused-suppression")]
    assert "gross-margin" in out[0].message and "inventory-control" not in out[0].message
    assert "Remove gross-margin" in out[0].suggestion


KNOWN = {"inventory-control", "gross-margin", "off-target-theme", "vendor-voice"}


def test_an_unknown_id_is_named_with_the_closest_real_one() -> None:
    ds = directives("<!-- msglint-disable-next-line inventory-contrl -->\nA\n")
    out = apply_suppressions([finding(2)], ds, "t.md", known=KNOWN)
    assert lines_of(out) == [(2, "off-target-theme"), (1, "unused-suppression")]
    assert out[-1].severity == "info"  # CONTRACT.md section 6: an info finding
    assert out[-1].message == ("`msglint-disable-next-line` names unknown id 'inventory-contrl' "
                               "(did you mean 'inventory-control'?)")
    assert "msglint rules" in out[-1].suggestion


def test_a_known_id_that_suppressed_nothing_is_not_called_unknown() -> None:
    ds = directives("<!-- msglint-disable-next-line gross-margin, no-such-thing -->\nA\n")
    out = apply_suppressions([finding(2)], ds, "t.md", known=KNOWN)
    assert "unknown id 'no-such-thing'" in out[-1].message
    assert "gross-margin" not in out[-1].message  # one line about the mistake first


def test_unused_without_ids_and_enable_never_reported() -> None:
    ds = directives("<!-- msglint-disable -->\nA\n<!-- msglint-enable -->\n")
    out = apply_suppressions([], ds, "t.md")
    assert lines_of(out) == [(1, "unused-suppression")]
    assert out[0].message == "`msglint-disable` suppressed nothing"


def test_ids_match_case_insensitively() -> None:
    ds = directives("<!-- msglint-disable-next-line Inventory-Control -->\nA\n")
    assert apply_suppressions([finding(2)], ds, "t.md") == []


def test_yaml_and_html_directives_work_the_same() -> None:
    y = directives("# msglint-disable-next-line inventory-control\nsubject: Inventory control\n",
                   "yaml")
    assert apply_suppressions([finding(2)], y, "t.yaml") == []
    h = directives("<p>x</p>\n<!-- msglint-disable-next-line -->\n<p>Inventory</p>\n", "html")
    assert apply_suppressions([finding(3)], h, "t.html") == []

"""Table-driven: every check's own match / no-match examples from rules/checks/<id>.yaml."""

from __future__ import annotations

import pytest

from msglint.catalogue import load_catalogue

CATALOGUE = load_catalogue()
CASES = [
    pytest.param(check.id, side, example, id=f"{check.id}-{side}-{i}")
    for check in CATALOGUE.checks.values()
    for side, examples in (("match", check.match_examples), ("no_match", check.no_match_examples))
    for i, example in enumerate(examples)
]


@pytest.mark.parametrize(("check_id", "side", "example"), CASES)
def test_check_example(lint, check_id: str, side: str, example: dict[str, str]) -> None:
    result = lint(example["text"], example["profile"], fmt=example.get("format", "text"))
    rules = [f.rule for f in result.findings]
    if side == "match":
        assert check_id in rules, f"{check_id} did not fire on: {example['text']!r} ({rules})"
    else:
        assert check_id not in rules, f"{check_id} fired on: {example['text']!r}"


def test_every_check_has_examples_both_ways() -> None:
    for check in CATALOGUE.checks.values():
        assert check.match_examples, check.id
        assert check.no_match_examples, check.id


def test_every_registered_check_has_docs() -> None:
    from msglint.checks import REGISTRY
    from msglint.checks import rules as _  # noqa: F401 - registers

    assert set(REGISTRY) <= set(CATALOGUE.checks)

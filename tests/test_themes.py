"""The built-in theme catalogue: every theme's own examples, the contract ids, and strict loading.

One table-driven test runs each theme file's ``examples`` (``pytest -k inventory-control`` runs
one theme). All examples are analysed in a single batch by one module-scoped Analyzer, because
loading the spaCy pipeline and parsing sentence by sentence would dominate the run time.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from msglint.catalogue import load_catalogue
from msglint.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
THEME_DIR = RULES / "themes"

# CONTRACT.md section 1: the built-in ids and the group each belongs to.
CONTRACT_GROUPS = {
    "more-revenue": "outcome",
    "take-home-pay": "outcome",
    "lower-costs": "outcome",
    "time-savings": "outcome",
    "time-with-customers": "outcome",
    "less-day-to-day-involvement": "outcome",
    "risk-reduction": "outcome",
    "peace-of-mind": "outcome",
    "ease-of-use": "outcome",
    "relationship": "outcome",
    "customer-rewards": "outcome",
    "inventory-control": "operations",
    "cost-containment": "operations",
    "gross-margin": "operations",
    "operational-efficiency": "operations",
    "vendor-credentials": "company",
    "price-discount": "company",
    "empty-praise": "company",
}


def _cases() -> list:
    """(theme id, kind, text) for every example of every theme file, read without spaCy."""
    cases = []
    for path in sorted(THEME_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        examples = data.get("examples") or {}
        for kind in ("match", "no_match"):
            for i, text in enumerate(examples.get(kind) or []):
                cases.append(pytest.param(path.stem, kind, text,
                                          id=f"{path.stem}-{kind.replace('_', '-')}-{i}"))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def detected() -> dict[str, set[str]]:
    """Example text -> ids of the themes detected in it, all examples analysed in one batch."""
    from msglint.analysis import Analyzer
    from msglint.readers import read_bytes

    catalogue = load_catalogue(RULES)
    texts = sorted({p.values[2] for p in CASES})
    sources = [read_bytes(t.encode("utf-8"), f"example-{i}", "text")
               for i, t in enumerate(texts)]
    analyses = Analyzer(list(catalogue.themes.values())).analyze(sources)
    return {t: {m.theme for m in a.mentions} for t, a in zip(texts, analyses, strict=True)}


@pytest.mark.parametrize(("theme", "kind", "text"), CASES)
def test_theme_example(detected: dict[str, set[str]], theme: str, kind: str, text: str) -> None:
    found = detected[text]
    if kind == "match":
        assert theme in found, f"{theme} not detected in {text!r} (found: {sorted(found)})"
    else:
        assert theme not in found, f"{theme} wrongly detected in {text!r}"


def test_catalogue_matches_contract() -> None:
    catalogue = load_catalogue(RULES)
    missing = sorted(set(CONTRACT_GROUPS) - set(catalogue.themes))
    assert not missing, f"contract theme ids without a file: {missing}"
    for theme_id, theme in catalogue.themes.items():
        assert Path(theme.origin).stem == theme_id
        assert theme.match_examples and theme.no_match_examples, theme_id
        if theme_id in CONTRACT_GROUPS:
            assert theme.group == CONTRACT_GROUPS[theme_id], theme_id
            assert theme.why and theme.suggestion, f"{theme_id} needs why and suggestion"
    assert catalogue.themes["price-discount"].negation == "drop"
    assert catalogue.themes["empty-praise"].negation == "drop"


def _broken_copy(tmp_path: Path, name: str, edit) -> tuple[Path, Path]:
    root = tmp_path / "rules"
    shutil.copytree(RULES, root)
    path = root / "themes" / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return root, path


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.mark.parametrize(("case", "needle", "message"), [
    ("unknown-key", "patterns_typo:", "unknown key 'patterns_typo'"),
    ("wrong-type", "negation: [keep]", "negation"),
    ("id-not-file-name", "id: not-the-file-name", "must equal the file name"),
    ("bad-group", "group: vendor", "group"),
])
def test_broken_theme_file_is_a_config_error(tmp_path: Path, case: str, needle: str,
                                             message: str) -> None:
    def edit(text: str) -> str:
        if case == "unknown-key":
            return text.replace("\npatterns:", "\npatterns_typo: []\npatterns:", 1)
        if case == "wrong-type":
            return re.sub(r"(?m)^negation: keep$", "negation: [keep]", text, count=1)
        if case == "id-not-file-name":
            return text.replace("id: ease-of-use", "id: not-the-file-name", 1)
        return re.sub(r"(?m)^group: outcome$", "group: vendor", text, count=1)

    root, path = _broken_copy(tmp_path, "ease-of-use.yaml", edit)
    with pytest.raises(ConfigError) as info:
        load_catalogue(root)
    err = info.value
    assert message in err.message
    assert err.path == str(path)
    assert err.line == _line_of(path, needle)
    assert err.column is not None
    assert str(err).startswith(f"{path}:{err.line}:{err.column}: ")

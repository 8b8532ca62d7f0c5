"""Profiles: strict validation that points at file:line:col, extends, own themes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import PROFILES

from msglint.catalogue import load_catalogue
from msglint.errors import ConfigError
from msglint.profile import load_profile, profile_schema

CAT = load_catalogue()


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["smb-owner", "enterprise-ops", "premium-brand"])
def test_sample_profiles_load(name: str) -> None:
    prof = load_profile(PROFILES / f"{name}.yaml", CAT)
    assert prof.id == name
    assert prof.drivers


def test_sample_profiles_say_what_the_contract_says() -> None:
    smb = load_profile(PROFILES / "smb-owner.yaml", CAT)
    ent = load_profile(PROFILES / "enterprise-ops.yaml", CAT)
    prem = load_profile(PROFILES / "premium-brand.yaml", CAT)
    for t in ("inventory-control", "cost-containment", "gross-margin"):
        assert smb.role(t) == "off-target"
        assert ent.role(t) == "driver"
    assert ent.role("operational-efficiency") == "driver"
    assert prem.role("price-discount") == "off-target"
    assert prem.role("relationship") == prem.role("customer-rewards") == "driver"


# (yaml text, expected location, fragments the message must contain)
BROKEN = [
    ("drivers:\n  time-savings: 2\n  inventory-contrl: 1\n", (3, 3),
     ["unknown theme id 'inventory-contrl'", "did you mean 'inventory-control'", "valid ids"]),
    ("drivers:\n  time-savings: high\n", (2, 17), ["must be a number or a mapping", "'high'"]),
    ("checks:\n  empty-praise: loud\n", (2, 17), ["must be one of error, warning"]),
    ("drivers:\n  time-savings: 2\nvoice:\n  target: 1.5\n", (4, 11), ["voice.target"]),
    ("driverz:\n  time-savings: 2\n", (1, 1), ["unknown key 'driverz'", "did you mean 'drivers'"]),
    ("drivers: [time-savings]\n", (1, 10), ["drivers must be object"]),
    ("off_target:\n  gross-margin:\n    reason: x\n", (3, 5), ["reframe"]),
    ("drivers:\n  gross-margin: 1\noff_target:\n  gross-margin: {reason: a, reframe: b}\n",
     (4, 3), ["both a driver and off-target"]),
    ("drivers:\n  time-savings: 2\n  time-savings: 3\n", (3, 3), ["duplicate key"]),
    ("drivers: {time-savings: 2\n", None, ["invalid YAML"]),
    ("checks:\n  empty-prase: off\n", (2, 3), ["empty-prase", "did you mean 'empty-praise'"]),
    # a weight is a number, so "must be a number or a mapping, not a number (0)" said nothing
    ("drivers:\n  time-savings: 0\n", (2, 17), ["time-savings", "0", "minimum of 0"]),
    ("drivers:\n  time-savings: {weight: 2, sey: x}\n", (2, 29), ["unknown key 'sey'",
                                                                  "did you mean 'say'"]),
    # a regular expression that does not compile: an "internal error" at lint time before
    ("themes:\n  - id: sale\n    name: x\n    description: x\n"
     "    patterns:\n      - [{LOWER: big}, {LOWER: {REGEX: 'sale(s'}}]\n"
     "    examples: {match: [big sale], no_match: [y]}\n", (6, 32),
     ["invalid regular expression in patterns[0]", "sale(s"]),
    # YAML reads a bare off as false: said so at the word test, not by spaCy's validator
    ("themes:\n  - id: handover\n    name: x\n    description: x\n"
     "    patterns:\n      - [{LEMMA: hand}, {LOWER: {IN: [over, off]}}]\n"
     "    examples: {match: [hand over], no_match: [y]}\n", (6, 33),
     ["LOWER in patterns[0] holds true/false", 'quote the word ("off")']),
    # a misspelt token extension is reported here, not by spaCy at match time
    ("themes:\n  - id: gates\n    name: x\n    description: x\n"
     "    patterns:\n      - [{_: {opens_sentense: true}}, {LOWER: gates}]\n"
     "    examples: {match: [Gates.], no_match: [y]}\n", (6, 14),
     ["unknown token extension _.opens_sentense", "msglint provides: opens_sentence"]),
]


@pytest.mark.parametrize(("text", "where", "fragments"), BROKEN,
                         ids=[f"broken-{i}" for i in range(len(BROKEN))])
def test_broken_profiles_point_at_the_problem(tmp_path: Path, text: str,
                                              where: tuple[int, int] | None,
                                              fragments: list[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_profile(path, CAT)
    err = info.value
    if where is not None:
        assert (err.line, err.column) == where, str(err)
    else:
        assert err.line is not None
    for fragment in fragments:
        assert fragment in str(err)
    assert str(err).startswith(str(path.name)) or "p.yaml" in str(err)


def test_a_profile_that_is_not_utf8_says_where(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"drivers:\n  time-savings: 2 # caf\xe9\n")
    with pytest.raises(ConfigError) as info:
        load_profile(path, CAT)
    assert (info.value.line, info.value.column) == (2, 24)
    assert info.value.message == "invalid UTF-8 at byte 32; save the profile as UTF-8"


def test_extends_merges_and_overrides(tmp_path: Path) -> None:
    write(tmp_path, """\
        name: base
        drivers: {time-savings: 1, ease-of-use: 2}
        off_target:
          gross-margin: {reason: r, reframe: f}
        min_score: 50
        """, "base.yaml")
    child = write(tmp_path, """\
        extends: base.yaml
        drivers: {gross-margin: 3}
        voice: {target: 0.7}
        """, "child.yaml")
    prof = load_profile(child, CAT)
    assert prof.role("gross-margin") == "driver"  # the child moved it
    assert prof.role("ease-of-use") == "driver"  # inherited
    assert prof.min_score == 50
    assert prof.voice_target == 0.7
    assert prof.id == "child"


def test_extends_loop_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "extends: b.yaml\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\n", "b.yaml")
    with pytest.raises(ConfigError, match="loop"):
        load_profile(tmp_path / "a.yaml", CAT)


def test_missing_extends_target(tmp_path: Path) -> None:
    path = write(tmp_path, "extends: nowhere.yaml\n")
    with pytest.raises(ConfigError, match="nowhere.yaml") as info:
        load_profile(path, CAT)
    assert info.value.line == 1
    assert "smb-owner" in str(info.value)  # names the samples it could have meant


def test_a_missing_profile_names_the_samples(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_profile(tmp_path / "smb-ownr", CAT)
    assert "did you mean 'smb-owner'" in str(info.value)


def test_extends_a_shipped_sample_by_name(tmp_path: Path) -> None:
    # The names `--profile` takes work in `extends` too.
    path = write(tmp_path, "extends: smb-owner\nmin_score: 12\n")
    prof = load_profile(path, CAT)
    assert prof.role("inventory-control") == "off-target"  # from the sample
    assert prof.min_score == 12


def test_extends_prefers_a_file_beside_the_profile(tmp_path: Path) -> None:
    write(tmp_path, "drivers: {gross-margin: 2}\n", "smb-owner")
    prof = load_profile(write(tmp_path, "extends: smb-owner\n"), CAT)
    assert prof.role("gross-margin") == "driver"  # the local file, not the sample


def test_profile_own_theme_is_usable_as_driver(tmp_path: Path, lint) -> None:
    path = write(tmp_path, """\
        id: florists
        themes:
          - id: wedding-season
            name: Wedding season
            description: Peak wedding bookings.
            phrases: [wedding season, bridal party]
            examples:
              match: ['Ready for wedding season?']
              no_match: [Flowers for any day.]
        drivers:
          wedding-season: 3
        """)
    from msglint.api import lint_text

    prof = load_profile(path, CAT)
    result = lint_text("Be ready for wedding season with your bridal party orders.", prof)
    assert result.coverage["wedding-season"] >= 1


# A profile theme's pattern that spaCy rejects: the error names the file and the pattern's
# line:col, and says what is wrong in words (not spaCy's KeyError text).
BAD_PATTERNS = [
    ("patterns:\n      - [{LEMMA: bouquet, LEMA: rose}]\n", (8, 9), ["patterns[0]", "LEMA"]),
    ("patterns:\n      - [{LOWER: fresh}]\n    unless:\n      - [{LOWER: {NOT_AN_OP: [x]}}]\n",
     (10, 9), ["unless[0]", "NOT_AN_OP"]),
    ("dependency_patterns:\n      - - {RIGHT_ID: flower}\n", (8, 11),
     ["dependency_patterns[0]", "RIGHT_ATTRS"]),
    ("dependency_patterns:\n      - - {RIGHT_ID: f, RIGHT_ATTRS: {LEMMA: flower}}\n"
     "        - {LEFT_ID: f, REL_OP: '>>>', RIGHT_ID: g, RIGHT_ATTRS: {LEMMA: fresh}}\n",
     (8, 9), ["dependency_patterns[0]", "'>>>'"]),
    ("dependency_patterns:\n      - - {RIGHT_ID: f, RIGHT_ATTRS: {LEMMA: flower}}\n"
     "        - {LEFT_ID: nope, REL_OP: '>', RIGHT_ID: g, RIGHT_ATTRS: {LEMMA: fresh}}\n",
     (9, 11), ["dependency_patterns[0]", "'nope'"]),
]


@pytest.mark.parametrize(("patterns", "where", "fragments"), BAD_PATTERNS,
                         ids=[f"bad-pattern-{i}" for i in range(len(BAD_PATTERNS))])
def test_a_profile_themes_bad_pattern_says_where(tmp_path: Path, patterns: str,
                                                 where: tuple[int, int],
                                                 fragments: list[str]) -> None:
    from msglint.api import lint_text

    path = write(tmp_path, "themes:\n  - id: florals\n    name: Florals\n"
                           "    description: Flowers.\n"
                           "    examples: {match: [x], no_match: [y]}\n"
                           "    phrases: [flower stall]\n    " + patterns)
    with pytest.raises(ConfigError) as info:
        lint_text("Fresh flowers every morning.", load_profile(path, CAT))
    err = info.value
    assert err.path is not None and err.path.endswith("p.yaml"), str(err)
    assert (err.line, err.column) == where, str(err)
    for fragment in fragments:
        assert fragment in err.message, str(err)
    assert "'RIGHT_ATTRS'" != err.message.split(": ", 1)[-1]  # not a bare KeyError


def test_own_theme_cannot_shadow_builtin(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        themes:
          - id: gross-margin
            name: x
            description: x
            phrases: [x]
            examples: {match: [x], no_match: [y]}
        """)
    with pytest.raises(ConfigError, match="already a built-in"):
        load_profile(path, CAT)


def test_schema_validates_the_samples() -> None:
    import jsonschema
    import yaml

    schema = profile_schema(CAT)
    for path in PROFILES.glob("*.yaml"):
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"drivers": {"time-savings": "high"}}, schema)

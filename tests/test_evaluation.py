"""Tests of the evaluation harness (msglint.evaluation) and of the labelled data in tests/eval."""

from __future__ import annotations

import csv
import json
import warnings
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from msglint.evaluation import (
    DRIVER_THEME_IDS,
    KIND_MINIMUMS,
    KINDS,
    THEME_IDS,
    VOICE_LABELS,
    EvalDataError,
    EvalDataWarning,
    EvalItem,
    default_corpus_dir,
    evaluate,
    format_patterns,
    format_report,
    load_dataset,
    msglint_predictor,
    pattern_scores,
    text_sha1,
)

EVAL_DIR = Path(__file__).resolve().parent / "eval"
DATA_FILES = ("real.jsonl", "probes.jsonl")


# --------------------------------------------------------------------------- metric arithmetic


def _item(id_: str, kind: str, themes: set[str], voice: str) -> EvalItem:
    return EvalItem(
        id=id_, text=f"text {id_}", voice=voice, themes=frozenset(themes), kind=kind, split="dev"
    )


TINY = [
    _item("A", "keyword", {"more-revenue"}, "customer"),
    _item("B", "keyword", {"lower-costs", "time-savings"}, "vendor"),
    _item("C", "paraphrase", {"time-savings"}, "customer"),
    _item("D", "paraphrase", {"more-revenue", "peace-of-mind"}, "mixed"),
    _item("E", "hard-negative", set(), "neutral"),
    _item("F", "hard-negative", {"price-discount"}, "neutral"),
    _item("G", "hard-negative", set(), "vendor"),
    _item("H", "negation", {"inventory-control"}, "customer"),
]
PREDICTIONS = {
    "text A": ({"more-revenue"}, "customer"),
    "text B": ({"lower-costs"}, "customer"),
    "text C": (set(), "customer"),
    "text D": ({"more-revenue", "price-discount"}, "vendor"),
    "text E": ({"inventory-control"}, "neutral"),
    "text F": ({"price-discount"}, "neutral"),
    "text G": ({"not-a-contract-theme"}, "vendor"),
    "text H": ({"inventory-control", "lower-costs"}, "vendor"),
}


def fake_predict(text: str) -> tuple[set[str], str]:
    return PREDICTIONS[text]


@pytest.fixture
def tiny_report():
    return evaluate(TINY, fake_predict)


def test_per_theme_counts(tiny_report):
    got = {t: (s.tp, s.fp, s.fn) for t, s in tiny_report.per_theme.items() if s.tp or s.fp or s.fn}
    assert got == {
        "more-revenue": (2, 0, 0),
        "lower-costs": (1, 1, 0),
        "time-savings": (0, 0, 2),
        "peace-of-mind": (0, 0, 1),
        "price-discount": (1, 1, 0),
        "inventory-control": (1, 1, 0),
    }
    assert set(tiny_report.per_theme) == set(THEME_IDS)


def test_per_theme_precision_recall_f1(tiny_report):
    pt = tiny_report.per_theme
    assert (pt["more-revenue"].precision, pt["more-revenue"].recall, pt["more-revenue"].f1) == (
        1.0,
        1.0,
        1.0,
    )
    assert pt["lower-costs"].precision == pytest.approx(0.5)
    assert pt["lower-costs"].recall == pytest.approx(1.0)
    assert pt["lower-costs"].f1 == pytest.approx(2 / 3)
    # never predicted: precision undefined, recall and F1 zero
    assert pt["time-savings"].precision is None
    assert pt["time-savings"].recall == 0.0
    assert pt["time-savings"].f1 == 0.0
    assert pt["time-savings"].support == 2
    # neither gold nor predicted anywhere
    assert pt["gross-margin"].precision is None
    assert pt["gross-margin"].recall is None
    assert pt["gross-margin"].f1 is None
    assert pt["gross-margin"].support == 0


def test_micro_and_macro(tiny_report):
    # TP = 5, FP = 3, FN = 3
    assert tiny_report.micro_precision == pytest.approx(5 / 8)
    assert tiny_report.micro_recall == pytest.approx(5 / 8)
    assert tiny_report.micro_f1 == pytest.approx(10 / 16)
    # themes with support: more-revenue 1, lower-costs 2/3, time-savings 0, peace-of-mind 0,
    # price-discount 2/3, inventory-control 2/3 -> 3 / 6
    assert tiny_report.macro_f1 == pytest.approx(0.5)


def test_voice_scores(tiny_report):
    assert tiny_report.voice_accuracy == pytest.approx(5 / 8)
    # gold vendor/customer items: A ok, B wrong, C ok, G ok, H wrong
    assert tiny_report.vendor_customer_items == 5
    assert tiny_report.vendor_customer_accuracy == pytest.approx(3 / 5)


def test_kind_scores(tiny_report):
    assert tiny_report.keyword_recall == pytest.approx(2 / 3)
    assert tiny_report.paraphrase_recall == pytest.approx(1 / 3)
    assert tiny_report.hard_negative_items == 3
    assert tiny_report.hard_negative_false_alarm_rate == pytest.approx(1 / 3)
    assert tiny_report.per_kind["negation"] == (1, 1, 0)
    assert tiny_report.items_per_kind == {
        "keyword": 2,
        "paraphrase": 2,
        "hard-negative": 3,
        "negation": 1,
    }
    assert tiny_report.ignored_predictions == {"not-a-contract-theme": 1}


def test_miss_list(tiny_report):
    misses = {m.item_id: m for m in tiny_report.misses}
    assert sorted(misses) == ["B", "C", "D", "E", "H"]
    d = misses["D"]
    assert (d.kind, d.missed, d.spurious, d.gold_voice, d.predicted_voice) == (
        "paraphrase",
        ("peace-of-mind",),
        ("price-discount",),
        "mixed",
        "vendor",
    )
    assert misses["B"].missed == ("time-savings",) and misses["B"].spurious == ()
    assert not misses["B"].voice_ok
    assert misses["E"].voice_ok and misses["E"].spurious == ("inventory-control",)


def test_empty_input_gives_undefined_scores():
    report = evaluate([], fake_predict)
    assert report.n_items == 0
    assert report.micro_f1 is None and report.macro_f1 is None and report.voice_accuracy is None
    assert report.hard_negative_false_alarm_rate is None


def test_format_report(tiny_report):
    text = format_report(tiny_report)
    assert "micro F1" in text and "0.625" in text
    assert "macro F1 (themes with support)" in text and "0.500" in text
    for theme in THEME_IDS:
        assert theme in text
    assert "missed: peace-of-mind" in text and "spurious: price-discount" in text
    assert "voice mixed->vendor" in text
    assert "not-a-contract-theme x1" in text
    short = format_report(tiny_report, max_misses=2)
    assert "... 3 more" in short


def test_pattern_scores_count_hits_and_false_alarms_per_item():
    # A: its more-revenue mention is right; B: lower-costs right, and a second lower-costs
    # mention by the same pattern in one item counts once; E: inventory-control wrong.
    mentions = [
        [("more-revenue", 0)],
        [("lower-costs", 2), ("lower-costs", 2), ("time-savings", 1)],
        [],
        [("more-revenue", 0), ("price-discount", 4)],
        [("inventory-control", 3)],
        [("price-discount", 4)],
        [],
        [("inventory-control", 3), ("lower-costs", 2)],
    ]
    scores = pattern_scores(TINY, mentions, lambda theme, n: [{"LOWER": f"{theme}-{n}"}])
    by_key = {(p.theme, p.pattern): p for p in scores}
    assert (by_key[("more-revenue", 0)].hits, by_key[("more-revenue", 0)].false_alarms) == (2, 0)
    assert (by_key[("lower-costs", 2)].hits, by_key[("lower-costs", 2)].false_alarms) == (1, 1)
    assert by_key[("lower-costs", 2)].examples == ["H"]
    assert (by_key[("price-discount", 4)].hits,
            by_key[("price-discount", 4)].false_alarms) == (1, 1)
    assert (by_key[("inventory-control", 3)].hits,
            by_key[("inventory-control", 3)].false_alarms) == (1, 1)
    # most false alarms first, then the fewest hits, then by theme
    assert [(p.theme, p.pattern) for p in scores] == [
        ("inventory-control", 3), ("lower-costs", 2), ("price-discount", 4),
        ("time-savings", 1), ("more-revenue", 0)]
    assert by_key[("time-savings", 1)].spec == '[{"LOWER": "time-savings-1"}]'
    table = format_patterns(scores, 2).splitlines()
    assert len(table) == 5  # a header, then two lines per pattern
    assert table[1].split()[:4] == ["inventory-control", "3", "1", "1"]
    assert table[2].strip() == "E"
    assert table[3].split()[:4] == ["lower-costs", "2", "1", "1"]
    assert format_patterns([by_key[("more-revenue", 0)]], 5) == \
        "no pattern gave a false alarm\n"


def test_eval_lists_the_patterns_with_false_alarms(tmp_path: Path):
    from click.testing import CliRunner

    from msglint.cli import main

    data = _write_jsonl(tmp_path / "set.jsonl", [
        {**_probe("p1"), "text": "We cut your costs by a third.", "themes": ["lower-costs"]},
        {**_probe("p2"), "text": "Cut the ribbon at the opening and cut costs later.",
         "themes": []},
    ])
    result = CliRunner().invoke(main, ["eval", str(data), "--patterns", "3", "--misses", "0"])
    assert result.exit_code == 0, result.output
    listing = result.output.split("patterns with false alarms", 1)[1]
    row = next(line for line in listing.splitlines() if line.startswith("lower-costs"))
    number, false_alarms, hits = row.split()[1:4]
    assert (false_alarms, hits) == ("1", "1") and number.isdigit()
    assert "p2" in listing
    result = CliRunner().invoke(main, ["eval", str(data), "--patterns", "3", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)["patterns"]
    assert [(p["theme"], p["false_alarms"], p["hits"], p["examples"]) for p in listed] == \
        [("lower-costs", 1, 1, ["p2"])]


def test_msglint_predictor_adapter():
    def fake_lint_text(text, profile):
        assert profile == "smb-owner"
        mentions = [SimpleNamespace(theme="ease-of-use"), SimpleNamespace(theme="ease-of-use")]
        return SimpleNamespace(themes=mentions, voice=SimpleNamespace(label="customer"))

    predict = msglint_predictor("smb-owner", lint_text=fake_lint_text)
    assert predict("It is simple.") == ({"ease-of-use"}, "customer")


def test_msglint_predictor_can_drop_negated_mentions():
    def fake_lint_text(text, profile):
        mentions = [
            SimpleNamespace(theme="price-discount", negated=True),
            SimpleNamespace(theme="relationship"),
        ]
        return SimpleNamespace(themes=mentions, voice=SimpleNamespace(label="vendor"))

    assert msglint_predictor("p", lint_text=fake_lint_text)("x")[0] == {
        "price-discount",
        "relationship",
    }
    assert msglint_predictor("p", lint_text=fake_lint_text, include_negated=False)("x")[0] == {
        "relationship"
    }


# --------------------------------------------------------------------------- loader


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def fake_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with (corpus / "jin2021_slogan_valid.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["desc", "output", "industry"])
        writer.writeheader()
        writer.writerow({"desc": "Row zero, with a comma.", "output": "x", "industry": "y"})
        writer.writerow({"desc": "Row one\nspans two lines.", "output": "x", "industry": "y"})
    _write_jsonl(
        corpus / "mozorg_marketing_strings.jsonl",
        [{"id": "mozorg:a.ftl:key", "section": "product_landing", "text": "Fast and private."}],
    )
    return corpus


def _real(id_: str, source: dict, sha1: str) -> dict:
    return {
        "id": id_,
        "source": source,
        "sha1": sha1,
        "voice": "vendor",
        "themes": [],
        "kind": "real",
        "split": "dev",
    }


def _probe(id_: str, split: str = "dev") -> dict:
    return {
        "id": id_,
        "text": "Save time.",
        "voice": "customer",
        "themes": ["time-savings"],
        "kind": "keyword",
        "split": split,
    }


def test_sha1_helper():
    assert text_sha1("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d"


def test_loader_resolves_real_items_and_checks_sha1(tmp_path: Path, fake_corpus: Path):
    data = _write_jsonl(
        tmp_path / "set.jsonl",
        [
            _real("jin-0", {"corpus": "jin2021", "row": 0}, text_sha1("Row zero, with a comma.")),
            _real("jin-1", {"corpus": "jin2021", "row": 1}, text_sha1("Row one\nspans two lines.")),
            _real(
                "moz-1",
                {"corpus": "mozorg", "id": "mozorg:a.ftl:key"},
                text_sha1("Fast and private."),
            ),
            _real("jin-bad", {"corpus": "jin2021", "row": 0}, text_sha1("something else")),
            _real("jin-gone", {"corpus": "jin2021", "row": 99}, text_sha1("x")),
            _probe("probe-1"),
        ],
    )
    with pytest.warns(EvalDataWarning, match="SHA-1 mismatch"):
        ds = load_dataset(data, corpus_dir=fake_corpus)
    assert [i.id for i in ds] == ["jin-0", "jin-1", "moz-1", "probe-1"]
    assert ds[1].text == "Row one\nspans two lines."
    assert ds[2].text == "Fast and private."
    assert ds.report.sha1_mismatches == ["jin-bad"]
    assert ds.report.unresolved == ["jin-gone"]
    assert ds.report.skipped_no_corpus == 0
    assert ds.report.skipped == 2
    assert ds.report.loaded == 4


def test_loader_skips_real_items_without_corpus(tmp_path: Path):
    data = _write_jsonl(
        tmp_path / "set.jsonl",
        [
            _real("jin-0", {"corpus": "jin2021", "row": 0}, "0" * 40),
            _probe("probe-1"),
            _probe("probe-2", "test"),
        ],
    )
    with pytest.warns(EvalDataWarning, match="1 real items skipped: corpus not found"):
        ds = load_dataset(data, corpus_dir=tmp_path / "no-such-dir")
    assert [i.id for i in ds] == ["probe-1", "probe-2"]
    assert ds.report.skipped_no_corpus == 1
    assert not ds.report.corpus_available
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = load_dataset(data, corpus_dir=tmp_path / "no-such-dir", warn=False)
    assert len(quiet) == 2


def test_loader_directory_and_split(tmp_path: Path):
    _write_jsonl(tmp_path / "a.jsonl", [_probe("p1"), _probe("p2", "test")])
    _write_jsonl(tmp_path / "b.jsonl", [_probe("p3", "test")])
    (tmp_path / "notes.txt").write_text("not data")
    assert [i.id for i in load_dataset(tmp_path, corpus_dir=tmp_path)] == ["p1", "p2", "p3"]
    assert [i.id for i in load_dataset(tmp_path, corpus_dir=tmp_path, split="test")] == ["p2", "p3"]
    assert [i.id for i in load_dataset(tmp_path, corpus_dir=tmp_path, split="dev")] == ["p1"]
    with pytest.raises(ValueError):
        load_dataset(tmp_path, split="train")


def test_loader_default_corpus_dir_env(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("MSGLINT_CORPUS_DIR", str(tmp_path))
    assert default_corpus_dir() == tmp_path
    monkeypatch.delenv("MSGLINT_CORPUS_DIR")
    assert default_corpus_dir().parts[-2:] == ("shared", "corpus")


@pytest.mark.parametrize(
    "record, message",
    [
        ({**_probe("x"), "themes": ["inventory"]}, "unknown theme id"),
        ({**_probe("x"), "voice": "company"}, "unknown voice"),
        ({**_probe("x"), "kind": "other"}, "unknown kind"),
        ({**_probe("x"), "split": "train"}, "unknown split"),
        ({k: v for k, v in _probe("x").items() if k != "text"}, "non-empty 'text'"),
        (
            {**_real("r", {"corpus": "jin2021", "row": 0}, "0" * 40), "text": "copied"},
            "must not store corpus text",
        ),
        (_real("r", {"corpus": "web"}, "0" * 40), "real item needs 'source'"),
    ],
)
def test_loader_rejects_bad_records(tmp_path: Path, record: dict, message: str):
    data = _write_jsonl(tmp_path / "bad.jsonl", [_probe("ok"), record])
    with pytest.raises(EvalDataError, match=message) as info:
        load_dataset(data, corpus_dir=tmp_path)
    assert "bad.jsonl:2" in str(info.value)


def test_loader_rejects_duplicate_ids(tmp_path: Path):
    _write_jsonl(tmp_path / "a.jsonl", [_probe("same")])
    _write_jsonl(tmp_path / "b.jsonl", [_probe("same")])
    with pytest.raises(EvalDataError, match="duplicate item id"):
        load_dataset(tmp_path, corpus_dir=tmp_path)


# --------------------------------------------------------------------------- the shipped data set


def _raw_records() -> list[dict]:
    records = []
    for name in DATA_FILES:
        with (EVAL_DIR / name).open(encoding="utf-8") as fh:
            records += [json.loads(line) for line in fh if line.strip()]
    return records


def test_dataset_labels_are_valid():
    records = _raw_records()
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "item ids must be unique"
    for r in records:
        assert r["voice"] in VOICE_LABELS, r["id"]
        assert r["kind"] in KINDS, r["id"]
        assert r["split"] in ("dev", "test"), r["id"]
        assert all(t in THEME_IDS for t in r["themes"]), r["id"]
        assert len(set(r["themes"])) == len(r["themes"]), r["id"]
    probe_texts = [r["text"] for r in records if r["kind"] != "real"]
    assert len(probe_texts) == len(set(probe_texts)), "probe texts must be unique"


def test_real_items_store_no_corpus_text():
    for r in _raw_records():
        if r["kind"] == "real":
            assert "text" not in r and "evidence" not in r, r["id"]
            assert r["source"]["corpus"] in ("jin2021", "mozorg")
            assert len(r["sha1"]) == 40


def test_dataset_meets_minimums():
    records = _raw_records()
    kinds = Counter(r["kind"] for r in records)
    for kind, minimum in KIND_MINIMUMS.items():
        assert kinds[kind] >= minimum, (kind, kinds[kind])
    keyword = Counter(t for r in records if r["kind"] == "keyword" for t in r["themes"])
    assert all(keyword[t] >= 2 for t in THEME_IDS), keyword
    paraphrase = Counter(t for r in records if r["kind"] == "paraphrase" for t in r["themes"])
    assert all(paraphrase[t] >= 3 for t in DRIVER_THEME_IDS), paraphrase
    voices = Counter(r["voice"] for r in records)
    assert all(voices[v] >= 30 for v in VOICE_LABELS), voices


def test_splits_follow_the_frozen_rule():
    by_kind: dict[str, list[dict]] = {}
    for r in _raw_records():
        by_kind.setdefault(r["kind"], []).append(r)
    for kind, recs in by_kind.items():
        for pos, r in enumerate(recs):
            expected = "test" if pos % 5 in (1, 3) else "dev"
            assert r["split"] == expected, (kind, r["id"])
        splits = Counter(r["split"] for r in recs)
        assert splits["dev"] and splits["test"], kind


def test_shipped_dataset_loads():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvalDataWarning)
        ds = load_dataset(EVAL_DIR)
    n_probes = sum(1 for r in _raw_records() if r["kind"] != "real")
    assert sum(1 for i in ds if i.kind != "real") == n_probes
    assert not ds.report.sha1_mismatches and not ds.report.unresolved


@pytest.mark.skipif(not default_corpus_dir().is_dir(), reason="shared/corpus not available")
def test_all_real_items_resolve_against_corpus():
    ds = load_dataset(EVAL_DIR / "real.jsonl", warn=False)
    assert ds.report.skipped == 0, ds.report.summary()
    assert len(ds) >= KIND_MINIMUMS["real"]


@pytest.mark.parametrize("record, message", [
    ({**_probe("x"), "kind": "other"}, "bad.jsonl:2: unknown kind 'other'"),
    ({**_probe("x"), "themes": ["inventory"]}, "bad.jsonl:2: unknown theme id(s) inventory"),
])
def test_eval_on_bad_data_is_one_line_naming_file_and_line(tmp_path: Path, record: dict,
                                                          message: str):
    from click.testing import CliRunner

    from msglint.cli import main

    data = _write_jsonl(tmp_path / "bad.jsonl", [_probe("ok"), record])
    result = CliRunner().invoke(main, ["eval", str(data)])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert message in line and "internal error" not in line and line.startswith("msglint:")


# --------------------------------------------------------------------------- bad data, the CLI


def _eval(*args: str):
    from click.testing import CliRunner

    from msglint.cli import main

    return CliRunner().invoke(main, ["eval", *args])


def test_eval_on_a_file_that_is_not_utf8_names_file_line_and_column(tmp_path: Path):
    data = tmp_path / "latin1.jsonl"
    line = json.dumps({**_probe("p1"), "text": "Caf\u00e9 time."}, ensure_ascii=False)
    data.write_bytes(json.dumps(_probe("p0")).encode() + b"\n" + line.encode("latin-1") + b"\n")
    with pytest.raises(EvalDataError, match=r"latin1\.jsonl:2:\d+: invalid UTF-8"):
        load_dataset(data, corpus_dir=tmp_path)
    result = _eval(str(data))
    assert result.exit_code == 2
    [message] = result.output.strip().splitlines()
    assert "latin1.jsonl:2:" in message and "UTF-8" in message
    assert "internal error" not in message


def test_eval_reads_a_file_saved_with_a_utf8_bom(tmp_path: Path):
    data = tmp_path / "bom.jsonl"
    data.write_bytes(b"\xef\xbb\xbf" + json.dumps(_probe("p1")).encode() + b"\n")
    assert [i.id for i in load_dataset(data, corpus_dir=tmp_path)] == ["p1"]


@pytest.mark.parametrize("content, message", [
    ("not json\n", "mozorg_marketing_strings.jsonl:1: invalid JSON"),
    ('{"id": "mozorg:a.ftl:key"}\n', "mozorg_marketing_strings.jsonl:1: expected an object with"),
])
def test_eval_on_a_corrupt_corpus_file_names_it(tmp_path: Path, fake_corpus: Path,
                                                 content: str, message: str):
    (fake_corpus / "mozorg_marketing_strings.jsonl").write_text(
        json.dumps({"id": "other", "text": "Fine."}) + "\n" + content, encoding="utf-8")
    message = message.replace(":1:", ":2:")
    data = _write_jsonl(tmp_path / "set.jsonl", [
        _real("moz-1", {"corpus": "mozorg", "id": "mozorg:a.ftl:key"}, "0" * 40)])
    with pytest.raises(EvalDataError, match=message):
        load_dataset(data, corpus_dir=fake_corpus)
    result = _eval(str(data), "--corpus", str(fake_corpus))
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert message in line and "internal error" not in line


def test_eval_on_a_corpus_csv_that_is_not_utf8_names_it(tmp_path: Path, fake_corpus: Path):
    (fake_corpus / "jin2021_slogan_valid.csv").write_bytes(b"desc,output\nCaf\xe9,x\n")
    data = _write_jsonl(tmp_path / "set.jsonl", [
        _real("jin-0", {"corpus": "jin2021", "row": 0}, "0" * 40)])
    with pytest.raises(EvalDataError, match=r"jin2021_slogan_valid\.csv: .*UTF-8"):
        load_dataset(data, corpus_dir=fake_corpus)


def test_eval_with_a_corpus_folder_that_does_not_exist_is_a_usage_error(tmp_path: Path):
    data = _write_jsonl(tmp_path / "set.jsonl", [
        _real("jin-0", {"corpus": "jin2021", "row": 0}, "0" * 40), _probe("p1")])
    result = _eval(str(data), "--corpus", str(tmp_path / "no-such-dir"))
    assert result.exit_code == 2, result.output
    assert "--corpus" in result.output and "no-such-dir" in result.output
    assert "msglint evaluation" not in result.output  # no figures over the probes alone


def test_eval_warning_about_a_missing_corpus_names_the_cli_option(tmp_path: Path):
    data = _write_jsonl(tmp_path / "set.jsonl", [
        _real("jin-0", {"corpus": "jin2021", "row": 0}, "0" * 40), _probe("p1")])
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _eval(str(data), "--corpus", str(empty))
    assert result.exit_code == 0, result.output
    assert "corpus not found at" in result.output and "--corpus" in result.output


@pytest.mark.parametrize("records, args, message", [
    ([], [], "empty.jsonl: no items to score"),
    ([_probe("p1")], ["--split", "test"], "empty.jsonl: no items to score in the test split"),
    ([_real("jin-0", {"corpus": "jin2021", "row": 0}, "0" * 40)], ["--json"],
     "empty.jsonl: no items to score"),
])
def test_eval_with_no_items_to_score_is_an_error(tmp_path: Path, records: list, args: list,
                                                 message: str):
    data = _write_jsonl(tmp_path / "empty.jsonl", records)
    empty = tmp_path / "corpus"
    empty.mkdir()
    result = _eval(str(data), "--corpus", str(empty), *args)
    assert result.exit_code == 2, result.output
    assert f"msglint: error: {data.parent / message}" in result.output
    assert "msglint evaluation" not in result.output and "{" not in result.output


@pytest.mark.parametrize("option", ["--misses", "--patterns"])
def test_eval_rejects_a_negative_count(tmp_path: Path, option: str):
    data = _write_jsonl(tmp_path / "set.jsonl", [_probe("p1")])
    result = _eval(str(data), option, "-1")
    assert result.exit_code == 2, result.output
    assert option in result.output and "msglint evaluation" not in result.output


def test_skipped_real_items_are_named_with_file_and_line(tmp_path: Path, fake_corpus: Path):
    data = _write_jsonl(tmp_path / "set.jsonl", [
        _probe("p1"),
        _real("jin-gone", {"corpus": "jin2021", "row": 99}, "0" * 40),
        _real("jin-bad", {"corpus": "jin2021", "row": 0}, "0" * 40),
    ])
    with pytest.warns(EvalDataWarning) as caught:
        ds = load_dataset(data, corpus_dir=fake_corpus)
    assert ds.report.unresolved == ["jin-gone"] and ds.report.sha1_mismatches == ["jin-bad"]
    [message] = [str(w.message) for w in caught]
    assert f"jin-gone ({data}:2)" in message and f"jin-bad ({data}:3)" in message
    result = _eval(str(data), "--corpus", str(fake_corpus))
    assert f"jin-gone ({data}:2)" in result.output


def test_invalid_json_names_line_and_column(tmp_path: Path):
    data = tmp_path / "bad.jsonl"
    data.write_text(json.dumps(_probe("p0")) + '\n{"id": "p1", "text" "x"}\n', encoding="utf-8")
    with pytest.raises(EvalDataError, match=r"bad\.jsonl:2:21: invalid JSON"):
        load_dataset(data, corpus_dir=tmp_path)
    data.write_text('{"id": "p1", "text": "x"\n', encoding="utf-8")  # cut short
    with pytest.raises(EvalDataError, match=r"bad\.jsonl:1:25: invalid JSON"):
        load_dataset(data, corpus_dir=tmp_path)


def test_eval_json_gives_the_per_theme_figures_the_text_table_shows(tmp_path: Path):
    data = _write_jsonl(tmp_path / "set.jsonl", [
        {**_probe("p1"), "text": "We cut your costs by a third.", "themes": ["lower-costs"]},
        {**_probe("p2"), "text": "Cut the ribbon at the opening and cut costs later.",
         "themes": []},
    ])
    text = _eval(str(data)).output
    row = next(line for line in text.splitlines() if line.startswith("lower-costs "))
    prec, rec, f1 = row.split()[-3:]
    out = json.loads(_eval(str(data), "--json").output)
    theme = out["per_theme"]["lower-costs"]
    assert (f"{theme['precision']:.3f}", f"{theme['recall']:.3f}", f"{theme['f1']:.3f}") == \
        (prec, rec, f1)
    assert out["per_theme"]["gross-margin"]["f1"] is None

"""Set eval labels to the majority of three independent codebook-only readings (labels v2).

Each reading is a JSON-lines file in CODEBOOK.md's output format
(``{"item_id", "voice", "themes", "evidence"}``); ``--key`` maps the readers' anonymous item ids
to eval ids (a JSON object). A theme is kept when at least two of three readers gave it; the voice
is the one at least two gave, else the item's current voice. Items whose labels change keep the
old ones as ``themes_v1``/``voice_v1`` (and ``note_v1``). Every item of every file must have been
read. Usage::

    python benchmarks/relabel.py --key key.json --eval tests/eval r1.jsonl r2.jsonl r3.jsonl
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from msglint.evaluation import THEME_IDS


def majority(readings: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Per eval id: themes and voice at least two readers share, and the votes behind them."""
    out: dict[str, dict[str, Any]] = {}
    for item_id in set.intersection(*(set(r) for r in readings)):
        votes = Counter(t for r in readings for t in set(r[item_id]["themes"]) if t in THEME_IDS)
        voices = [r[item_id]["voice"] for r in readings]
        voice, n = Counter(voices).most_common(1)[0]
        out[item_id] = {"themes": sorted(t for t, k in votes.items() if k >= 2),
                        "voice": voice if n >= 2 else None,
                        "votes": dict(sorted(votes.items())), "voices": sorted(voices)}
    return out


def relabel(record: dict[str, Any], m: dict[str, Any]) -> dict[str, Any]:
    themes, voice = m["themes"], m["voice"] or record["voice"]
    changed = set(themes) != set(record["themes"]) or voice != record["voice"]
    new: dict[str, Any] = {}
    for key, value in record.items():
        if key == "note" and changed:
            new["note_v1"] = value
        elif key not in ("votes", "voice_votes", "themes_v1", "voice_v1"):
            new[key] = {"themes": themes, "voice": voice}.get(key, value)
    new["votes"], new["voice_votes"] = m["votes"], m["voices"]
    if changed:
        new["themes_v1"], new["voice_v1"] = record["themes"], record["voice"]
    return new


def read_reading(path: Path, key: dict[str, str]) -> dict[str, dict[str, Any]]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip())
    return {key[row["item_id"]]: row for row in rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("readings", nargs=3, type=Path)
    ap.add_argument("--key", type=Path, required=True)
    ap.add_argument("--eval", type=Path, default=Path("tests/eval"))
    args = ap.parse_args()
    key = json.loads(args.key.read_text(encoding="utf-8"))
    labels = majority([read_reading(p, key) for p in args.readings])
    changed = 0
    for path in sorted(args.eval.rglob("*.jsonl")):
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record["id"] not in labels:
                raise SystemExit(f"{path}: {record['id']} was not read by all three readers")
            new = relabel(record, labels[record["id"]])
            changed += "themes_v1" in new and "themes_v1" not in record
            lines.append(json.dumps(new, ensure_ascii=False))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(labels)} items read, {changed} relabelled")


if __name__ == "__main__":
    main()

"""Build the benchmark drafts: real marketing copy from ../shared/corpus, as Markdown files.

The corpus has its own licences (GPL-3.0 and MPL-2.0), so the drafts are written into a
temporary folder and never into the repository. Deterministic: the same corpus gives the same
files, so runs on different days compare.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def snippets(corpus: Path) -> list[str]:
    """`desc` rows of the Jin et al. set interleaved with mozilla.org strings (3 to 1)."""
    jin: list[str] = []
    with (corpus / "jin2021_slogan_valid.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = " ".join((row.get("desc") or "").split())
            if len(text.split()) >= 5:
                jin.append(text)
    moz: list[str] = []
    with (corpus / "mozorg_marketing_strings.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            text = " ".join(str(json.loads(line).get("text") or "").split())
            if len(text.split()) >= 5:
                moz.append(text)
    out: list[str] = []
    mi = 0
    for i, text in enumerate(jin):
        out.append(text)
        if i % 3 == 2 and mi < len(moz):
            out.append(moz[mi])
            mi += 1
    return out + moz[mi:]


def _cycle(items: list[str]) -> Iterator[str]:
    while True:
        yield from items


def build(folder: Path, docs: int = 100, words: int = 1000,
          corpus: Path = DEFAULT_CORPUS) -> list[Path]:
    """Write ``docs`` Markdown drafts of about ``words`` words each; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    source = _cycle(snippets(corpus))
    paths: list[Path] = []
    for n in range(docs):
        parts = [f"# Draft {n + 1:03d}", ""]
        count = 0
        paragraph: list[str] = []
        while count < words:
            text = next(source)
            paragraph.append(text)
            count += len(text.split())
            if len(paragraph) == 3:  # paragraphs of three snippets, as copy is written
                parts += [" ".join(paragraph), ""]
                paragraph = []
        if paragraph:
            parts += [" ".join(paragraph), ""]
        path = folder / f"draft-{n + 1:03d}.md"
        path.write_text("\n".join(parts), encoding="utf-8")
        paths.append(path)
    return paths


def count_words(paths: list[Path]) -> int:
    return sum(len(p.read_text(encoding="utf-8").split()) for p in paths)


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """The options every benchmark over these drafts takes."""
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--words", type=int, default=1000, help="words per draft (about)")
    ap.add_argument("--runs", type=int, default=3, help="runs per case; the median is shown")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--profile", default="smb-owner")


@dataclass(frozen=True)
class Drafts:
    tmp: Path  # the temporary folder (drafts inside, room for caches and outputs)
    folder: Path
    paths: list[Path]
    words: int
    one: Path  # the draft the one-file cases lint


@contextmanager
def temporary_drafts(ap: argparse.ArgumentParser, args: argparse.Namespace, prefix: str,
                     keep: bool = False) -> Iterator[Drafts]:
    """Build the drafts ``args`` asks for in a temporary folder, removed afterwards unless
    ``keep``; a missing corpus is a usage error."""
    if not (args.corpus / "jin2021_slogan_valid.csv").is_file():
        ap.error(f"no corpus at {args.corpus}; pass --corpus PATH/TO/shared/corpus")
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        paths = build(tmp / "drafts", args.docs, args.words, args.corpus)
        yield Drafts(tmp, tmp / "drafts", paths, count_words(paths), paths[len(paths) // 2])
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)

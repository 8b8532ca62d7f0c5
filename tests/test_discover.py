"""Discovery: sorted walking, skips, excludes, assets, explicit files, errors, scale; globs."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from msglint.discover import Target, discover, glob_match, validate_glob


def touch(root: Path, *names: str) -> None:
    for name in names:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x", encoding="utf-8")


def rel(targets: list[Target], root: Path) -> list[str]:
    return [Path(t.path).relative_to(root).as_posix() for t in targets]


@pytest.fixture()
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    touch(tmp_path, "b.md", "a.md", "A.html", "c.txt", "d.docx", "e.markdown", "f.htm",
          "g.text", "notes.rst", "z/inner.md", "y.md", "campaigns/spring.yaml",
          "campaigns/data.json", "campaigns/readme.md", "other.yaml", ".hidden.md",
          ".hidden/x.md", "node_modules/pkg/readme.md", ".git/info.md", "archive/old.md",
          "archive/deep/older.md", "docs/draft.bak.md")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_directory_walk_is_sorted_and_skips(tree: Path) -> None:
    targets = discover([tree], root=tree, exclude=[], assets=[])
    assert rel(targets, tree) == [
        "A.html", "a.md", "archive/deep/older.md", "archive/old.md", "b.md", "c.txt",
        "campaigns/readme.md", "d.docx", "docs/draft.bak.md", "e.markdown", "f.htm", "g.text",
        "y.md", "z/inner.md"]
    assert [t.format for t in targets[:3]] == ["html", "markdown", "markdown"]
    assert all(t.error is None for t in targets)


def test_display_is_relative_to_cwd_with_posix_separators(tree: Path) -> None:
    targets = discover([Path(".")], root=tree, exclude=[], assets=[])
    assert targets[0].display == "A.html"
    assert "archive/deep/older.md" in [t.display for t in targets]
    inner = discover([tree / "z"], root=tree, exclude=[], assets=[])
    assert [t.display for t in inner] == ["z/inner.md"]


def test_exclude_globs(tree: Path) -> None:
    targets = discover([tree], root=tree, exclude=["archive/**", "*.bak.md", "z"], assets=[])
    assert "archive/old.md" not in rel(targets, tree)
    assert "archive/deep/older.md" not in rel(targets, tree)
    assert "docs/draft.bak.md" not in rel(targets, tree)
    assert "z/inner.md" not in rel(targets, tree)
    assert "a.md" in rel(targets, tree)


def test_assets_only_when_matching(tree: Path) -> None:
    targets = discover([tree], root=tree, exclude=[], assets=["campaigns/**/*.yaml",
                                                              "campaigns/*.json"])
    got = {r: t.format for r, t in zip(rel(targets, tree), targets, strict=True)}
    assert got["campaigns/spring.yaml"] == "yaml"
    assert got["campaigns/data.json"] == "json"
    assert "other.yaml" not in got
    # An exclude beats an asset glob.
    targets = discover([tree], root=tree, exclude=["campaigns/spring.yaml"],
                       assets=["campaigns/**"])
    assert "campaigns/spring.yaml" not in rel(targets, tree)


def test_explicit_files_are_always_linted(tree: Path) -> None:
    targets = discover([tree / "other.yaml", tree / "archive" / "old.md", tree / ".hidden.md",
                        tree / "notes.rst"], root=tree, exclude=["archive/**"], assets=[])
    assert [(t.display, t.format) for t in targets] == [
        ("other.yaml", "yaml"), ("archive/old.md", "markdown"), (".hidden.md", "markdown"),
        ("notes.rst", "text")]


def test_force_exclude_applies_to_explicit_files(tree: Path) -> None:
    targets = discover([tree / "archive" / "old.md", tree / "a.md"], root=tree,
                       exclude=["archive/**"], assets=[], force_exclude=True)
    assert [t.display for t in targets] == ["a.md"]


def test_explicit_hidden_directory_is_walked(tree: Path) -> None:
    targets = discover([tree / ".hidden"], root=tree, exclude=[], assets=[])
    assert [t.display for t in targets] == [".hidden/x.md"]


def test_order_of_arguments_kept_and_duplicates_dropped(tree: Path) -> None:
    targets = discover([tree / "y.md", tree / "z", tree / "a.md", tree / "y.md",
                        tree / "z" / "inner.md"], root=tree, exclude=[], assets=[])
    assert [t.display for t in targets] == ["y.md", "z/inner.md", "a.md"]


def test_missing_path_is_an_error_target(tree: Path) -> None:
    targets = discover([tree / "nope.md", tree / "a.md"], root=tree, exclude=[], assets=[])
    assert targets[0].error == ("no such file or directory; check the path (it is relative to "
                                "the current directory)")
    assert targets[0].display == "nope.md" and targets[0].format is None
    assert targets[1].error is None


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="root can read any directory")
def test_unreadable_directory_is_an_error_target(tree: Path) -> None:
    locked = tree / "locked"
    touch(tree, "locked/x.md")
    locked.chmod(0)
    try:
        targets = discover([tree], root=tree, exclude=[], assets=[])
    finally:
        locked.chmod(0o755)
    errors = [t for t in targets if t.error]
    assert [t.display for t in errors] == ["locked"]
    assert "permission denied" in errors[0].error


def test_unreadable_directory_via_monkeypatch(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.scandir

    def fake(path):  # type: ignore[no-untyped-def]
        if str(path).endswith("archive"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", fake)
    targets = discover([tree], root=tree, exclude=[], assets=[])
    errors = [(t.display, t.error) for t in targets if t.error]
    assert len(errors) == 1 and errors[0][0] == "archive"
    assert "permission denied" in (errors[0][1] or "")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlink_loops_terminate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path, "d/a.md")
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    targets = discover([tmp_path], root=tmp_path, exclude=[], assets=[])
    assert [t.display for t in targets] == ["d/a.md"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_walk_skips_named_pipes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Reading a FIFO met while walking blocked the whole run forever.
    touch(tmp_path, "a.md", "c.md")
    os.mkfifo(tmp_path / "b.md")
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
    monkeypatch.chdir(tmp_path)
    targets = discover([tmp_path], root=tmp_path, exclude=[], assets=[])
    assert [t.display for t in targets] == ["a.md", "c.md", "gone.md"]
    assert targets[2].error is None  # a broken link is still reported when read


def test_ten_thousand_files_quickly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(100):
        sub = tmp_path / f"dir{i:03d}"
        sub.mkdir()
        for j in range(100):
            (sub / f"f{j:03d}.md").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    targets = discover([tmp_path], root=tmp_path, exclude=["dir099/**"], assets=[])
    elapsed = time.perf_counter() - start
    assert len(targets) == 9_900
    assert targets[0].display == "dir000/f000.md" and targets[-1].display == "dir098/f099.md"
    assert elapsed < 5


# -- globs ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "path", "hit"), [
    ("archive/**", "archive/a.md", True),
    ("archive/**", "archive/x/y/z.md", True),
    ("archive/**", "archived/a.md", False),
    ("**/*.md", "a.md", True),
    ("**/*.md", "x/y/a.md", True),
    ("campaigns/**/*.yaml", "campaigns/a.yaml", True),
    ("campaigns/**/*.yaml", "campaigns/x/y/a.yaml", True),
    ("campaigns/**/*.yaml", "other/campaigns/a.yaml", False),
    ("*.md", "deep/dir/a.md", True),  # no '/': any depth
    ("/*.md", "deep/a.md", False),    # leading '/': anchored at the root
    ("/*.md", "a.md", True),
    ("docs/*.md", "docs/a/b.md", False),
    ("docs/?.md", "docs/a.md", True),
    ("docs/[ab].md", "docs/b.md", True),
    ("docs/[!ab].md", "docs/b.md", False),
    ("docs/[!ab].md", "docs/c.md", True),
    ("a+b(c).md", "a+b(c).md", True),
    ("./docs/*.md", "docs/x.md", True),
    ("drafts", "x/drafts", True),
    ("**", "anything/at/all", True),
])
def test_glob_match(pattern: str, path: str, hit: bool) -> None:
    assert glob_match(pattern, path) is hit


@pytest.mark.parametrize(("pattern", "problem"), [
    ("", "empty"),
    ("a/**b/c", "whole path segment"),
    ("docs/[ab.md", "unclosed"),
    ("docs\\x.md", "'/'"),
])
def test_validate_glob_errors(pattern: str, problem: str) -> None:
    msg = validate_glob(pattern)
    assert msg is not None and problem in msg


@pytest.mark.parametrize("pattern", ["archive/**", "**/*.md", "*.md", "a/[!x]/b", "/x"])
def test_validate_glob_ok(pattern: str) -> None:
    assert validate_glob(pattern) is None


def test_named_broken_symlink_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Named on the command line it said "no such file or directory; check the path", though
    # the path is there (the CHANGELOG's fix covered only links met while walking).
    (tmp_path / "gone.md").symlink_to("nowhere.md")
    monkeypatch.chdir(tmp_path)
    [target] = discover([Path("gone.md")], root=tmp_path, exclude=[], assets=[])
    assert target.error == "broken symbolic link (to nowhere.md); fix or remove the link"

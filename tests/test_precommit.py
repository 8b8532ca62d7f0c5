"""The pre-commit hook, end to end, with the real `pre-commit` tool.

pre-commit clones the hook repository at a commit, builds a virtualenv for it and pip-installs
msglint there (spaCy and the model come from PyPI: a minute or two the first time). The hook
repository is a snapshot of this checkout (tracked and untracked, not ignored, files) committed
with fixed dates, so the same tree always gets the same commit and a warm cache is reused.

Set MSGLINT_TEST_PRECOMMIT_HOME to a folder to keep pre-commit's cache between runs; otherwise it
lives in the test's tmp_path and every run reinstalls.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import DRAFTS, ROOT, profile_path

pytestmark = pytest.mark.slow

GIT_ENV = {
    "GIT_AUTHOR_NAME": "msglint tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "msglint tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+0000", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+0000",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,  # no user hooks or signing
}


def git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                         text=True)
    return out.stdout.strip()


def pre_commit() -> list[str]:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pre-commit"], check=True)
    return [sys.executable, "-m", "pre_commit"]


def snapshot(dest: Path, env: dict[str, str]) -> str:
    """Commit the checkout's working tree into ``dest``; return the commit id."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode()
    for rel in sorted(set(filter(None, listed.split("\0")))):
        src = ROOT / rel
        if not src.is_file():
            continue  # deleted but still in the index
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest / rel)
    git("init", "-q", cwd=dest, env=env)
    git("add", "-A", cwd=dest, env=env)
    git("commit", "-q", "--no-verify", "-m", "snapshot", cwd=dest, env=env)
    return git("rev-parse", "HEAD", cwd=dest, env=env)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_precommit_hook_fails_vendor_draft_and_passes_customer_draft(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["msglint"]
    assert hooks[0]["entry"] == "msglint check --force-exclude"
    assert hooks[0]["language"] == "python"

    cache = Path(os.environ.get("MSGLINT_TEST_PRECOMMIT_HOME") or tmp_path / "pre-commit-home")
    cache.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT", "GITHUB_", "MSGLINT_"))}
    env.update(GIT_ENV, PRE_COMMIT_HOME=str(cache), NO_COLOR="1")
    tool = pre_commit()

    hook_repo = cache / "msglint-hook-repo" if os.environ.get("MSGLINT_TEST_PRECOMMIT_HOME") \
        else tmp_path / "msglint-hook-repo"
    rev = snapshot(hook_repo, env)

    project = tmp_path / "project"
    (project / "drafts").mkdir(parents=True)
    git("init", "-q", cwd=project, env=env)
    config = {"repos": [{"repo": str(hook_repo), "rev": rev, "hooks": [
        {"id": "msglint", "args": ["--profile", str(profile_path("smb-owner"))]}]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    shutil.copyfile(DRAFTS / "vendor-centred.md", project / "drafts" / "vendor.md")
    shutil.copyfile(DRAFTS / "customer-centred.md", project / "drafts" / "customer.md")
    (project / "notes.py").write_text("print('not copy: the hook must not see this')\n")
    git("add", ".pre-commit-config.yaml", cwd=project, env=env)
    git("commit", "-q", "--no-verify", "-m", "config", cwd=project, env=env)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*tool, *args], cwd=project, env=env, capture_output=True,
                              text=True, timeout=1500)

    # Installs the hook environment (the slow part), then lints the vendor-centred draft.
    bad = run("run", "msglint", "--files", "drafts/vendor.md")
    out = bad.stdout + bad.stderr
    assert bad.returncode == 1, out
    assert "msglint" in out and "Failed" in out, out
    assert "drafts/vendor.md:" in out and "off-target-theme" in out, out
    assert "msglint: error" not in out, out  # failed on findings, not on a usage error

    good = run("run", "msglint", "--files", "drafts/customer.md", "notes.py")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout, good.stdout

    only_code = run("run", "msglint", "--files", "notes.py")
    assert only_code.returncode == 0 and "Skipped" in only_code.stdout, only_code.stdout
    # .txt and .md files that are never copy (a pip requirements file, a changelog) are not
    # handed over: a commit of requirements.txt must not fail on missing drivers
    for name in ("requirements.txt", "requirements-dev.txt", "CHANGELOG.md", "docs/LICENSE.txt"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text("spacy>=3.7\nclick\n")
    not_copy = run("run", "msglint", "--files", "requirements.txt", "requirements-dev.txt",
                   "CHANGELOG.md", "docs/LICENSE.txt")
    assert not_copy.returncode == 0 and "Skipped" in not_copy.stdout, not_copy.stdout

    # And as a real git hook: the commit of the vendor draft is refused, the customer one lands.
    assert run("install").returncode == 0
    git("add", "drafts/vendor.md", cwd=project, env=env)
    refused = subprocess.run(["git", "commit", "-m", "vendor draft"], cwd=project, env=env,
                             capture_output=True, text=True, timeout=600)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "off-target-theme" in refused.stdout + refused.stderr
    git("reset", "-q", cwd=project, env=env)
    git("add", "drafts/customer.md", cwd=project, env=env)
    landed = subprocess.run(["git", "commit", "-m", "customer draft"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=600)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    assert git("log", "--format=%s", "-1", cwd=project, env=env) == "customer draft"

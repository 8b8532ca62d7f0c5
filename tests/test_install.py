"""A non-editable install finds the built-in rules and profiles, and the console script runs.

Builds the wheel, installs it without dependencies into a fresh virtual environment whose only
link to the test environment is a .pth line (so spaCy and the model need not be downloaded
again), then runs the installed `msglint` script from a directory outside the checkout.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import DRAFTS, ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("install")
    wheels = work / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(ROOT)], capture_output=True, text=True, check=False)
    if build.returncode != 0:  # hatchling missing from this env: let pip fetch it
        build = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
             str(ROOT)], capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stderr
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    # Dependencies come from the test environment; msglint itself only from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("msglint-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True)
    # pip --target does not write console scripts: write the one the wheel declares.
    script = venv / "bin" / "msglint"
    script.write_text(f"#!{venv / 'bin' / 'python'}\nfrom msglint.cli import run\nrun()\n")
    script.chmod(0o755)
    entry = next(site.glob("msglint-*.dist-info")) / "entry_points.txt"
    assert "msglint = msglint.cli:run" in entry.read_text()
    return venv


def test_installed_script_lints_with_shipped_rules_and_profiles(installed: Path,
                                                                 tmp_path: Path) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text((DRAFTS / "vendor-centred.md").read_text(encoding="utf-8"),
                     encoding="utf-8")
    proc = subprocess.run(
        [str(installed / "bin" / "msglint"), "check", "draft.md", "--profile", "smb-owner",
         "--format", "json"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    findings = doc["files"][0]["findings"]
    assert any(f["theme"] == "inventory-control" for f in findings)
    # The package really came from the wheel, not the checkout.
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import msglint; print(msglint.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in where
    rules = subprocess.run([str(installed / "bin" / "msglint"), "rules"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout
    assert "take-home-pay" in rules

"""What the Makefile and the README promise a developer."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _pip_installs(target: str, tmp_path) -> list[str]:
    """The pip installs ``make <target>`` would run on a fresh checkout (a dry run)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    shown = subprocess.run(
        ["make", "-n", "-B", target, f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [line for line in shown.splitlines() if "pip install" in line and " -e " in line]


def test_make_run_installs_only_what_the_app_needs(tmp_path):
    installs = _pip_installs("run", tmp_path)
    assert installs and not any("[test]" in line for line in installs), installs


def test_make_test_installs_the_test_toolchain(tmp_path):
    assert any("'.[test]'" in line for line in _pip_installs("test", tmp_path))


def test_the_readme_says_the_test_database_name_holds_test():
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"TEST_DATABASE_URL=\S+/(\S+) make test", readme)
    assert command and "test" in command.group(1)
    assert "must contain `test`" in readme

"""The README and the docs keep up with the package: every setting, check id and
signal is one click from the README, and the test command is written once."""

import re
from pathlib import Path

import pytest

from guest_auth import signals
from guest_auth.checks import all_messages
from guest_auth.conf import DEFAULTS, PREFIX

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
PYPROJECT = (ROOT / "pyproject.toml").read_text()


def _project_url(name):
    match = re.search(rf'^{name} = "([^"]+)"$', PYPROJECT, re.M)
    assert match, f"pyproject.toml [project.urls] has no {name}"
    return match.group(1)


DOCS = _project_url("Documentation")


@pytest.mark.parametrize("key", list(DEFAULTS))
def test_readme_links_every_setting(key):
    # Failing? Add the setting to the Settings row of the README's Documentation table.
    assert f"{DOCS}reference/settings.html#setting-{PREFIX}{key})" in README


@pytest.mark.parametrize("check_id", list(all_messages()))
def test_readme_links_every_check(check_id):
    # Failing? Add the id to the System checks row of the README's Documentation table.
    assert f"{DOCS}reference/checks.html#check-{check_id})" in README


@pytest.mark.parametrize("name", signals.__all__)
def test_readme_links_every_signal(name):
    assert f"{DOCS}reference/signals.html#guest_auth.signals.{name})" in README


def test_readme_and_ci_run_the_same_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    command = next(line for line in ci.splitlines() if line.startswith("python3 -m venv"))
    command = command.removesuffix(" || exit 1")
    assert f"```sh\n{command}\n```" in README


def test_readme_links_are_absolute():
    """PyPI shows the README without the repository: relative links break there."""
    source = _project_url("Source")
    raw = source.replace("https://github.com/", "https://raw.githubusercontent.com/")
    for target in re.findall(r"\]\(([^)]+)\)", README):
        assert target.startswith((DOCS, f"{raw}/main/", source)), target


def test_every_settings_recipe_is_a_python_block():
    """Recipes marked <!-- config: NAME --> are extracted and tested (issue 16)."""
    names = []
    for page in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]:
        text = page.read_text()
        for match in re.finditer(r"<!-- config: ([a-z0-9-]+) -->\n(.*)\n", text):
            assert match.group(2) == "```python", (page, match.group(1))
            names.append(match.group(1))
    assert "minimal" in names


def _python_blocks():
    for page in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").rglob("*.md")]:
        for match in re.finditer(r"^( *)```python\n(.*?)^\1```", page.read_text(), re.M | re.S):
            indent = len(match.group(1))
            code = "\n".join(line[indent:] for line in match.group(2).splitlines())
            yield pytest.param(code, id=f"{page.relative_to(ROOT)}:{match.start()}")


@pytest.mark.parametrize("code", list(_python_blocks()))
def test_python_snippets_compile(code):
    compile(code, "<snippet>", "exec")


def test_contributing_lists_every_environment_switch_the_suite_reads():
    # Failing? Add the variable to CONTRIBUTING.md's "Test settings" table.
    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    read = re.compile(r"""environ(?:\.get\(|\[)\s*["']((?:GUEST_AUTH|E2E)_[A-Z0-9_]+)["']""")
    sources = [
        ROOT / "runtests.py",
        *(ROOT / "tests").rglob("*.py"),
        *(ROOT / "example_project" / "tests").rglob("*.py"),
    ]
    switches = {name for path in sources for name in read.findall(path.read_text())}
    assert "GUEST_AUTH_TEST_DATABASE_URL" in switches  # the pattern finds them
    assert sorted(name for name in switches if f"`{name}`" not in contributing) == []


def test_security_md_names_tests_that_exist():
    """SECURITY.md's last column names test files (by file name, wherever they are under
    tests/) and tests in them: moving or renaming a test must not leave it pointing at
    nothing."""
    files = {path.name: path.read_text() for path in (ROOT / "tests").rglob("test_*.py")}
    missing = []
    for cell in re.findall(r"\|([^|]*)\|\s*$", (ROOT / "SECURITY.md").read_text(), re.M):
        current = None  # a bare test name belongs to the file named before it
        for match in re.finditer(r"`(test_\w+\.py)(?:::(test_\w+))?`|`(test_\w+)`", cell):
            name, test, bare = match.groups()
            if name:
                current = name
                if name not in files:
                    missing.append(name)
                    continue
            test = test or bare
            if test and current in files and f"def {test}(" not in files[current]:
                missing.append(f"{current}::{test}")
    assert missing == []

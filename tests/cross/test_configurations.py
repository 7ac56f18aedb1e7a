"""The configuration matrix: every tests/configs/<name>/ proven in fresh processes.

Per configuration: ``manage.py check --deploy --fail-level WARNING`` and its
flow (``python -m tests.configs.<name>.flow``), each in a new Python process
with DJANGO_SETTINGS_MODULE set, as a site would start. The configurations
run in parallel, once per session. Recipes copied from the docs are checked
against the docs, so that the docs cannot drift from what works.

Collected only in the default run (SQLite, auth.User, every optional
dependency installed; conftest.py decides): the configurations choose their
own databases. Configurations that need a service name it in NEEDS below and
are skipped when the environment does not provide it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "tests" / "configs"
NAMES = sorted(path.name for path in CONFIGS.iterdir() if (path / "settings.py").exists())
# Configurations that need an external service: the environment variables they read.
NEEDS = {
    "pg_standby": ("GUEST_AUTH_TEST_PRIMARY_URL", "GUEST_AUTH_TEST_STANDBY_URL"),
}
TIMEOUT = 120
_RECIPE = re.compile(
    r"^# recipe: (?P<page>\S+)#(?P<label>\S+)\n(?P<body>.*?)^# end recipe$", re.S | re.M
)
# The docs mark every settings recipe so (see docs/howto/configurations.md).
_DOCS_RECIPE = re.compile(
    r"^<!-- config: (?P<label>\S+) -->\n```python\n(?P<body>.*?)^```$", re.S | re.M
)
# Its own recipes are all proven here; other pages' are where a configuration runs them.
MATRIX_PAGE = "docs/howto/configurations.md"


@dataclass
class Outcome:
    command: str
    returncode: int
    output: str
    seconds: float


def _missing(name: str) -> list[str]:
    return [var for var in NEEDS.get(name, ()) if not os.environ.get(var)]


def _run(name: str, args: list[str], data_dir: str) -> Outcome:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": f"tests.configs.{name}.settings",
        "GUEST_AUTH_CONFIG_DIR": data_dir,
        "PYTHONPATH": str(ROOT),
    }
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        returncode, output = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as exc:
        returncode, output = -1, f"timed out after {TIMEOUT} s: {exc.stdout}{exc.stderr}"
    return Outcome(" ".join(args), returncode, output, time.monotonic() - started)


def _prove(name: str) -> list[Outcome]:
    with tempfile.TemporaryDirectory(prefix=f"guest-auth-{name}-") as data_dir:
        check = _run(name, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], data_dir)
        flow = _run(name, ["-m", f"tests.configs.{name}.flow"], data_dir)
    return [check, flow]


@pytest.fixture(scope="session")
def outcomes(request: pytest.FixtureRequest) -> dict[str, list[Outcome]]:
    """The selected runnable configurations, proven in parallel (each in its own processes)."""
    selected = {
        item.callspec.params["name"]
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_configuration"
    }
    runnable = [name for name in NAMES if name in selected and not _missing(name)]
    workers = int(os.environ.get("GUEST_AUTH_CONFIG_WORKERS", "4"))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(runnable, pool.map(_prove, runnable), strict=True))


@pytest.mark.parametrize("name", NAMES)
def test_configuration(name: str, outcomes: dict[str, list[Outcome]]) -> None:
    missing = _missing(name)
    if missing:
        pytest.skip(f"needs {', '.join(missing)}")
    for outcome in outcomes[name]:
        assert outcome.returncode == 0, (
            f"{name}: `{outcome.command}` exited {outcome.returncode}:\n{outcome.output}"
        )
    flow = outcomes[name][1]
    assert f"{name}: ok" in flow.output


def _recipes_in_docs(page: str) -> dict[str, str]:
    text = (ROOT / page).read_text()
    return {match["label"]: match["body"] for match in _DOCS_RECIPE.finditer(text)}


def _recipes_in_configs() -> list[tuple[str, str, str, str]]:
    found = []
    for name in NAMES:
        for module in sorted((CONFIGS / name).glob("*.py")):
            for match in _RECIPE.finditer(module.read_text()):
                found.append((name, match["page"], match["label"], match["body"]))
    return found


def test_every_recipe_is_in_the_docs_word_for_word() -> None:
    recipes = _recipes_in_configs()
    assert recipes, "no configuration copies a recipe"
    for name, page, label, body in recipes:
        docs = _recipes_in_docs(page)
        assert label in docs, f"{name}: {page} has no recipe {label!r}"
        # Blank lines before "# end recipe" are ruff format's, not the recipe's.
        assert docs[label].rstrip() == body.rstrip(), (
            f"{name}: recipe {label!r} differs from {page}"
        )


def test_every_recipe_of_the_configurations_page_is_proven() -> None:
    proven = {(page, label) for _, page, label, _ in _recipes_in_configs()}
    for label in _recipes_in_docs(MATRIX_PAGE):
        assert (MATRIX_PAGE, label) in proven, f"{MATRIX_PAGE}#{label} is in no configuration"

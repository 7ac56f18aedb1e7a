"""Every documented recipe, run as a newcomer runs it (issue 23).

For each recipe: a fresh virtual environment, the documented install line run
as written (plus ``--no-index --find-links <wheelhouse>``: nothing is
downloaded at test time), a fresh ``django-admin startproject mysite .``, the
documented snippets applied as a reader applies them, ``migrate``, ``check``,
then a real flow (``flows/<recipe>.py``, run in the new project: a guest
created, promoted or purged, its data kept).

The snippets are read from the Markdown at test time. A block belongs to a
recipe when the line above it (or above its ``<!-- config: ... -->`` line) is
``<!-- recipe: NAME KIND -->``:

- ``install``: an ``sh`` block whose ``pip install`` line is run;
- ``settings``: Python added to ``mysite/settings.py``;
- ``urls``: Python added to ``mysite/urls.py``;
- ``python``: Python split by whole-line ``# <file>.py`` comments
  (``# settings.py``, ``# urls.py``, ``# mysite/celery.py``).

How a reader applies Python: an assignment of a list whose snippet elides the
rest (``# ...`` or ``...``) adds its new items to the project's list, each
after the item the snippet shows before it; every other statement is added as
written, imports first.

Run: ``GUEST_AUTH_RECIPE_WHEELHOUSE=<dir> pytest tests/recipes -m recipes``,
where ``<dir>`` holds the wheels ``.ci/run`` builds (see its "recipes" step).
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__: list[str] = []

pytestmark = pytest.mark.recipes

ROOT = Path(__file__).resolve().parents[2]
FLOWS = Path(__file__).resolve().parent / "flows"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

_BLOCK = re.compile(
    r"^<!-- recipe: (?P<name>[a-z0-9-]+) (?P<kind>install|settings|urls|python) -->\n"
    r"(?:<!-- config: \S+ -->\n)?"
    r"```(?P<lang>\w+)\n(?P<body>.*?)^```$",
    re.M | re.S,
)

#: Each recipe: the named blocks it applies, in order (the install line is
#: the last recipe's); a recipe builds on the quick start as the docs do.
RECIPES: dict[str, list[str]] = {
    "quick-start": ["quick-start"],
    "drf": ["quick-start", "drf"],
    "allauth": ["quick-start", "allauth"],
    "allauth-social": ["quick-start", "allauth", "allauth-social"],
    "headless": ["quick-start", "headless"],
    "jwt": ["quick-start", "drf", "jwt"],
    "tasks": ["quick-start", "tasks"],
    "celery": ["quick-start", "celery"],
}

#: A recipe whose flow runs another's first: what it adds is checked after it.
FLOW_BASES: dict[str, str] = {"allauth-social": "allauth"}

#: The site's own view, which the README's quick start decorates: not a
#: snippet of the docs (their body is "..."), the site's code.
SITE_VIEWS = """
from django.http import JsonResponse

from guest_auth.decorators import allow_guest


@allow_guest
def add_to_cart(request, product_id):
    cart = request.session.setdefault("cart", [])
    cart.append(product_id)
    request.session.modified = True
    return JsonResponse({"pk": request.user.pk, "cart": cart})
"""


@dataclass(frozen=True)
class Block:
    page: str
    name: str
    kind: str
    lang: str
    body: str


def blocks() -> list[Block]:
    found = []
    for page in PAGES:
        for match in _BLOCK.finditer(page.read_text()):
            found.append(Block(str(page.relative_to(ROOT)), **match.groupdict()))
    return found


def recipe_blocks(recipe: str) -> list[Block]:
    every = blocks()
    return [block for name in RECIPES[recipe] for block in every if block.name == name]


def install_line(recipe: str) -> str:
    installs = [block for block in recipe_blocks(recipe) if block.kind == "install"]
    assert installs, f"{recipe}: no <!-- recipe: ... install --> block"
    lines = [
        line for line in installs[-1].body.splitlines() if line.strip().startswith("pip install")
    ]
    assert len(lines) == 1, f"{installs[-1].page}: one pip install line, not {lines}"
    return lines[0].split("#")[0].strip()


# Applying Python as a reader does.


def _split_files(block: Block) -> list[tuple[str, str]]:
    """(file, code) pairs: by kind, or by the block's ``# file.py`` comment lines."""
    if block.kind in ("settings", "urls"):
        return [(f"mysite/{block.kind}.py", block.body)]
    parts: list[tuple[str, str]] = []
    current, lines = None, []
    for line in block.body.splitlines():
        header = re.fullmatch(r"# ([\w/]+\.py)", line.strip())
        if header:
            if current is not None:
                parts.append((current, "\n".join(lines)))
            name = header.group(1)
            current = name if "/" in name else f"mysite/{name}"
            lines = []
        else:
            lines.append(line)
    assert current is not None, f"{block.page}: a python recipe block names its file"
    parts.append((current, "\n".join(lines)))
    return parts


def _elided(node: ast.Assign, source: str) -> bool:
    segment = ast.get_source_segment(source, node) or ""
    elements = getattr(node.value, "elts", [])
    return "# ..." in segment or any(
        isinstance(element, ast.Constant) and element.value is Ellipsis for element in elements
    )


def apply_python(project: Path, path: str, code: str) -> None:
    """Add the snippet's code to the project's file, as a reader would."""
    code = textwrap.dedent(code)
    tree = ast.parse(code)
    imports, statements = [], []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(ast.get_source_segment(code, node))
            continue
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, (ast.List, ast.Tuple))
            and _elided(node, code)
        ):
            name = node.targets[0].id
            items = [
                ast.get_source_segment(code, element)
                for element in node.value.elts
                if not (isinstance(element, ast.Constant) and element.value is Ellipsis)
            ]
            statements.append(f"{name} = _recipe_merge({name}, [{', '.join(items)}])")
            continue
        statements.append(ast.get_source_segment(code, node))
    target = project / path
    existing = target.read_text() if target.exists() else ""
    if "_recipe_merge" in "\n".join(statements) and "def _recipe_merge" not in existing:
        existing += MERGE_HELPER
    added = "\n".join([*imports, *statements])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"{existing}\n\n# --- from the docs\n{added}\n")


#: What a reader does with ``MIDDLEWARE = [# ... "A", "B", # ...]``: add the
#: items the project lacks, each after the one the snippet shows before it.
MERGE_HELPER = """

def _recipe_merge(existing, shown):
    merged = list(existing)
    previous = None
    for item in shown:
        if item not in merged:
            at = merged.index(previous) + 1 if previous in merged else len(merged)
            merged.insert(at, item)
        previous = item
    return merged
"""


# Running.


def run(command: list[str] | str, cwd: Path, env: dict[str, str], timeout: int = 240) -> str:
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        shell=isinstance(command, str),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    shown = command if isinstance(command, str) else shlex.join(command)
    assert result.returncode == 0, (
        f"`{shown}` exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


@pytest.fixture(scope="session")
def wheelhouse() -> Path:
    path = os.environ.get("GUEST_AUTH_RECIPE_WHEELHOUSE")
    if not path:
        pytest.fail(
            "GUEST_AUTH_RECIPE_WHEELHOUSE must name a directory of wheels (see .ci/run, "
            "step 'recipes'): these tests download nothing."
        )
    wheels = Path(path)
    assert list(wheels.glob("django_guest_auth-*.whl")), f"no django-guest-auth wheel in {wheels}"
    return wheels


def test_every_recipe_has_its_blocks():
    every = blocks()
    names = {block.name for block in every}
    for recipe, parts in RECIPES.items():
        assert set(parts) <= names, f"{recipe}: no blocks marked for {set(parts) - names}"
        assert install_line(recipe).startswith("pip install ")
    for block in every:
        if block.kind == "install":
            assert block.lang == "sh", block
        else:
            assert block.lang == "python", block
            compile(textwrap.dedent(block.body), block.page, "exec")


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_recipe_on_a_fresh_project(recipe, wheelhouse, tmp_path):
    project = tmp_path / "site"
    project.mkdir()
    venv = tmp_path / "venv"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTHON", "VIRTUAL_ENV", "GUEST_AUTH_TEST"))
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # Without pip of its own (faster): this process's pip installs into it.
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, env)

    # The documented install line, as written, offline.
    line = install_line(recipe)
    pip = (
        f"{shlex.quote(sys.executable)} -m pip --python {shlex.quote(str(venv / 'bin' / 'python'))}"
    )
    offline = line.replace(
        "pip install",
        f"{pip} install -q --no-index --find-links {shlex.quote(str(wheelhouse))}",
        1,
    )
    assert offline != line
    run(offline, project, env)

    run(["django-admin", "startproject", "mysite", "."], project, env)
    for block in recipe_blocks(recipe):
        if block.kind != "install":
            for path, code in _split_files(block):
                apply_python(project, path, code)
    (project / "site_views.py").write_text(SITE_VIEWS)

    python = str(venv / "bin" / "python")
    env["DJANGO_SETTINGS_MODULE"] = "mysite.settings"
    run([python, "manage.py", "check", "--fail-level", "ERROR"], project, env)
    run([python, "manage.py", "migrate", "-v", "0"], project, env)
    names = [*([FLOW_BASES[recipe]] if recipe in FLOW_BASES else []), recipe]
    flow = "\n".join((FLOWS / f"{name.replace('-', '_')}.py").read_text() for name in names)
    (project / "flow.py").write_text((FLOWS / "_common.py").read_text() + "\n" + flow)
    output = run([python, "flow.py"], project, env)
    assert output.strip().endswith("flow ok"), output

"""The test tree's own rules (CONTRIBUTING.md, "Where does my test go"), checked statically."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno
            for alias in node.names:  # from tests.x import test_y
                yield f"{node.module}.{alias.name}", node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno


def _is_conftest_or_test(name):
    return name == "conftest" or name.startswith("test_")


def test_nothing_imports_a_conftest_or_a_test_module():
    """Shared code lives in tests/helpers/: moving or renaming a test file never breaks
    another file."""
    offences = [
        f"{path.relative_to(TESTS)}:{line} imports {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for module, line in _imported_modules(path)
        if module.startswith("tests.")
        and (
            module.rsplit(".", 1)[-1] == "conftest" or module.rsplit(".", 1)[-1].startswith("test_")
        )
    ]
    assert offences == []


def test_every_integration_folder_is_left_out_without_its_framework():
    """A new tests/contrib/<framework>/ folder needs its row in tests/contrib/conftest.py."""
    source = ast.parse((TESTS / "contrib" / "conftest.py").read_text())
    (table,) = [
        node.value
        for node in source.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "_FRAMEWORKS" for t in node.targets)
    ]
    folders = {
        path.name
        for path in (TESTS / "contrib").iterdir()
        if path.is_dir() and (path / "__init__.py").exists()
    }
    assert folders == {ast.literal_eval(key) for key in table.keys}

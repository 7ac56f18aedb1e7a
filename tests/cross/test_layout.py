"""The package's import rules (CONTRIBUTING.md, guest_auth/__init__.py), checked statically.

- A module whose name starts with ``_`` is internal: any guest_auth module may
  import from it; inside it, names carry no underscore unless private to it,
  so no module imports another module's underscore name.
- A public module is used only through its ``__all__``.
- ``guest_auth.services`` is the public index: nothing inside guest_auth imports it.
- No import cycles among guest_auth's modules, lazy (function-level) imports
  included; ``AppConfig.ready()`` and ``TYPE_CHECKING`` blocks aside.
- The core never imports ``guest_auth.contrib`` (lazy imports and
  ``import_string("guest_auth.contrib...")`` included): integrations register
  with guest_auth._integrations, and ``guest_auth/apps.py`` is the one module
  that names them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "guest_auth"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for path in sorted(PACKAGE.rglob("*.py"))
    if "migrations" not in path.parts
}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(module: str, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = module.split(".")
    if not _is_package(module):
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


_DYNAMIC_IMPORTS = {"import_string", "import_module", "__import__"}


class _Imports(ast.NodeVisitor):
    """(imported module, imported name or None, line) of one module's runtime imports."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.found: list[tuple[str, str | None, int]] = []

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if self.module == "guest_auth.apps" and node.name == "ready":
            return
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        # import_string("guest_auth.x.Y"), import_module("guest_auth.x"): the
        # module (or the class's module) named by a constant.
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in _DYNAMIC_IMPORTS and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                path = arg.value
                while path and path not in MODULES:
                    path = path.rpartition(".")[0]
                if path:
                    self.found.append((path, None, node.lineno))
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append((alias.name, None, node.lineno))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = _resolve(self.module, node.level, node.module)
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            if submodule in MODULES:
                self.found.append((submodule, None, node.lineno))
            else:
                self.found.append((source, alias.name, node.lineno))


def _imports(module: str) -> list[tuple[str, str | None, int]]:
    visitor = _Imports(module)
    visitor.visit(ast.parse(MODULES[module].read_text()))
    return [item for item in visitor.found if item[0] in MODULES]


def _all(module: str) -> list[str] | None:
    for node in ast.parse(MODULES[module].read_text()).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                return list(ast.literal_eval(node.value))
    return None


def _is_internal(module: str) -> bool:
    return any(part.startswith("_") and part != "__init__" for part in module.split("."))


def test_every_module_declares_all():
    missing = [name for name in MODULES if _all(name) is None and not _is_package(name)]
    assert missing == []


def test_no_module_imports_another_modules_underscore_name():
    offences = [
        f"{module}:{line} imports {name} from {source}"
        for module in MODULES
        for source, name, line in _imports(module)
        if name is not None and name.startswith("_") and source != module
    ]
    assert offences == []


def test_public_modules_are_used_only_through_their_all():
    offences = []
    for module in MODULES:
        for source, name, line in _imports(module):
            if name is None or _is_internal(source) or source == module:
                continue
            exported = _all(source) or []
            if name not in exported:
                offences.append(f"{module}:{line} imports {name} from {source}, not in its __all__")
    assert offences == []


def test_nothing_inside_guest_auth_imports_the_public_index():
    offences = [
        f"{module}:{line}"
        for module in MODULES
        for source, _name, line in _imports(module)
        if source == "guest_auth.services" and module != "guest_auth.services"
    ]
    assert offences == []


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module in MODULES:
        targets = set()
        for source, _name, _line in _imports(module):
            # Importing a submodule runs its package's __init__ too; ours import nothing.
            if source != module:
                targets.add(source)
        graph[module] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def _is_core(module: str) -> bool:
    return not module.startswith("guest_auth.contrib")


def _contrib_imports() -> list[str]:
    offences = []
    for module in MODULES:
        if not _is_core(module) or module == "guest_auth.apps":
            continue
        for source, _name, line in _imports(module):
            if not _is_core(source):
                offences.append(f"{module}:{line} imports {source}")
    return offences


def test_the_core_never_imports_contrib():
    # Integrations plug in through guest_auth._integrations, registered from
    # their register() by AppConfig.ready() (guest_auth/apps.py, the one module
    # that names them). Failing? Add what the core needs to the Integration
    # the package registers, and ask guest_auth._integrations for it.
    assert _contrib_imports() == []


def test_apps_names_contrib_only_in_ready():
    offences = [
        f"guest_auth.apps:{line} imports {source}"
        for source, _name, line in _imports("guest_auth.apps")
        if not _is_core(source)
    ]
    assert offences == []


def test_the_checker_sees_dynamic_imports():
    visitor = _Imports("guest_auth.x")
    visitor.visit(
        ast.parse(
            "def f():\n"
            "    import_string('guest_auth.contrib.allauth.adapters.GuestAccountAdapterMixin')\n"
            "    importlib.import_module('guest_auth.contrib.simplejwt.tokens')\n"
        )
    )
    found = {source for source, _name, _line in visitor.found}
    assert found == {"guest_auth.contrib.allauth.adapters", "guest_auth.contrib.simplejwt.tokens"}


def test_no_import_cycles():
    assert _cycles(_graph()) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b", "a"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_cycle_finder_finds_cycles(graph, expected):
    # The check above is only as good as this.
    assert _cycles(graph) == expected


def test_the_checker_sees_lazy_imports():
    imports = {source for source, _name, _line in _imports("guest_auth.adapter")}
    assert "guest_auth.forms" in imports  # imported inside get_promote_form_class()

"""The recipe tests run only when asked for: ``pytest tests/recipes -m recipes``.

They install the built wheel into fresh virtual environments from a wheelhouse
prepared beforehand (``.ci/run``: ``pip wheel`` of the project's extras into a
directory named by GUEST_AUTH_RECIPE_WHEELHOUSE); without ``-m recipes`` they
are deselected, so the README's test command neither needs nor runs them.
"""

from __future__ import annotations

from typing import Any

__all__: list[str] = []


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if "recipes" in (config.option.markexpr or ""):
        return
    kept, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("recipes") else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept

"""Sphinx configuration for django-guest-auth's documentation (MyST Markdown pages)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path[:0] = [str(ROOT), str(DOCS / "_ext")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docs.django_settings")
django.setup()

import guest_auth  # noqa: E402

project = "django-guest-auth"
author = "guest_auth developers"
copyright = "guest_auth developers"
release = guest_auth.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    "guest_auth_docs",
]
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "screenshots/*.md", "README.md"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}


# Option names such as --older-than must stay two hyphens.
smartquotes = False

html_theme = "furo"
html_title = f"django-guest-auth {release}"
html_static_path: list[str] = []

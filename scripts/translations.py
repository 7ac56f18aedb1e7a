#!/usr/bin/env python3
"""guest_auth's translation catalogs (guest_auth/locale/<lang>/LC_MESSAGES).

    python scripts/translations.py check    # CI: fail on stale or untranslated strings
    python scripts/translations.py update   # makemessages + compilemessages in place

``check`` runs ``makemessages`` on a temporary copy of the package and
compares the result with the committed ``.po`` files (the POT-Creation-Date
header aside): a difference means a string was added, changed or removed
since the catalogs were last updated. It then fails on any untranslated or
fuzzy entry, and on a ``.mo`` file that does not hold what its ``.po`` says.
``update`` rewrites the ``.po`` files (strings are never lost: changed ones
come back fuzzy) and compiles the ``.mo`` files; translate what it lists, then
run it again.

Needs GNU gettext (Debian: apt-get install gettext) and Django.
"""

from __future__ import annotations

import difflib
import gettext
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "guest_auth"
LANGUAGES = ("fr", "de", "es")
MAKEMESSAGES = [
    sys.executable,
    "-m",
    "django",
    "makemessages",
    *(f"--locale={language}" for language in LANGUAGES),
    # File names without line numbers: moving code does not make the catalogs stale.
    "--add-location=file",
    "--no-obsolete",
    "--verbosity=0",
]


def po_path(package: Path, language: str) -> Path:
    return package / "locale" / language / "LC_MESSAGES" / "django.po"


def makemessages(package: Path) -> None:
    # Without settings, makemessages reads the files below cwd and nothing else.
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(MAKEMESSAGES, cwd=package, env=env, check=True)


def _comparable(path: Path) -> list[str]:
    return [
        line
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith('"POT-Creation-Date:')
    ]


def stale(problems: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "guest_auth"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        makemessages(copy)
        for language in LANGUAGES:
            committed, fresh = po_path(PACKAGE, language), po_path(copy, language)
            diff = list(
                difflib.unified_diff(
                    _comparable(committed),
                    _comparable(fresh),
                    str(committed.relative_to(ROOT)),
                    "makemessages",
                )
            )
            if diff:
                problems.append(
                    f"{committed.relative_to(ROOT)} is stale (run: python "
                    f"scripts/translations.py update):\n{''.join(diff)}"
                )


def untranslated(problems: list[str]) -> None:
    for language in LANGUAGES:
        path = po_path(PACKAGE, language)
        for flag, what in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy")):
            out = subprocess.run(
                ["msgattrib", flag, "--no-wrap", "--no-location", str(path)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            ids = [
                line[len("msgid ") :]
                for line in out.splitlines()
                if line.startswith("msgid ") and line != 'msgid ""'
            ]
            if ids:
                problems.append(f"{path.relative_to(ROOT)}: {len(ids)} {what}: " + "; ".join(ids))


def _catalog(mo: Path) -> dict:
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


def compiled(problems: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for language in LANGUAGES:
            po = po_path(PACKAGE, language)
            mo = po.with_suffix(".mo")
            fresh = Path(tmp) / f"{language}.mo"
            subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(po)], check=True)
            if not mo.exists() or _catalog(mo) != _catalog(fresh):
                problems.append(
                    f"{mo.relative_to(ROOT)} does not match its .po (run: python "
                    "scripts/translations.py update)"
                )


def check() -> int:
    problems: list[str] = []
    stale(problems)
    untranslated(problems)
    compiled(problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"Translations up to date: {', '.join(LANGUAGES)}.")
    return 1 if problems else 0


def update() -> int:
    makemessages(PACKAGE)
    for language in LANGUAGES:
        po = po_path(PACKAGE, language)
        subprocess.run(["msgfmt", "--check", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    problems: list[str] = []
    untranslated(problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    commands = {"check": check, "update": update}
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: python scripts/translations.py check|update", file=sys.stderr)
        return 2
    return commands[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

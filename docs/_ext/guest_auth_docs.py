"""Reference pages generated from the package itself, so they cannot drift.

Directives (used in MyST pages as ```{name}``` fences):

``guest-auth-settings``
    One ``setting`` entry per key of ``guest_auth.conf.DEFAULTS``: its default
    and the comment above it in ``conf.py``. The directive's body may add notes,
    each starting with a line ``GUEST_AUTH_<NAME>`` followed by indented text;
    a note for a setting that does not exist is a build warning (an error in CI).
``guest-auth-checks``
    One ``check`` entry per id in ``guest_auth.checks.all_messages()``: level,
    message and hint, exactly as ``manage.py check`` prints them.
``guest-auth-openapi``
    Every operation of ``guest_auth/contrib/rest_framework/openapi.yaml``.
``guest-auth-command``
    A management command's help and its own options, from its argument parser.

Roles ``{setting}`` and ``{check}`` link to the entries from any page.
"""

from __future__ import annotations

import io
import re
import textwrap
import tokenize
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)


def _parse(directive: SphinxDirective, text: str) -> list[Any]:
    """Parse Markdown (MyST) text in the directive's context and return its nodes."""
    from docutils import nodes

    container = nodes.container()
    lines = StringList(text.splitlines(), source=directive.get_source_info()[0])
    directive.state.nested_parse(lines, directive.content_offset, container)
    return container.children


# --------------------------------------------------------------------- settings


def setting_comments() -> dict[str, str]:
    """The comment lines directly above each key of DEFAULTS in guest_auth/conf.py."""
    from guest_auth import conf

    source = Path(conf.__file__).read_text()
    start = source.index("{", source.index("\nDEFAULTS"))
    comments: dict[str, str] = {}
    pending: list[str] = []
    depth = 0
    tokens = tokenize.generate_tokens(io.StringIO(source[start:]).readline)
    for tok in tokens:
        if tok.type == tokenize.OP and tok.string in "{[(":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in "}])":
            depth -= 1
            if depth == 0:
                break
        elif tok.type == tokenize.COMMENT and depth == 1:
            pending.append(tok.string.lstrip("#").strip())
        elif tok.type == tokenize.STRING and depth == 1:
            key = tok.string.strip("\"'")
            if key in conf.DEFAULTS and key not in comments:
                comments[key] = " ".join(pending)
                pending = []
    return comments


def default_repr(value: Any) -> str:
    if isinstance(value, tuple) and len(value) > 4:
        return f"a tuple of {len(value)} items (listed below)"
    if isinstance(value, timedelta):
        return f"`{timedelta_repr(value)}`"
    return f"`{value!r}`"


def timedelta_repr(value: timedelta) -> str:
    """timedelta(hours=1) rather than timedelta(seconds=3600)."""
    seconds = int(value.total_seconds())
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds and seconds % size == 0:
            return f"timedelta({unit}={seconds // size})"
    return f"timedelta(seconds={value.total_seconds():g})"


class SettingsDirective(SphinxDirective):
    has_content = True

    def run(self) -> list[Any]:
        from guest_auth.conf import DEFAULTS, PREFIX

        comments = setting_comments()
        notes = self._notes(PREFIX, DEFAULTS)
        parts = []
        for key, value in DEFAULTS.items():
            name = PREFIX + key
            comment = comments.get(key, "")
            if not comment:
                logger.warning(
                    "%s has no comment above it in guest_auth/conf.py DEFAULTS",
                    name,
                    location=self.get_location(),
                )
            body = [f"**Default:** {default_repr(value)}", "", comment]
            if isinstance(value, tuple) and len(value) > 4:
                items = [
                    f'    r"{item}",' if isinstance(item, str) else f"    {item!r},"
                    for item in value
                ]
                body += ["", "```python", "(", *items, ")", "```"]
            if key in notes:
                body += ["", notes[key]]
            parts.append(f":::{{setting}} {name}\n" + "\n".join(body) + "\n:::\n")
        self.env.note_dependency(__import__("guest_auth.conf").conf.__file__)
        return _parse(self, "\n".join(parts))

    def _notes(self, prefix: str, defaults: dict[str, Any]) -> dict[str, str]:
        notes: dict[str, list[str]] = {}
        current = None
        for line in self.content:
            if line.startswith(prefix):
                current = line.strip()[len(prefix) :]
                if current not in defaults:
                    logger.warning(
                        "note for %s, which is not a setting (guest_auth.conf.DEFAULTS)",
                        line.strip(),
                        location=self.get_location(),
                    )
                notes[current] = []
            elif current is not None:
                notes[current].append(line)
        return {key: textwrap.dedent("\n".join(lines)).strip() for key, lines in notes.items()}


# ------------------------------------------------------------------------ checks


def all_check_messages() -> dict[str, tuple[type, str, str]]:
    from guest_auth.checks import all_messages

    return dict(sorted(all_messages().items()))


class ChecksDirective(SphinxDirective):
    def run(self) -> list[Any]:
        from guest_auth import checks

        parts = []
        for check_id, (level, message, hint) in all_check_messages().items():
            parts.append(
                f":::{{check}} {check_id}\n"
                f"**{level.__name__}.** {_escape(message)}\n\n"
                f"*Hint:* {_escape(hint)}\n:::\n"
            )
        self.env.note_dependency(checks.__file__)
        return _parse(self, "\n".join(parts))


def _escape(text: str) -> str:
    """Markdown-escape what check messages contain (underscores, asterisks)."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


# ---------------------------------------------------------------------- commands


class CommandDirective(SphinxDirective):
    """The command's own help and the options it adds to Django's, from its parser."""

    required_arguments = 1

    def run(self) -> list[Any]:
        from django.core.management import BaseCommand, load_command_class

        name = self.arguments[0]
        command = load_command_class("guest_auth", name)
        parser = command.create_parser("manage.py", name)
        common = {
            option
            for action in BaseCommand().create_parser("manage.py", name)._actions
            for option in action.option_strings
        }
        rows = ["| Option | Meaning |", "|---|---|"]
        for action in parser._actions:
            options = [o for o in action.option_strings if o not in common]
            if not options:
                continue
            metavar = f" {action.metavar}" if action.metavar else ""
            rows.append(f"| `{', '.join(options)}{metavar}` | {_escape(action.help or '')} |")
        self.env.note_dependency(__import__("inspect").getfile(type(command)))
        text = " ".join(command.help.split())
        return _parse(self, _escape(text) + "\n\n" + "\n".join(rows) + "\n")


# ----------------------------------------------------------------------- OpenAPI


class OpenAPIDirective(SphinxDirective):
    required_arguments = 1
    option_spec = {"prefix": directives.unchanged}

    def run(self) -> list[Any]:
        import guest_auth

        path = Path(guest_auth.__file__).parent / self.arguments[0]
        self.env.note_dependency(str(path))
        spec = yaml.safe_load(path.read_text())
        self.components = spec.get("components", {})
        parts = []
        for url, operations in spec["paths"].items():
            for method, op in operations.items():
                parts.append(self._operation(url, method, op))
        parts.append(self._schemas())
        return _parse(self, "\n".join(parts))

    def _operation(self, url: str, method: str, op: dict[str, Any]) -> str:
        lines = [
            f"### `{method.upper()} {url}`",
            "",
            f"**{op.get('summary', '')}.** {op.get('description', '')}",
            "",
        ]
        body = op.get("requestBody")
        if body:
            for media, content in body.get("content", {}).items():
                lines.append(f"Request body (`{media}`): {self._schema(content.get('schema', {}))}")
                lines.append("")
        lines += ["| Status | Meaning | Body |", "|---|---|---|"]
        for status, response in op.get("responses", {}).items():
            content = response.get("content", {})
            schema = ", ".join(self._schema(c.get("schema", {})) for c in content.values())
            desc = " ".join(response.get("description", "").split())
            for header in response.get("headers", {}):
                desc += f" Header `{header}`."
            lines.append(f"| {status} | {desc} | {schema or '(none)'} |")
        lines.append("")
        return "\n".join(lines)

    def _schema(self, schema: dict[str, Any]) -> str:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return f"[{name}](#schema-{name.lower()})"
        if "oneOf" in schema:
            return " or ".join(self._schema(s) for s in schema["oneOf"])
        if schema.get("type") == "object" and "additionalProperties" in schema:
            return "field errors: `{field: [messages]}`"
        return f"`{schema.get('type', 'object')}`"

    def _schemas(self) -> str:
        lines = ["### Schemas", ""]
        for name, schema in self.components.get("schemas", {}).items():
            lines += [f"({_label(name)})=", f"#### {name}", ""]
            if schema.get("description"):
                lines += [" ".join(schema["description"].split()), ""]
            props = schema.get("properties", {})
            required = set(schema.get("required", []))
            if props:
                lines += ["| Field | Type | Required | Description |", "|---|---|---|---|"]
                for prop, spec in props.items():
                    kind = spec.get("type", "") or self._schema(spec)
                    if spec.get("readOnly"):
                        kind += ", read-only"
                    desc = " ".join(spec.get("description", "").split())
                    lines.append(
                        f"| `{prop}` | {kind} | {'yes' if prop in required else 'no'} | {desc} |"
                    )
                lines.append("")
        return "\n".join(lines)


def _label(name: str) -> str:
    return f"schema-{name.lower()}"


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_object_type("setting", "setting", indextemplate="pair: %s; setting", objname="setting")
    app.add_object_type(
        "check", "check", indextemplate="pair: %s; system check", objname="system check"
    )
    app.add_directive("guest-auth-settings", SettingsDirective)
    app.add_directive("guest-auth-checks", ChecksDirective)
    app.add_directive("guest-auth-openapi", OpenAPIDirective)
    app.add_directive("guest-auth-command", CommandDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

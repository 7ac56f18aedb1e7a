"""Schemathesis against the shipped OpenAPI document, over real HTTP.

    python -m tests.api_contract [schemathesis run options...]

Serves the test project (tests.settings, a fresh SQLite file) on a free
loopback port, creates a guest for the token the authenticated operations
need, and runs ``schemathesis run`` with every check against
guest_auth/contrib/rest_framework/openapi.yaml. Exits with schemathesis's
status: non-zero on any failure. CI runs it as its own step (.ci/run); the
configuration (schemathesis.toml beside this file) says why each non-default
expectation is there.
"""

import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEMA = HERE.parent / "guest_auth" / "contrib" / "rest_framework" / "openapi.yaml"


def main(argv: list[str]) -> int:
    # tests.settings reads sqlite:///NAME relative to the working directory.
    os.chdir(tempfile.mkdtemp(prefix="guest-auth-contract-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["GUEST_AUTH_TEST_DATABASE_URL"] = "sqlite:///contract.sqlite3"
    os.environ.pop("GUEST_AUTH_TEST_USER_MODEL", None)  # the document is for auth.User

    import django

    django.setup()

    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from django.test import Client, override_settings

    # Every generated request comes from 127.0.0.1: without this the run would
    # mostly test the rate limit. The rate limit has tests of its own.
    override_settings(
        GUEST_AUTH_RATE_LIMIT=None,
        GUEST_AUTH_NETWORK_RATE_LIMIT=None,
        GUEST_AUTH_IPV6_WIDE_NETWORK_RATE_LIMIT=None,
    ).enable()
    call_command("migrate", verbosity=0)
    token = (
        Client(HTTP_USER_AGENT="contract/1.0")
        .post("/api/guest/", "{}", content_type="application/json")
        .json()["token"]
    )

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(HERE / "schemathesis.toml"),
        "run",
        str(SCHEMA),
        "--url",
        url,
        "--checks",
        "all",
        "--header",
        f"Authorization: Token {token}",
        "--header",
        "User-Agent: contract/1.0",
        *argv,
    ]
    try:
        return subprocess.run(command, check=False).returncode
    finally:
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

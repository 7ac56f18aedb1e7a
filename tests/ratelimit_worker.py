"""Run by tests/core/test_ratelimit.py in separate processes: count allowed creations.

Usage: python -m tests.ratelimit_worker ATTEMPTS START_FILE CLIENT_IP
Once ready, creates START_FILE.ready-<pid>; then waits for START_FILE to exist
so both workers hammer the counter together, and prints how many of ATTEMPTS
the shared Redis counter allowed.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.test import RequestFactory, override_settings  # noqa: E402

from guest_auth._ratelimit import check_creation_rate  # noqa: E402
from guest_auth.exceptions import RateLimited  # noqa: E402


def main(attempts: int, start_file: str, ip: str) -> None:
    open(f"{start_file}.ready-{os.getpid()}", "w").close()
    deadline = time.time() + 20
    while not os.path.exists(start_file) and time.time() < deadline:
        time.sleep(0.005)
    override_settings(GUEST_AUTH_RATE_LIMIT="30/h").enable()
    factory = RequestFactory()
    allowed = 0
    for _ in range(attempts):
        try:
            check_creation_rate(factory.get("/", REMOTE_ADDR=ip))
            allowed += 1
        except RateLimited:
            pass
    print(allowed)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])

"""A login that is killed in the middle of its merge, for tests/cross/test_takeover.py.

Run as ``python -m tests.testapp.login_worker SESSION_KEY USERNAME PASSWORD``
with GUEST_AUTH_TEST_DATABASE_URL naming the test database. It logs the
browser whose session cookie is SESSION_KEY into USERNAME through Django's
login view; the merge of the guest's notes prints ``merging`` and hangs, so
the test can kill -9 the process right there.
"""

import os
import sys
import time


def hang(guest, user, queryset):
    print("merging", flush=True)
    time.sleep(600)


def main() -> None:
    session_key, username, password = sys.argv[1:4]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.test import Client, override_settings

    from tests.helpers.clients import BROWSER_UA

    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.cookies["sessionid"] = session_key
    with override_settings(
        GUEST_AUTH_MERGE_POLICIES={"testapp.Note": "tests.testapp.login_worker.hang"}
    ):
        client.post("/accounts/login/", {"username": username, "password": password})
    print("not killed", flush=True)


if __name__ == "__main__":
    main()

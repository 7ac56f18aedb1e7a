"""Django's error report (the technical 500 page and the text mailed to ADMINS)
of a database error on every path that holds a password, a token or a device
credential: no secret in it. The API's paths: test_rest_framework_error_reports.py.

The error is a real DatabaseError, raised by the database wrapper for one
statement of the path (connection.execute_wrapper), after the secret exists.
"""

import pytest
from django.test import Client

from tests.helpers.clients import BROWSER_UA
from tests.helpers.error_reports import (
    PASSWORD,
    assert_no_secret,
    error_reports,
    failing,
    promotion,
    user_table,
)

pytestmark = pytest.mark.django_db


# Every token and device credential: <24 hex digits>.<43 URL-safe characters>.
def test_web_promotion():
    # The raw password is a local of promote_guest.
    client = Client(HTTP_USER_AGENT=BROWSER_UA, raise_request_exception=False)
    client.get("/guest-view/")
    with error_reports() as reports, failing("UPDATE", user_table()):
        response = client.post("/guest/promote/", promotion(["password1", "password2"]))
    assert response.status_code == 500
    assert_no_secret(reports, PASSWORD)

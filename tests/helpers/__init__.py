"""The suite's helpers, in one package (CONTRIBUTING: "Where does my test go").

Test modules import helpers from here only: never from ``conftest.py`` (pytest
imports a conftest under a name that depends on the rootdir) and never from another
test module (moving or renaming a test file must not break its neighbours).

- ``clients``: the User-Agents, the allauth-signup settings, middleware lists;
- ``factories``: the suite's factories (guest_auth.testing's own, so they are tested too);
- ``sessions``: session stores and requests that went through the middleware;
- ``rest_framework``: the REST API's endpoints, a schema-checked client, request bodies
  (import it only where djangorestframework is installed);
- ``error_reports``: a real DatabaseError injected into one statement, and the error
  reports Django renders for it;
- ``accounts``: password-reset links and a guest holding a row, for login tests;
- ``signals``: a receiver that records every send of a signal;
- ``purge``: idle guests and the purge command's output;
- ``redis``: a redis-server of a test's own, started with the options it needs.

What is still repeated between test files is repeated on purpose: a test reads top
to bottom, so a few lines of setup that state what the test is about stay in it.
"""

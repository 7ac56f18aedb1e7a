"""The flow against a real standby: fresh database on the primary, then the steps.

Django itself reads the user of every request on the standby, so the flow
waits for replication (LAG) before a request that needs a user written by the
one before; guest_auth's own reads of what it has just written (the guest it
merges and locks, fresh API tokens and device credentials) must not wait.
"""

import os
import time
from urllib.parse import urlsplit

from tests.configs import _flow


def fresh_database() -> None:
    import psycopg

    primary = urlsplit(os.environ["GUEST_AUTH_TEST_PRIMARY_URL"])
    standby = urlsplit(os.environ["GUEST_AUTH_TEST_STANDBY_URL"])
    name = primary.path.lstrip("/")

    def server(parts, dbname="postgres"):
        return psycopg.connect(
            host=parts.hostname,
            port=parts.port,
            user=parts.username,
            dbname=dbname,
            autocommit=True,
        )

    with server(primary) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    for _ in range(50):
        try:
            server(standby, name).close()
            return
        except psycopg.OperationalError:
            time.sleep(0.1)
    raise SystemExit(f"pg_standby: the standby never got database {name}")


if __name__ == "__main__":
    fresh_database()
    _flow.LAG = 1.5
    _flow.run(
        "pg_standby",
        [_flow.merge_on_login, _flow.api, _flow.promote_form, _flow.admin_purge],
    )

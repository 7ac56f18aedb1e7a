"""A primary and a replica that never receives writes (the worst lag there is).

Every read guest_auth makes of a row written moments before must go to the
primary; the replica database has the schema and nothing else.
"""

from tests.configs._common import *  # noqa: F403

ROOT_URLCONF = "tests.configs.replica.urls"
INSTALLED_APPS = [*CORE_APPS, "rest_framework"]  # noqa: F405
MIDDLEWARE = CORE_MIDDLEWARE  # noqa: F405
TEMPLATES = DJANGO_TEMPLATES  # noqa: F405
DATABASES = {"default": sqlite("default"), "replica": sqlite("replica")}  # noqa: F405
DATABASE_ROUTERS = ["tests.configs.replica.routers.PrimaryReplicaRouter"]

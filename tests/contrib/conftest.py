"""Each integration's folder is collected only where its framework is installed
(tox's py311-noextras has none of them; the GUEST_AUTH_TEST_WITHOUT_* switches also
take it out of tests/settings.py)."""

import importlib.util
import os

# folder: (the switch that leaves the framework out, the module that must be importable)
_FRAMEWORKS = {
    "rest_framework": ("GUEST_AUTH_TEST_WITHOUT_DRF", "rest_framework"),
    # simplejwt plugs into the REST API: it goes with DRF.
    "simplejwt": ("GUEST_AUTH_TEST_WITHOUT_DRF", "rest_framework_simplejwt"),
    "allauth": ("GUEST_AUTH_TEST_WITHOUT_ALLAUTH", "allauth"),
    "celery": ("GUEST_AUTH_TEST_WITHOUT_CELERY", "celery"),
    "tasks": ("GUEST_AUTH_TEST_WITHOUT_TASKS", None),
    # django-ipware is in the test extra, not in tox's noextras environment.
    "ipware": (None, "ipware"),
}

collect_ignore = [
    folder
    for folder, (switch, module) in _FRAMEWORKS.items()
    if (switch and os.environ.get(switch)) or (module and importlib.util.find_spec(module) is None)
]

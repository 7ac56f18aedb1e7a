import os

# The configuration matrix (test_configurations.py) chooses its own databases and user
# model: it runs once, in the default run (SQLite, auth.User, every optional
# dependency), or wherever GUEST_AUTH_TEST_CONFIGS=1; GUEST_AUTH_TEST_CONFIGS=0 leaves
# it out.
collect_ignore = []
_configs = os.environ.get("GUEST_AUTH_TEST_CONFIGS")
if _configs == "0" or (
    _configs != "1"
    and (
        os.environ.get("GUEST_AUTH_TEST_USER_MODEL", "auth.User") != "auth.User"
        or any(
            os.environ.get(name)
            for name in (
                "GUEST_AUTH_TEST_DATABASE_URL",
                "GUEST_AUTH_TEST_WITHOUT_DRF",
                "GUEST_AUTH_TEST_WITHOUT_ALLAUTH",
            )
        )
    )
):
    collect_ignore.append("test_configurations.py")
# The path x rule matrix drives DRF, simplejwt and allauth's headless API.
if os.environ.get("GUEST_AUTH_TEST_WITHOUT_DRF") or os.environ.get(
    "GUEST_AUTH_TEST_WITHOUT_ALLAUTH"
):
    collect_ignore.append("test_gate_matrix.py")

"""manage.py guest_access: who can reach each URL pattern."""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from guest_auth._audit import Problem, Row, audit
from tests.helpers.clients import ALLAUTH_SIGNUP

DRF = apps.is_installed("rest_framework")


def cells(access, **settings):
    with override_settings(**settings):
        items = list(audit(access=access, urlconf="tests.auditurls"))
    rows = {item.url: item.cells for item in items if isinstance(item, Row)}
    problems = [(item.url, item.reason) for item in items if isinstance(item, Problem)]
    return rows, problems


def test_decorators_and_mixins_in_both_modes():
    everyone, _ = cells("all")
    opt_in, _ = cells("opt-in")
    expected = {
        #                          all mode                   opt-in mode
        "/access/plain/": (("yes", "yes", "yes"), ("yes", "yes, as anonymous", "yes")),
        "/access/cart/": (("yes", "yes", "yes"), ("yes", "yes", "yes")),
        "/access/guest/": (("yes, as guest", "yes", "yes"), ("yes, as guest", "yes", "yes")),
        "/access/login-required/": (("login", "yes", "yes"), ("login", "login", "yes")),
        "/access/cbv-login-required/": (("login", "yes", "yes"), ("login", "login", "yes")),
        "/access/staff/": (("login", "login", "staff"), ("login", "login", "staff")),
        "/access/perm/": (("login", "perm", "perm"), ("login", "login", "perm")),
    }
    for url, (all_mode, opt_in_mode) in expected.items():
        assert everyone[url] == all_mode, url
        assert opt_in[url] == opt_in_mode, url


def test_login_required_middleware_and_login_not_required():
    middleware = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "guest_auth.middleware.GuestMiddleware",
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
    ]
    rows, _ = cells("opt-in", MIDDLEWARE=middleware)
    assert rows["/access/plain/"] == ("login", "login", "yes")
    assert rows["/access/open/"] == ("yes", "yes, as anonymous", "yes")
    assert rows["/access/guest/"] == ("yes, as guest", "yes", "yes")


@pytest.mark.skipif(not DRF, reason="needs djangorestframework")
def test_drf_permission_classes():
    everyone, _ = cells("all")
    opt_in, _ = cells("opt-in")
    assert everyone["/access/api/authenticated/"] == ("refused", "yes", "yes")
    assert opt_in["/access/api/authenticated/"] == ("refused", "refused", "yes")
    assert opt_in["/access/api/cart/"] == ("refused", "yes", "yes")  # opts in
    assert everyone["/access/api/read-only/"] == ("read-only", "yes", "yes")
    assert everyone["/access/api/guests-only/"] == ("refused", "yes", "refused")
    assert everyone["/access/api/regular-only/"] == ("refused", "refused", "yes")


def test_what_cannot_be_read_is_reported_and_the_rest_goes_on():
    rows, problems = cells("all")
    assert rows["/access/custom-test/"] == ("?", "?", "?")
    assert rows["/after/plain/"] == ("yes", "yes", "yes")  # after the broken include
    expected = [
        (
            "/access/custom-test/",
            "user_passes_test() with a test guest_auth cannot read (_is_manager).",
        ),
        (
            "/access/custom-mixin/",
            "ManagerOnly uses UserPassesTestMixin; guest_auth cannot read its test_func().",
        ),
    ]
    if DRF:
        expected += [
            ("/access/api/custom/", "CustomAPI: guest_auth cannot read the permission _Weekdays."),
            (
                "/access/api/either/",
                "EitherAPI: guest_auth cannot read the permission OperandHolder.",
            ),
        ]
    again = [("/after/" + url[len("/access/") :], reason) for url, reason in expected]
    broken_url, broken_reason = problems[len(expected)]
    assert problems == [*expected, (broken_url, broken_reason), *again]
    assert broken_url == "/broken/"
    assert broken_reason.startswith("its URLconf cannot be loaded: The included URLconf ")
    assert "does not appear to have any patterns in it" in broken_reason


def test_the_command_prints_a_table_and_reports_on_stderr():
    out, err = StringIO(), StringIO()
    call_command("guest_access", "--urlconf", "tests.auditurls", stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["URL", "NAME", "ANONYMOUS", "GUEST", "REGULAR", "VIA"]
    assert lines[1].split() == ["/access/plain/", "plain", "yes", "yes", "yes"]
    login_required = next(line for line in lines if line.startswith("/access/login-required/"))
    assert login_required.split() == [
        "/access/login-required/",
        "login-required",
        "login",
        "yes",
        "yes",
        "login_required",
    ]
    errors = err.getvalue().splitlines()
    assert errors[0] == (
        "Cannot analyse /access/custom-test/: user_passes_test() with a test guest_auth "
        "cannot read (_is_manager)."
    )
    assert errors[-1].endswith("pattern(s) could not be fully analysed.")


def test_the_command_audits_the_other_mode_on_request():
    out = StringIO()
    call_command(
        "guest_access",
        "--urlconf",
        "tests.auditurls",
        "--access",
        "opt-in",
        stdout=out,
        stderr=StringIO(),
    )
    plain = next(line for line in out.getvalue().splitlines() if line.startswith("/access/plain/"))
    assert plain.split() == ["/access/plain/", "plain", "yes", "yes,", "as", "anonymous", "yes"]


def test_the_whole_test_site():
    # allauth's entrance pages are told apart when allauth is the site's signup.
    signup = ALLAUTH_SIGNUP if apps.is_installed("allauth.account") else {}
    with override_settings(**signup):
        items = list(audit(access="opt-in"))  # ROOT_URLCONF: tests/urls.py
    rows = {item.url: (item.cells, item.via) for item in items if isinstance(item, Row)}
    assert rows["/regular/"] == (
        ("login", "promote", "yes"),
        ("opts in", "regular_user_required"),
    )
    assert rows["/cbv/regular/"][0] == ("login", "promote", "yes")
    assert rows["/cbv/guest/"] == (("yes, as guest", "yes", "yes"), ("opts in", "AllowGuestMixin"))
    assert rows["/guest/promote/"][0] == ("login", "yes", "yes")
    assert rows["/accounts/password_change/"] == (("yes", "promote", "yes"), ("password page",))
    assert rows["/accounts/login/"][0] == ("yes", "yes, as anonymous", "yes")
    assert rows["/admin/"] == (("login", "login", "staff"), ("admin",))
    assert rows["/admin/login/"][0] == ("yes", "yes, as anonymous", "yes")
    if apps.is_installed("allauth.account"):
        assert rows["/allauth/login/"] == (
            ("yes", "yes, as anonymous", "yes"),
            ("allauth entrance",),
        )
        assert rows["/allauth/password/change/"][0] == ("yes", "signup", "yes")
    if DRF:
        assert rows["/api/guest/me/"][0] == ("refused", "yes", "yes")
    problems = [item.url for item in items if isinstance(item, Problem)]
    assert problems == [
        "/access/custom-test/",
        "/access/custom-mixin/",
        *(["/access/api/custom/", "/access/api/either/"] if DRF else []),
    ]


def test_the_admins_alike_urls_are_grouped_unless_all_is_asked():
    """About 45 admin rows of 70 drowned the site's own URLs (issue 23)."""

    def table(*args):
        out = StringIO()
        call_command("guest_access", *args, stdout=out, stderr=StringIO())
        return out.getvalue().splitlines()

    every = table("--all")
    grouped = table()
    admin_rows = [line for line in every if line.endswith(" admin")]
    assert len(admin_rows) > 10
    # The user model's changelist: /admin/auth/user/ or /admin/testapp/emailuser/.
    opts = get_user_model()._meta
    changelist = f"/admin/{opts.app_label}/{opts.model_name}/ "
    assert any(line.startswith(changelist) for line in every)
    assert not any(line.startswith(changelist) for line in grouped)
    # One row stands for each group, saying how many it stands for; the rest is as it was.
    admin_grouped = [line for line in grouped if line.endswith(" admin") or "admin:*" in line]
    assert len(admin_grouped) < 4
    summary = next(line for line in grouped if " admin:* " in line)
    assert summary.split()[:2] == ["/admin/...", "admin:*"]
    alike = int(re.search(r"\((\d+) URLs; --all lists them\)$", summary).group(1))
    assert len(admin_grouped) - 1 + alike == len(admin_rows)
    assert summary.split()[2:6] == ["login", "login", "staff", "admin"]
    # Every other row is still there; the groups stand for the rest.
    kept = [line.split() for line in grouped[1:] if not line.endswith("--all lists them)")]
    summaries = [line for line in grouped if line.endswith("--all lists them)")]
    stood_for = sum(int(re.search(r"\((\d+) URLs;", line).group(1)) for line in summaries)
    assert all(row in [line.split() for line in every] for row in kept)
    assert len(kept) + stood_for == len(every) - 1
    assert any(line.startswith("/cart/ ") or "promote" in line for line in grouped)

"""guest_auth's translations: shipped, used per request, kept current by
scripts/translations.py (run by CI)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.utils import translation

from guest_auth.exceptions import RateLimited
from tests.helpers.clients import BROWSER_UA, LOCALE_MIDDLEWARE
from tests.helpers.i18n import french_rate_limited

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _back_to_english():
    yield
    translation.activate("en-us")  # LocaleMiddleware leaves the request's language active


needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="needs GNU gettext (apt-get install gettext)"
)


@pytest.mark.parametrize("language", ["fr", "de", "es"])
def test_compiled_catalogs_are_shipped(language):
    assert (ROOT / f"guest_auth/locale/{language}/LC_MESSAGES/django.mo").is_file()
    wheel_data = (ROOT / "pyproject.toml").read_text()
    assert '"locale/*/LC_MESSAGES/django.mo"' in wheel_data


def test_rate_limited_message_is_translated_when_shown():
    exc = RateLimited(retry_after=45)
    with translation.override("fr"):
        assert str(exc) == "Trop de nouveaux invités ; réessayez dans 45 secondes."
    with translation.override("de"):
        assert str(exc) == "Zu viele neue Gäste; versuchen Sie es in 45 Sekunden erneut."
    with translation.override("es"):
        assert str(RateLimited(1)) == (
            "Demasiados invitados nuevos; vuelva a intentarlo en 1 segundo."
        )
    assert str(exc) == "Too many new guests; retry in 45 seconds."


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (59, "Too many new guests; retry in 59 seconds."),
        (60, "Too many new guests; retry in 1 minute."),
        (61, "Too many new guests; retry in 2 minutes."),
        # The case: the HTML page said "56 minutes", the JSON "3351 seconds".
        (3351, "Too many new guests; retry in 56 minutes."),
    ],
)
def test_rate_limited_message_counts_minutes_as_the_page_does(seconds, words):
    assert str(RateLimited(seconds)) == words


@pytest.mark.django_db
@override_settings(MIDDLEWARE=LOCALE_MIDDLEWARE, GUEST_AUTH_RATE_LIMIT="1/h")
def test_a_french_request_gets_french_messages():
    client = Client(HTTP_USER_AGENT=BROWSER_UA, HTTP_ACCEPT_LANGUAGE="fr")
    client.get("/guest-view/")
    page = client.get("/guest/promote/")
    assert "<h1>Créez votre compte</h1>" in page.text
    assert "Tout ce que vous avez fait en tant qu'invité reste" in page.text
    # The 429 page and its JSON twin.
    html = Client(
        HTTP_USER_AGENT=BROWSER_UA, HTTP_ACCEPT_LANGUAGE="fr", HTTP_ACCEPT="text/html"
    ).get("/guest-view/")
    assert html.status_code == 429
    assert "<h1>Veuillez réessayer plus tard</h1>" in html.text
    api = Client(
        HTTP_USER_AGENT=BROWSER_UA, HTTP_ACCEPT_LANGUAGE="fr", HTTP_ACCEPT="application/json"
    ).get("/guest-view/")
    assert api.json()["detail"] == french_rate_limited(api.json()["retry_after"])


@pytest.mark.django_db
@override_settings(MIDDLEWARE=LOCALE_MIDDLEWARE)
@pytest.mark.parametrize("language", ["fr", "de", "en"])
def test_pages_name_the_language_they_are_in(language):
    """lang follows the active language, without the i18n context processor (issue 23)."""
    client = Client(HTTP_USER_AGENT=BROWSER_UA, HTTP_ACCEPT_LANGUAGE=language)
    client.get("/guest-view/")
    assert f'<html lang="{language}">' in client.get("/guest/promote/").text


@pytest.mark.django_db
@override_settings(MIDDLEWARE=LOCALE_MIDDLEWARE)
def test_a_german_request_gets_german_form_errors():
    client = Client(HTTP_USER_AGENT=BROWSER_UA, HTTP_ACCEPT_LANGUAGE="de")
    client.get("/guest-view/")
    page = client.post("/guest/promote/", {"password1": "a", "password2": "b"})
    assert "Erstellen Sie Ihr Konto" in page.text
    assert "Dieses Feld ist zwingend erforderlich." in page.text  # Django's own catalog


def _check(root):
    return subprocess.run(
        [sys.executable, "scripts/translations.py", "check"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@needs_gettext
def test_the_committed_catalogs_are_current():
    result = _check(ROOT)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert result.stdout == "Translations up to date: fr, de, es.\n"


@needs_gettext
def test_check_fails_on_a_new_string_and_an_untranslated_one(tmp_path):
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    shutil.copytree(
        ROOT / "guest_auth", tmp_path / "guest_auth", ignore=shutil.ignore_patterns("__pycache__")
    )
    template = tmp_path / "guest_auth/templates/guest_auth/promote.html"
    template.write_text(template.read_text() + '{% translate "A brand new string" %}\n')
    po = tmp_path / "guest_auth/locale/fr/LC_MESSAGES/django.po"
    text = po.read_text()
    po.write_text(text.replace('msgstr "Créer le compte"', 'msgstr ""'))
    result = _check(tmp_path)
    assert result.returncode == 1
    assert "guest_auth/locale/fr/LC_MESSAGES/django.po is stale" in result.stderr
    assert '+msgid "A brand new string"' in result.stderr
    assert 'django.po: 1 untranslated: "Create account"' in result.stderr
    assert "guest_auth/locale/fr/LC_MESSAGES/django.mo does not match its .po" in result.stderr

from datetime import timedelta

import pytest
from django.contrib.admin import site
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guest_auth.admin import GuestListFilter
from guest_auth.models import Guest
from tests.helpers.factories import PASSWORD, GuestFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.admin = admin
    return client


def test_user_admin_has_guest_filter():
    assert GuestListFilter in site._registry[get_user_model()].list_filter


@pytest.mark.django_db
def test_guest_changelist(admin_client):
    guest = GuestFactory()
    response = admin_client.get(reverse("admin:guest_auth_guest_changelist"))
    assert response.status_code == 200
    assert str(guest.user) in response.content.decode()
    actions = dict(response.context["action_form"].fields["action"].choices)
    assert "purge_selected" in actions and "delete_selected" not in actions


@pytest.mark.django_db
def test_purge_action_deletes_selected_inactive_and_keeps_active(admin_client):
    idle = GuestFactory(last_seen_at=timezone.now() - timedelta(days=60))
    other_idle = GuestFactory(last_seen_at=timezone.now() - timedelta(days=60))
    active = GuestFactory()
    response = admin_client.post(
        reverse("admin:guest_auth_guest_changelist"),
        {"action": "purge_selected", "_selected_action": [idle.pk, active.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Purged 1 guest.", "1 selected guest was active recently and was kept."]
    assert set(Guest.objects.values_list("pk", flat=True)) == {other_idle.pk, active.pk}
    assert not get_user_model().objects.filter(pk=idle.pk).exists()


@pytest.mark.django_db
def test_purge_action_keeps_protected_guests(admin_client):
    from tests.purgeapp.models import Invoice

    idle = GuestFactory(last_seen_at=timezone.now() - timedelta(days=60))
    protected = [GuestFactory(last_seen_at=timezone.now() - timedelta(days=60)) for _ in range(2)]
    for guest in protected:
        Invoice.objects.create(owner=guest.user)
    response = admin_client.post(
        reverse("admin:guest_auth_guest_changelist"),
        {"action": "purge_selected", "_selected_action": [idle.pk, *(g.pk for g in protected)]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "Purged 1 guest.",
        "2 selected guests own rows protecting them (purgeapp.Invoice) and were kept.",
    ]
    assert set(Guest.objects.values_list("pk", flat=True)) == {g.pk for g in protected}


@pytest.mark.django_db
def test_purge_action_needs_delete_permission_on_users(client):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    if hasattr(staff, "user_permissions"):
        staff.user_permissions.add(Permission.objects.get(codename="view_guest"))
    client.force_login(staff)
    response = client.get(reverse("admin:guest_auth_guest_changelist"))
    if not hasattr(staff, "user_permissions"):
        assert response.status_code == 403  # the custom test user has no permissions at all
        return
    action_form = response.context["action_form"]
    actions = dict(action_form.fields["action"].choices) if action_form else {}
    assert "purge_selected" not in actions


@pytest.mark.django_db
def test_user_changelist_filters_guests(admin_client):
    guest = GuestFactory().user
    model = get_user_model()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    guests = admin_client.get(url + "?guest=yes").context["cl"].result_list
    regular = admin_client.get(url + "?guest=no").context["cl"].result_list
    assert [u.pk for u in guests] == [guest.pk]
    assert [u.pk for u in regular] == [admin_client.admin.pk]
    assert PASSWORD


# The insights page.


def _svg(response):
    import re
    import xml.etree.ElementTree as ET

    # The admin's own theme icons are SVGs too: take the chart's.
    match = re.search(
        r'<svg\b[^>]*class="guest-auth-chart".*?</svg>', response.content.decode(), re.DOTALL
    )
    assert match, "no SVG in the page"
    return ET.fromstring(match.group(0))


def _insights_url():
    return reverse("admin:guest_auth_guest_insights")


@pytest.mark.django_db
def test_insights_chart_draws_merged_guests(admin_client):
    from guest_auth.services import merge_guest

    guest = GuestFactory().user
    merge_guest(guest, UserFactory())

    svg = _svg(admin_client.get(_insights_url()))

    ns = "{http://www.w3.org/2000/svg}"
    bar_titles = sorted(
        r.find(f"{ns}title").text.split(": ")[1]
        for r in svg.iter(f"{ns}rect")
        if r.get("class") == "bar"
    )
    assert bar_titles == ["1 Created", "1 Merged"]


@pytest.mark.django_db
def test_insights_is_linked_from_the_guest_changelist(admin_client):
    response = admin_client.get(reverse("admin:guest_auth_guest_changelist"))
    assert f'<a href="{_insights_url()}">Insights</a>' in response.content.decode()


@pytest.mark.django_db
def test_insights_shows_counts_conversion_and_chart(admin_client):
    from guest_auth.services import promote_guest

    now = timezone.now()
    GuestFactory()  # active
    GuestFactory(created_at=now - timedelta(days=3), last_seen_at=now - timedelta(days=2))
    GuestFactory(created_at=now - timedelta(days=40), last_seen_at=now - timedelta(days=35))
    promoted = GuestFactory(created_at=now - timedelta(days=3)).user
    field = get_user_model().USERNAME_FIELD
    promote_guest(
        None,
        promoted,
        password=PASSWORD,
        **{field: "p@example.com" if field == "email" else "promoted"},
    )

    response = admin_client.get(_insights_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd id="guests-active">1<' in html  # the promoted one is no guest any more
    assert '<dd id="guests-idle">1<' in html
    assert '<dd id="guests-purgeable">1<' in html
    assert "seen within 30 days" in html
    # Created in the 30 days: the active one, the idle one and the promoted one.
    assert '<dd id="conversion-rate">33.3&nbsp;%<small>1 promoted of 3 created</small>' in html
    assert response.context["totals"] == {"created": 3, "promoted": 1, "merged": 0, "purged": 0}

    svg = _svg(response)
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.find(f"{ns}title").text == "Guests per day, last 30 days"
    assert "3 created, 1 promoted, 0 merged, 0 purged" in svg.find(f"{ns}desc").text
    legend = svg.find(f"{ns}g[@class='legend']")
    assert [t.text for t in legend.findall(f"{ns}text")] == [
        "Created",
        "Promoted",
        "Merged",
        "Purged",
    ]
    bar_titles = sorted(
        r.find(f"{ns}title").text.split(": ")[1]
        for r in svg.iter(f"{ns}rect")
        if r.get("class") == "bar"
    )
    # Today: 1 created, 1 promoted; three days ago: 2 created.
    assert bar_titles == ["1 Created", "1 Promoted", "2 Created"]
    # The same figures as a table, one row per day.
    days = response.context["insights"].days
    assert len(days) == 30
    assert html.count('<tr><th scope="row">') == 30


@pytest.mark.django_db
def test_insights_without_guests(admin_client):
    response = admin_client.get(_insights_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd id="conversion-rate">&ndash;<small>no guest created in the period</small>' in html
    svg = _svg(response)
    assert not [r for r in svg.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "bar"]


@pytest.mark.django_db
def test_insights_needs_the_view_permission_on_guests(client):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(_insights_url()).status_code == 403
    if not hasattr(staff, "user_permissions"):
        return  # the custom test user has no permissions: only superusers get in
    staff.user_permissions.add(Permission.objects.get(codename="view_guest"))
    staff = get_user_model().objects.get(pk=staff.pk)  # drop the permission cache
    client.force_login(staff)
    response = client.get(_insights_url())
    assert response.status_code == 200
    assert "Guest insights" in response.content.decode()


@pytest.mark.django_db
def test_insights_sends_anonymous_visitors_to_the_admin_login(client):
    response = client.get(_insights_url())
    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={_insights_url()}"


@pytest.mark.django_db
def test_insights_keeps_guests_out(guest_client):
    response = guest_client.get(_insights_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_insights_names_the_inactivity_window(admin_client, settings):
    settings.GUEST_AUTH_MAX_INACTIVITY = "36h"
    html = admin_client.get(_insights_url()).content.decode()
    assert "seen within 1\xa0day, 12\xa0hours" in html
    settings.GUEST_AUTH_MAX_INACTIVITY = "7d"
    assert "idle for over 7 days" in admin_client.get(_insights_url()).content.decode()


@pytest.mark.django_db
def test_guest_changelist_never_counts_the_whole_table_twice(admin_client):
    GuestFactory()
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:guest_auth_guest_changelist"))
    assert response.status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    # The paginator's count only (no "N total" count, no date hierarchy).
    assert len(counts) == 1, counts
    assert site._registry[Guest].date_hierarchy is None


# ANALYZE TABLE commits on MySQL/MariaDB: a transactional test, flushed after.
@pytest.mark.django_db(transaction=True)
def test_guest_changelist_takes_a_large_table_size_from_the_statistics(admin_client, monkeypatch):
    from guest_auth._insights import counts as insight_counts

    for _ in range(3):
        GuestFactory()
    table = connection.ops.quote_name(Guest._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {table}")
        elif connection.vendor == "mysql":
            cursor.execute(f"ANALYZE TABLE {table}")
            cursor.fetchall()
    monkeypatch.setattr(insight_counts, "EXACT_UP_TO", 1)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:guest_auth_guest_changelist"))
    assert response.status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    if connection.vendor == "sqlite":
        assert len(counts) == 1  # no statistics to read: counted
    else:
        assert counts == []
        assert response.context["cl"].result_count == insight_counts.estimated_rows(
            Guest, "default"
        )

from datetime import timedelta

import pytest
from django.contrib.admin import site
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from guest_auth.admin import GuestListFilter
from guest_auth.models import Guest
from tests.factories import PASSWORD, GuestFactory, UserFactory


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

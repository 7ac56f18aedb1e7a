import pytest
from django.contrib.auth import get_user_model

from guest_auth.models import Guest


@pytest.mark.django_db
def test_guest_row_shape(guest_user):
    row = Guest.objects.get()
    assert row.pk == guest_user.pk
    assert guest_user.guest == row  # related_name="guest"
    assert str(row) == (guest_user.get_username() or f"guest {guest_user.pk}")
    assert row.created_at <= row.last_seen_at
    assert Guest._meta.get_field("last_seen_at").db_index


@pytest.mark.django_db
def test_deleting_the_user_deletes_the_guest_row(guest_user):
    get_user_model().objects.filter(pk=guest_user.pk).delete()
    assert not Guest.objects.exists()

import pytest
from django.contrib.auth import get_user_model

from guest_auth.models import Guest


@pytest.mark.django_db
def test_guest_row_shape(guest):
    row = Guest.objects.get()
    assert row.pk == guest.pk
    assert guest.guest == row  # related_name="guest"
    assert str(row) == (guest.get_username() or f"guest {guest.pk}")
    assert row.created_at <= row.last_seen_at
    assert Guest._meta.get_field("last_seen_at").db_index


@pytest.mark.django_db
def test_deleting_the_user_deletes_the_guest_row(guest):
    get_user_model().objects.filter(pk=guest.pk).delete()
    assert not Guest.objects.exists()

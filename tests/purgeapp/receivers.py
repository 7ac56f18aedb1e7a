"""A post_delete receiver, like the ones that remove stored files."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Upload

#: (name, owner_id) of every Upload deleted, in order; tests clear it.
deleted_uploads: list[tuple[str, object]] = []


@receiver(post_delete, sender=Upload, dispatch_uid="purgeapp.upload_deleted")
def upload_deleted(sender, instance, **kwargs):
    deleted_uploads.append((instance.name, instance.owner_id))

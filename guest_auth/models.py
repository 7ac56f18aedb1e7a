"""The Guest row that marks a user as a guest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ._secrets import DIGEST_LENGTH, LOOKUP_LENGTH

__all__ = ["APIToken", "DeviceCredential", "Guest", "GuestDay", "NameClaim", "SecretModel"]


class Guest(models.Model):
    """Marks ``user`` as a guest. Promotion deletes this row, not the user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="guest",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now, db_index=True)
    # Derived from the session key the guest was created under (122 bits of
    # its SHA-256, as a version 4 UUID). The unique constraint makes two racing requests of one
    # anonymous session converge on a single guest instead of creating two
    # (see guest_auth._create). A UUID: one index of 16-byte keys.
    race_key = models.UUIDField(null=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        # The insights count a period's creations off this index, never the table.
        indexes = [models.Index(fields=["created_at"], name="guest_auth_guest_created")]

    def __str__(self) -> str:
        # Not str(self.user): a nullable email USERNAME_FIELD is None for guests.
        username = self.user.get_username()
        return str(username) if username else _("guest %(pk)s") % {"pk": self.pk}


class GuestDay(models.Model):
    """Counts of guests removed, for guest_auth.stats (the admin's insights).

    ``promoted``, ``merged`` and ``purged`` count what happened on ``day``;
    ``created_gone`` counts guests created on ``day`` that have been removed
    since, so a day's creations can be counted without a write per creation.
    Removals only ever insert rows (one per promotion, merge or purge batch,
    and day) and readers sum them: no promotion or purge waits for another's
    lock on a shared counter row. Each purge run rolls the rows up into one
    per day, so the table grows by about a row a day.

    The name reads "the guests' figures of one day" (a ledger row), not a guest.
    It stays: renaming a model is a migration that renames its table on every
    site, and raw SQL (the purge's roll-up, sites' reports) names that table,
    for a name only the insights use (``guest_auth._insights``).
    """

    day = models.DateField(_("day"), db_index=True)
    promoted = models.PositiveIntegerField(_("promoted"), default=0)
    merged = models.PositiveIntegerField(_("merged"), default=0)
    purged = models.PositiveIntegerField(_("purged"), default=0)
    created_gone = models.PositiveIntegerField(_("created, since removed"), default=0)
    # Guests created on ``day``, counted once the day was over (by a purge
    # run, see guest_auth._insights.tally.freeze_days): final, as a past day's
    # creations do not change. Null on the rows of removals.
    created = models.PositiveIntegerField(_("created"), null=True, blank=True)

    class Meta:
        verbose_name = _("guest day")
        verbose_name_plural = _("guest days")

    def __str__(self) -> str:
        return self.day.isoformat()


class SecretModel(models.Model):
    """What API tokens and device credentials share: a secret stored only as a hash.

    ``lookup`` finds the row, ``digest`` is the SHA-256 of the secret part
    (see guest_auth._secrets); the secret itself is shown to the client once.
    Each subclass adds its ``user`` foreign key.
    """

    lookup = models.CharField(max_length=LOOKUP_LENGTH, unique=True, editable=False)
    digest = models.CharField(max_length=DIGEST_LENGTH, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.lookup}…"


class APIToken(SecretModel):
    """A token for ``Authorization: Token <token>`` (the REST API's guest login).

    Only a hash of the secret is stored (see guest_auth._secrets). A token
    expires after GUEST_AUTH_MAX_INACTIVITY without use. It belongs to the user,
    not to the Guest row: the client that promotes its guest keeps its token;
    promotion revokes the guest's other tokens.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="guest_auth_api_tokens",
        verbose_name=_("user"),
    )
    # Written at most once per GUEST_AUTH_ACTIVITY_INTERVAL, like Guest.last_seen_at.
    last_used_at = models.DateTimeField(_("last used at"), default=timezone.now)
    # The user's get_session_auth_hash() when the token was issued: as for a
    # session, a password change or reset makes it differ and ends the token.
    auth_hash = models.CharField(max_length=128, default="", editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")


class DeviceCredential(SecretModel):
    """A device's secret that logs the same guest in again from a new client.

    Only guests have one: promote_guest deletes them, and a credential logs
    nobody in unless its user is still a guest. It is valid while the guest
    is: until GUEST_AUTH_MAX_INACTIVITY after ``last_seen_at``.
    """

    # On the user, not the Guest row: Guest stays without relations, so purge
    # and promotion delete Guest rows without first loading them.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="guest_auth_device_credentials",
        verbose_name=_("user"),
    )

    class Meta:
        verbose_name = _("device credential")
        verbose_name_plural = _("device credentials")


class NameClaim(models.Model):
    """A username or email taken through promotion, keyed by its casefolded form.

    ``key`` is the SHA-256 of the field name and ``str.casefold()`` of the
    value, so "Straße" and "STRASSE" share a key on every database. Promotion
    inserts its claims in its transaction: a concurrent promotion to the same
    name waits on the key and then fails, instead of both committing. Rows go
    with their user.
    """

    key = models.CharField(max_length=64, primary_key=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )

    class Meta:
        verbose_name = _("name claim")
        verbose_name_plural = _("name claims")

    def __str__(self) -> str:
        return self.key

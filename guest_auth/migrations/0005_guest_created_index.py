"""An index on Guest.created_at, for the insights' per-day creations.

Safe on a large table: built with CREATE INDEX CONCURRENTLY on PostgreSQL
(hence a non-atomic migration), online by InnoDB on MariaDB/MySQL.
"""

from django.db import migrations, models

_INDEX = models.Index(fields=["created_at"], name="guest_auth_guest_created")


def add_index(apps, schema_editor):
    Guest = apps.get_model("guest_auth", "Guest")
    if schema_editor.connection.vendor == "postgresql":
        # What django.contrib.postgres's AddIndexConcurrently runs, without
        # requiring that app (or psycopg) where PostgreSQL is not used.
        schema_editor.execute(str(_INDEX.create_sql(Guest, schema_editor, concurrently=True)))
    else:
        schema_editor.add_index(Guest, _INDEX)


def remove_index(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("guest_auth", "Guest"), _INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("guest_auth", "0004_race_key"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="guest", index=_INDEX)],
            database_operations=[migrations.RunPython(add_index, remove_index)],
        ),
    ]

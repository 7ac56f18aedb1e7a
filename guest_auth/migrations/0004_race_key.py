"""Guest.session_hash (64 characters, two indexes on PostgreSQL) becomes
Guest.race_key (a UUID, one index).

Safe on a large table: on PostgreSQL the nullable column is added without a
rewrite and its unique index is built with CREATE INDEX CONCURRENTLY (hence
a non-atomic migration), then attached as the constraint; dropping the old
column only marks it dropped. On MariaDB 10.3+ both are instant ALTERs apart
from the index build, which InnoDB does online. The old hashes are not
carried over: a key serves only the 30 seconds after its guest's creation.
"""

from django.db import migrations, models

_FIELD = {"null": True, "unique": True, "editable": False}


def add_race_key(apps, schema_editor):
    Guest = apps.get_model("guest_auth", "Guest")
    field = models.UUIDField(**_FIELD)
    field.set_attributes_from_name("race_key")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.add_field(Guest, field)
        return
    quote = schema_editor.quote_name
    table = quote(Guest._meta.db_table)
    name = quote(f"{Guest._meta.db_table}_race_key_key")
    schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {quote('race_key')} uuid NULL")
    schema_editor.execute(
        f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table} ({quote('race_key')})"
    )
    schema_editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}")


def remove_race_key(apps, schema_editor):
    Guest = apps.get_model("guest_auth", "Guest")
    field = models.UUIDField(**_FIELD)
    field.set_attributes_from_name("race_key")
    schema_editor.remove_field(Guest, field)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("guest_auth", "0003_api_tokens_and_device_credentials"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="guest",
                    name="race_key",
                    field=models.UUIDField(**_FIELD),
                ),
            ],
            database_operations=[migrations.RunPython(add_race_key, remove_race_key)],
        ),
        migrations.RemoveField(model_name="guest", name="session_hash"),
    ]

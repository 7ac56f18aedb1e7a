"""Seed a few products so the demo is useful right after `migrate`."""

from decimal import Decimal

from django.db import migrations

PRODUCTS = [
    ("Enamel mug", "12.50", "A sturdy camp mug that survives being dropped."),
    ("Dot-grid notebook", "9.00", "A5, 120 pages of 100 gsm paper."),
    ("Fountain pen", "34.00", "Steel nib, refillable converter included."),
    ("Canvas tote bag", "15.00", "Heavy cotton, long handles, one inner pocket."),
    ("Desk plant", "19.90", "A small pothos in a ceramic pot. Hard to kill."),
]


def seed(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    Product.objects.bulk_create(
        Product(name=name, price=Decimal(price), description=description)
        for name, price, description in PRODUCTS
    )


def unseed(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    Product.objects.filter(name__in=[name for name, _, _ in PRODUCTS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]

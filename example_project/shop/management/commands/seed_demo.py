"""``manage.py seed_demo``: make the demo useful at once. Safe to run again."""

from django.core.management.base import BaseCommand

from ...demo import DEMO_PASSWORD, DEMO_USERNAME, PRODUCTS, seed


class Command(BaseCommand):
    help = (
        "Create the demo products and a regular account "
        f"({DEMO_USERNAME} / {DEMO_PASSWORD}); --history adds 30 days of sample guests "
        "for the admin's insights."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--history",
            action="store_true",
            help="Also create 30 days of sample guest figures (for Admin > Guests > Insights).",
        )

    def handle(self, *args, history, **options):
        seeded = seed(history=history)
        # The migrations add the products already: on a fresh database none is
        # missing, which "Products added: 0." made sound like a failure.
        if seeded.products:
            self.stdout.write(f"Products added: {seeded.products}.")
        else:
            self.stdout.write(f"The {len(PRODUCTS)} demo products are in place.")
        if seeded.demo_user_created:
            self.stdout.write(
                f"Created the account {DEMO_USERNAME!r} (password {DEMO_PASSWORD!r}), "
                "with a mug in its cart."
            )
        else:
            self.stdout.write(f"The account {DEMO_USERNAME!r} exists already; left as it is.")
        if history:
            self.stdout.write(f"Sample guests added: {seeded.sample_guests}.")

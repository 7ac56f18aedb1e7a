"""A purge in a process of its own, for the concurrency tests.

Run as ``python -m tests.purgeapp.worker`` with GUEST_AUTH_TEST_DATABASE_URL
naming the test database. It prints ``ready`` once Django is set up and waits
for a line on stdin before purging; with ``--pause-after N`` it prints
``paused`` after its N-th batch (committed) and waits for another line; with
``--hang-in-upload-delete`` it prints ``deleting`` in the middle of the batch
that deletes an Upload and waits there. At the end it prints the result as
JSON.
"""

import argparse
import json
import os
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", type=int, required=True)
    parser.add_argument("--pause-after", type=int, default=None)
    parser.add_argument(
        "--hang-in-upload-delete",
        action="store_true",
        help="print 'deleting' inside the batch deleting an Upload, then hang",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from guest_auth.services import purge_guests

    if args.hang_in_upload_delete:
        from django.db.models.signals import post_delete

        from tests.purgeapp.models import Upload

        def hang(**kwargs):
            print("deleting", flush=True)
            sys.stdin.readline()  # until killed

        post_delete.connect(hang, sender=Upload, weak=False)

    def progress(report):
        if report.batches == args.pause_after and not report.done:
            print("paused", flush=True)
            sys.stdin.readline()
        if report.done:
            result["skipped"] = report.skipped

    result = {}
    print("ready", flush=True)
    sys.stdin.readline()
    result["count"] = purge_guests(batch_size=args.batch_size, progress=progress)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

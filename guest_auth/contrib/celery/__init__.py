"""The purge as a Celery task: ``pip install django-guest-auth[celery]``.

Have the worker import ``guest_auth.contrib.celery.tasks`` (for instance
``app.autodiscover_tasks(["guest_auth.contrib.celery"])``) and schedule the
task ``"guest_auth.purge_guests"`` with Celery beat::

    from celery.schedules import crontab

    CELERY_BEAT_SCHEDULE = {
        "purge-guests": {
            "task": "guest_auth.purge_guests",
            "schedule": crontab(minute=17),  # hourly
            "kwargs": {"time_limit": "10m"},
        },
    }

The task takes the options of ``manage.py purge_guests`` (``older_than``,
``batch_size``, ``limit``, ``time_limit``, default five minutes, and
``dry_run``), refuses bad ones with the same one-line errors and returns the
same figures as ``guest_auth.tasks.purge_guests``.
"""

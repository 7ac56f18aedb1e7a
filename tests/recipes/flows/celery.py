from datetime import timedelta

from django.utils import timezone
from mysite.celery import app

idle = become_guest(browser())
active = become_guest(browser())
Guest.objects.filter(pk=idle).update(last_seen_at=timezone.now() - timedelta(days=40))
schedule = app.conf.beat_schedule["purge-guests"]
expect(schedule["task"] == "guest_auth.purge_guests", f"beat schedule: {schedule}")
app.loader.import_default_modules()
task = app.tasks[schedule["task"]]
# The task beat sends, run by this process as a worker would (no broker needed).
result = task.apply(kwargs=schedule["kwargs"]).get()
expect(result["deleted"] == 1, f"purge result: {result}")
expect(not User.objects.filter(pk=idle).exists(), "the idle guest was not purged")
expect(User.objects.filter(pk=active).exists(), "the active guest was purged")
print("flow ok")

import subprocess
from datetime import timedelta

from django.utils import timezone

from guest_auth.tasks import purge_guests

idle = become_guest(browser())
active = become_guest(browser())
Guest.objects.filter(pk=idle).update(last_seen_at=timezone.now() - timedelta(days=40))
result = purge_guests.enqueue(repeat_every="1h", time_limit="10m")
expect(result.backend == "default", "enqueued")
# The worker, as the docs run it, until the queue is empty.
subprocess.run([sys.executable, "manage.py", "db_worker", "--batch"], check=True, timeout=120)
expect(not User.objects.filter(pk=idle).exists(), "the idle guest was not purged")
expect(User.objects.filter(pk=active).exists(), "the active guest was purged")
from django_tasks_db.models import DBTaskResult

later = DBTaskResult.objects.filter(
    status="READY", run_after__gt=timezone.now() + timedelta(minutes=50)
)
expect(later.count() == 1, "the purge did not schedule its next run an hour later")
print("flow ok")

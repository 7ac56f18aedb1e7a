"""A task backend for the tests of guest_auth.tasks' repeat_every: it runs
tasks at once, like the immediate backend, except those enqueued to run later,
which it keeps in ``deferred`` (a real backend would run them then)."""

import django

if django.VERSION >= (6, 0):
    from django.tasks.backends.immediate import ImmediateBackend
else:
    from django_tasks.backends.immediate import ImmediateBackend


class ImmediateUnlessDeferred(ImmediateBackend):
    supports_defer = True

    def __init__(self, alias, params):
        super().__init__(alias, params)
        self.deferred = []

    def enqueue(self, task, args, kwargs):
        if task.run_after is None:
            return super().enqueue(task, args, kwargs)
        self.validate_task(task)
        self.deferred.append((task, args, kwargs))
        return None

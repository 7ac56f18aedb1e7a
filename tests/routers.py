"""Database routers of the suite (tests/cross/test_routers.py)."""

__all__ = ["PrimaryReplicaRouter", "UsersRouter"]


class PrimaryReplicaRouter:
    """Django's documented primary/replica router: reads to "replica", writes to "default".

    In the suite the replica never catches up, the worst lag there is: a read
    routed there sees none of the rows written meanwhile. Sessions stay on the
    primary, as sites with database sessions and replicas keep them.
    """

    def db_for_read(self, model, **hints):
        return "default" if model._meta.app_label == "sessions" else "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return True


class UsersRouter:
    """The user model and guest_auth (with what they need) on the "users" alias."""

    apps = {"auth", "contenttypes", "sessions", "admin", "guest_auth", "testapp"}

    def _db(self, model):
        return "users" if model._meta.app_label in self.apps else None

    def db_for_read(self, model, **hints):
        return self._db(model)

    def db_for_write(self, model, **hints):
        return self._db(model)

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return True

"""The primary/replica router of the replica configurations."""

__all__ = ["PrimaryReplicaRouter"]


# recipe: docs/howto/configurations.md#replica-router
class PrimaryReplicaRouter:
    """Writes go to the primary, reads to the replica.

    Sessions and users are read on the primary: Django reads them on every
    request, right after a login or a signup wrote them.
    """

    fresh = {"sessions", "auth"}

    def db_for_read(self, model, **hints):
        if model._meta.app_label in self.fresh or model._meta.swappable == "AUTH_USER_MODEL":
            return "default"
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return True


# end recipe

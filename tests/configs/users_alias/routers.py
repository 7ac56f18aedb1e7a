"""Users, sessions and guest_auth on their own database alias."""

__all__ = ["ConfigurationRouter", "UsersRouter"]


# recipe: docs/howto/configurations.md#users-router
class UsersRouter:
    """The user model, guest_auth and what they need live on the "users" database.

    Add your apps whose models point at users ("shop" here) and the admin,
    whose log entries do: a foreign key cannot cross databases.
    """

    apps = {"admin", "auth", "contenttypes", "sessions", "guest_auth", "shop"}

    def db_for_read(self, model, **hints):
        return "users" if model._meta.app_label in self.apps else None

    def db_for_write(self, model, **hints):
        return "users" if model._meta.app_label in self.apps else None

    def allow_relation(self, obj1, obj2, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return (db == "users") == (app_label in self.apps)


# end recipe


class ConfigurationRouter(UsersRouter):
    # The flows' apps: testapp's views and mergeapp's cart point at users.
    apps = UsersRouter.apps | {"testapp", "mergeapp"}

"""The Django behaviour guest_auth relies on beyond its documented API, pinned.

Each test names one thing a Django upgrade could change under guest_auth without any
other test pointing at the cause. CONTRIBUTING.md lists them with what relies on them;
when one fails, the code named there needs a new way to do the same.
"""

import inspect

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    SESSION_KEY,
    alogin,
    get_user_model,
    login,
    logout,
)
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models.constants import OnConflict
from django.db.models.deletion import Collector
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject, empty

from tests.helpers.factories import UserFactory

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _request(session=None):
    request = RequestFactory().get("/")
    request.session = session if session is not None else SessionStore()
    return request


@pytest.fixture
def receiver_log():
    log = []

    def on_login(sender, request, user, **kwargs):
        log.append(("user_logged_in", dict(request.session)))

    def on_logout(sender, request, user, **kwargs):
        log.append(("user_logged_out", dict(request.session)))

    user_logged_in.connect(on_login, dispatch_uid="test_django_internals.login")
    user_logged_out.connect(on_logout, dispatch_uid="test_django_internals.logout")
    yield log
    user_logged_in.disconnect(dispatch_uid="test_django_internals.login")
    user_logged_out.disconnect(dispatch_uid="test_django_internals.logout")


def _watch_flush(session, log):
    flush, aflush = session.flush, session.aflush

    def watched_flush():
        log.append(("flush", dict(session._session_cache)))
        flush()

    async def watched_aflush():
        log.append(("aflush", dict(session._session_cache)))
        await aflush()

    session.flush, session.aflush = watched_flush, watched_aflush


@pytest.mark.django_db
def test_login_of_another_user_flushes_the_session_object_before_user_logged_in(receiver_log):
    """Merge-on-login (_login.watch_session) notices a guest's login by this flush."""
    first, second = UserFactory(), UserFactory()
    request = _request()
    login(request, first, backend=BACKEND)
    request.session["cart"] = "kept for the receiver"
    receiver_log.clear()
    _watch_flush(request.session, receiver_log)
    login(request, second, backend=BACKEND)
    events = [name for name, _ in receiver_log]
    assert events == ["flush", "user_logged_in"]
    flushed_data = receiver_log[0][1]
    assert flushed_data[SESSION_KEY] == str(first.pk)
    assert flushed_data["cart"] == "kept for the receiver"


@pytest.mark.django_db(transaction=True)
def test_alogin_of_another_user_calls_aflush_before_user_logged_in(receiver_log):
    """The async path of the same: alogin() calls the session's aflush()."""
    first, second = UserFactory(), UserFactory()
    request = _request()
    login(request, first, backend=BACKEND)
    receiver_log.clear()
    _watch_flush(request.session, receiver_log)
    async_to_sync(alogin)(request, second, backend=BACKEND)
    assert [name for name, _ in receiver_log] == ["aflush", "user_logged_in"]


@pytest.mark.django_db
def test_login_of_the_same_user_does_not_flush(receiver_log):
    """A guest logged in again as itself (a device credential) is not a merge."""
    user = UserFactory()
    request = _request()
    login(request, user, backend=BACKEND)
    receiver_log.clear()
    _watch_flush(request.session, receiver_log)
    login(request, user, backend=BACKEND)
    assert [name for name, _ in receiver_log] == ["user_logged_in"]


@pytest.mark.django_db
def test_logout_sends_user_logged_out_before_flushing(receiver_log):
    """_login's user_logged_out receiver marks the request so the flush is not a login."""
    user = UserFactory()
    request = _request()
    login(request, user, backend=BACKEND)
    request.user = user
    receiver_log.clear()
    _watch_flush(request.session, receiver_log)
    logout(request)
    assert [name for name, _ in receiver_log] == ["user_logged_out", "flush"]


@pytest.mark.django_db
def test_login_stores_the_primary_key_as_value_to_string():
    """The session marker stores the same string, so comparing them needs no query."""
    user = UserFactory()
    request = _request()
    login(request, user, backend=BACKEND)
    assert request.session[SESSION_KEY] == user._meta.pk.value_to_string(user)
    assert request.session[BACKEND_SESSION_KEY] == BACKEND


@pytest.mark.django_db
def test_session_cache_holds_the_loaded_data():
    """_login reads SessionBase._session_cache to see the data flush() is about to drop."""
    session = SessionStore()
    session["key"] = "value"
    session.save()
    loaded = SessionStore(session_key=session.session_key)
    loaded.get("anything")
    assert loaded._session_cache == {"key": "value"}


@pytest.mark.django_db
def test_loading_an_unknown_session_key_drops_it():
    """_create relies on it: only a session the store knows has a key to hash."""
    session = SessionStore(session_key="x" * 32)
    session.get(BACKEND_SESSION_KEY)
    assert session.session_key is None


def test_authentication_middleware_sets_a_lazy_user_and_auser():
    """GuestMiddleware annotates the lazy user in place through its _setupfunc."""
    request = _request()
    AuthenticationMiddleware(lambda request: HttpResponse())(request)
    assert type(request.user) is SimpleLazyObject
    assert request.user.__dict__["_wrapped"] is empty
    assert callable(request.user.__dict__["_setupfunc"])
    assert inspect.iscoroutinefunction(request.auser)


def test_simple_lazy_object_calls_a_replaced_setupfunc():
    lazy = SimpleLazyObject(lambda: "original")
    lazy.__dict__["_setupfunc"] = lambda: "replaced"
    assert str(lazy) == "replaced"
    assert lazy._wrapped == "replaced"


def test_backend_ops_build_an_insert_that_ignores_conflicts():
    """_create inserts the Guest row with OnConflict.IGNORE through the backend's ops."""
    ops = connection.ops
    statement = ops.insert_statement(on_conflict=OnConflict.IGNORE)
    suffix = ops.on_conflict_suffix_sql([], OnConflict.IGNORE, None, None)
    expected = {
        "sqlite": ("INSERT OR IGNORE INTO", ""),
        "postgresql": ("INSERT INTO", "ON CONFLICT DO NOTHING"),
        "mysql": ("INSERT IGNORE INTO", ""),
    }[connection.vendor]
    assert (statement, suffix) == expected
    assert ops.insert_statement(on_conflict=None) == "INSERT INTO"


def test_collector_related_objects_signature():
    """_purge subclasses Collector and overrides related_objects(model, fields, objs)."""
    parameters = list(inspect.signature(Collector.related_objects).parameters)
    assert parameters == ["self", "related_model", "related_fields", "objs"]


def test_select_for_update_features_exist():
    """_purge asks the connection's features before using SKIP LOCKED and OF."""
    features = connection.features
    assert isinstance(features.has_select_for_update_skip_locked, bool)
    assert isinstance(features.has_select_for_update_of, bool)


def test_base_user_creation_form_has_two_password_fields():
    """forms.PromoteForm extends BaseUserCreationForm (password1, password2, set_password)."""

    class Form(BaseUserCreationForm):
        class Meta(BaseUserCreationForm.Meta):
            model = get_user_model()
            fields = ()

    form = Form()
    assert {"password1", "password2"} <= set(form.fields)


@pytest.mark.django_db
def test_a_cleared_session_with_no_session_key_saves_under_a_new_key():
    """_login empties a flushed guest session in place (clear(), then SessionBase's
    _session_key set to None): the next save() creates a new session and leaves the
    guest's stored one for the merge to read."""
    session = SessionStore()
    session["guest"] = "data"
    session.save()
    old_key = session.session_key
    session.clear()
    session._session_key = None
    assert session.session_key is None
    session["account"] = "data"
    session.save()
    assert session.session_key not in (None, old_key)
    assert SessionStore().exists(old_key)
    assert SessionStore(session_key=old_key).load() == {"guest": "data"}


@pytest.mark.django_db
def test_raw_delete_deletes_in_one_statement_without_signals():
    """_purge deletes the users of a batch with QuerySet._raw_delete(using): one DELETE,
    no collector, no signals, the row count returned."""
    from django.db.models.signals import post_delete, pre_delete
    from django.test.utils import CaptureQueriesContext

    model = get_user_model()
    users = [UserFactory(), UserFactory()]
    UserFactory()  # stays
    sent = []

    def receiver(sender, **kwargs):
        sent.append(sender)

    pre_delete.connect(receiver, sender=model, dispatch_uid="test_raw_delete")
    post_delete.connect(receiver, sender=model, dispatch_uid="test_raw_delete")
    try:
        with CaptureQueriesContext(connection) as queries:
            count = model._base_manager.filter(pk__in=[u.pk for u in users])._raw_delete(
                connection.alias
            )
    finally:
        pre_delete.disconnect(sender=model, dispatch_uid="test_raw_delete")
        post_delete.disconnect(sender=model, dispatch_uid="test_raw_delete")
    assert count == 2
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["DELETE"]
    assert sent == []
    assert model._base_manager.count() == 1


@pytest.mark.django_db
def test_an_instance_made_with_new_and_a_model_state_is_a_loaded_row():
    """_purge's _bare_instance makes users as Model.from_db() would, minus __init__:
    Model.__new__, the loaded attnames in __dict__, a ModelState with adding False and
    db set. The other fields are deferred and load on access."""
    from django.db.models.base import ModelState

    model = get_user_model()
    user = UserFactory()
    state = ModelState()
    assert (state.adding, state.db) == (True, None)  # what _bare_instance overrides
    obj = model.__new__(model)
    obj.__dict__.update({model._meta.pk.attname: user.pk})
    obj._state = ModelState()
    obj._state.adding = False
    obj._state.db = connection.alias
    assert obj.pk == user.pk
    assert model.USERNAME_FIELD in obj.get_deferred_fields()
    assert obj.get_username() == user.get_username()  # loaded on access
    assert obj == user


def test_candidate_relations_to_delete_are_the_reverse_foreign_keys():
    """_purge reads get_candidate_relations_to_delete(opts) for the relations that can
    keep or cascade from a user: each rel.field has remote_field.on_delete,
    foreign_related_fields and model."""
    from django.db.models import CASCADE
    from django.db.models.deletion import get_candidate_relations_to_delete

    from guest_auth.models import Guest

    model = get_user_model()
    relations = list(get_candidate_relations_to_delete(model._meta))
    (guest_relation,) = [rel for rel in relations if rel.field.model is Guest]
    field = guest_relation.field
    assert field.remote_field.on_delete is CASCADE
    assert [f.attname for f in field.foreign_related_fields] == [model._meta.pk.attname]


def test_user_passes_test_keeps_test_func_in_its_wrappers_closure():
    """The URL-access audit (guest_auth._audit, manage.py guest_access) reads which test
    a view's decorator applies from the closure variable test_func of the wrapper that
    django.contrib.auth.decorators.user_passes_test returns, and tells the decorators
    apart by that function's code object."""
    from django.contrib.admin.views.decorators import staff_member_required
    from django.contrib.auth.decorators import (
        login_required,
        permission_required,
        user_passes_test,
    )

    def view(request):
        return HttpResponse()

    async def async_view(request):
        return HttpResponse()

    def test_func_of(wrapper):
        return inspect.getclosurevars(wrapper).nonlocals["test_func"]

    def check(user):
        return True

    assert test_func_of(user_passes_test(check)(view)) is check
    wrapper_code = user_passes_test(check)(view).__code__
    tests = {}
    for name, decorator in (
        ("login_required", login_required),
        ("staff_member_required", staff_member_required),
        ("permission_required", permission_required("app.perm")),
    ):
        wrapper = decorator(view)
        assert wrapper.__code__ is wrapper_code, name  # all are user_passes_test's wrapper
        tests[name] = test_func_of(wrapper).__code__
        # Async views too (permission_required's async test is another function).
        assert callable(test_func_of(decorator(async_view))), name
    # One code object per decorator (the same for every view it wraps), distinct
    # between decorators: that is how the audit names the gate.
    assert test_func_of(login_required(lambda request: None)).__code__ is tests["login_required"]
    assert len(set(tests.values())) == len(tests)


def test_redis_cache_writes_to_its_first_server():
    """_counters runs its script on the server RedisCache's writes go to."""
    from django.core.cache.backends.redis import RedisCache

    cache = RedisCache("redis://127.0.0.1:1/0,redis://127.0.0.1:2/0", {"KEY_PREFIX": "p"})
    assert cache._servers[0] == "redis://127.0.0.1:1/0"
    client = cache._cache.get_client(write=True)
    assert client.connection_pool.connection_kwargs["port"] == 1
    assert cache.make_and_validate_key("k") == "p:1:k"

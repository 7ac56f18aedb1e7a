"""Merging a guest into the account its session logs into (guest_auth._merge and the login flow).

Every rule runs against tests.mergeapp, which has one model per rule.
"""

import logging
import threading

import pytest
from asgiref.sync import async_to_sync
from django.apps import apps
from django.contrib.auth import SESSION_KEY, get_user_model, login, logout
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import ProtectedError
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from guest_auth import _merge, _session, _state
from guest_auth.exceptions import NotAGuest
from guest_auth.models import Guest
from guest_auth.services import MergeCounts, MergeSummary, create_guest, is_guest, merge_guest
from guest_auth.signals import guest_merged
from tests.helpers.factories import PASSWORD, GuestFactory, UserFactory
from tests.helpers.sessions import make_request, session_user_id
from tests.helpers.signals import Receiver
from tests.mergeapp.adapters import CartOnlyAdapter
from tests.mergeapp.models import (
    Activity,
    Address,
    CartItem,
    Comment,
    Favourite,
    Order,
    Product,
    Profile,
    Review,
    Subscription,
    Tag,
)

User = get_user_model

pytestmark = pytest.mark.django_db


def snapshot():
    """Every row of the merge app, the users and the guests, comparable."""
    rows = {
        model._meta.label: sorted(map(repr, model._base_manager.values_list()))
        for model in apps.get_app_config("mergeapp").get_models(include_auto_created=True)
    }
    rows["users"] = sorted(map(repr, User()._base_manager.values_list("pk", "is_active")))
    rows["guests"] = sorted(map(repr, Guest.objects.values_list("pk")))
    return rows


def products(*names):
    return [Product.objects.get_or_create(name=name)[0] for name in names]


def populate(guest, user):
    """Rows of every kind for both; returns the summary a default merge gives."""
    apple, pear, plum = products("apple", "pear", "plum")
    CartItem.objects.create(user=guest, product=apple, quantity=2)
    CartItem.objects.create(user=guest, product=pear)
    CartItem.objects.create(user=user, product=apple)
    Favourite.objects.create(user=guest, product=apple)  # the user has it too: stays
    Favourite.objects.create(user=guest, product=pear)
    Favourite.objects.create(user=user, product=apple)
    Review.objects.create(user=guest, product=plum, stars=1)  # stays
    Review.objects.create(user=user, product=plum, stars=4)
    Address.objects.create(user=guest, line="guest default", is_default=True)  # stays
    Address.objects.create(user=guest, line="guest other")
    Address.objects.create(user=user, line="user default", is_default=True)
    Profile.objects.create(user=guest, nickname="guesty")
    red, blue = Tag.objects.create(name="red"), Tag.objects.create(name="blue")
    red.users.add(guest, user)  # the user's link exists: the guest's stays
    blue.users.add(guest)
    Order.objects.create(user=guest, number="G-1")
    top = Comment.objects.create(author=guest, text="question")
    Comment.objects.create(author=guest, parent=top, text="follow-up")
    Comment.objects.create(author=user, parent=top, text="answer")
    Activity.objects.create(target=guest, verb="signed up")
    Subscription.objects.create(subscriber=guest, topic="news")  # stays
    Subscription.objects.create(subscriber=guest, topic="deals")
    Subscription.objects.create(subscriber=user, topic="news")
    return MergeSummary(
        {
            "mergeapp.Activity": MergeCounts(moved=1),
            "mergeapp.Address": MergeCounts(moved=1, kept=1),
            "mergeapp.CartItem": MergeCounts(moved=2),
            "mergeapp.Comment": MergeCounts(moved=2),
            "mergeapp.Favourite": MergeCounts(moved=1, kept=1),
            "mergeapp.Order": MergeCounts(moved=1),
            "mergeapp.Profile": MergeCounts(kept=1),
            "mergeapp.Review": MergeCounts(kept=1),
            "mergeapp.Subscription": MergeCounts(moved=1, kept=1),
            "mergeapp.Tag_users": MergeCounts(moved=1, kept=1),
        }
    )


def credentials(user):
    return {"username": user.get_username(), "password": PASSWORD}


def client_guest(client):
    return User().objects.get(pk=session_user_id(client))


# The summary ------------------------------------------------------------------------


def test_summary_is_a_comparable_read_only_mapping():
    summary = MergeSummary(
        {
            "shop.CartItem": MergeCounts(moved=3),
            "shop.Address": MergeCounts(moved=1, kept=1, dropped=2),
            "shop.Empty": MergeCounts(),
        }
    )
    assert summary == {"shop.Address": MergeCounts(1, 1, 2), "shop.CartItem": MergeCounts(3, 0, 0)}
    assert list(summary) == ["shop.Address", "shop.CartItem"]  # sorted, empty entries left out
    assert summary["shop.CartItem"].moved == 3
    assert (summary.moved, summary.kept, summary.dropped) == (4, 1, 2)
    assert summary != MergeSummary({"shop.CartItem": MergeCounts(moved=3)})
    assert repr(MergeSummary({"a.B": MergeCounts(moved=1)})) == (
        "MergeSummary({'a.B': MergeCounts(moved=1, kept=0, dropped=0)})"
    )
    assert not MergeSummary() and not MergeCounts()
    assert MergeCounts(1, 2, 3) + MergeCounts(1, 1, 1) == MergeCounts(2, 3, 4)
    with pytest.raises(TypeError):
        summary["shop.CartItem"] = MergeCounts()


# Default rules ----------------------------------------------------------------------


def test_everything_merges_by_the_default_rules(guest_user, user):
    expected = populate(guest_user, user)
    assert merge_guest(guest_user, user) == expected
    assert not User().objects.filter(pk=guest_user.pk).exists()
    assert not Guest.objects.exists()
    assert guest_user.pk is not None  # receivers of guest_merged can still name it


def test_foreign_key_rows_move_in_one_update(guest_user, user):
    apple, pear = products("apple", "pear")
    items = [CartItem.objects.create(user=guest_user, product=apple) for _ in range(5)]
    own = CartItem.objects.create(user=user, product=pear)
    with CaptureQueriesContext(connection) as queries:
        summary = merge_guest(guest_user, user)
    assert summary == {"mergeapp.CartItem": MergeCounts(moved=5)}
    updates = [q for q in queries if q["sql"].startswith("UPDATE") and "cartitem" in q["sql"]]
    assert len(updates) == 1
    assert set(CartItem.objects.filter(user=user)) == {*items, own}


@pytest.mark.parametrize("model", [Favourite, Review])
def test_rows_that_would_break_a_unique_constraint_stay_and_go_with_the_guest(
    guest_user, user, model
):
    apple, pear = products("apple", "pear")
    clash = model.objects.create(user=guest_user, product=apple)
    moving = model.objects.create(user=guest_user, product=pear)
    own = model.objects.create(user=user, product=apple)
    assert merge_guest(guest_user, user) == {model._meta.label: MergeCounts(moved=1, kept=1)}
    assert set(model.objects.filter(user=user)) == {own, moving}
    assert not model.objects.filter(pk=clash.pk).exists()


def test_conditional_unique_constraint_only_binds_matching_rows(guest_user, user):
    Address.objects.create(user=guest_user, line="guest default", is_default=True)
    Address.objects.create(user=guest_user, line="guest other")
    Address.objects.create(user=user, line="user default", is_default=True)
    assert merge_guest(guest_user, user) == {"mergeapp.Address": MergeCounts(moved=1, kept=1)}
    assert sorted(Address.objects.values_list("line", "is_default")) == [
        ("guest other", False),
        ("user default", True),
    ]


def test_without_a_clash_unique_rows_move(guest_user, user):
    Address.objects.create(user=guest_user, line="guest default", is_default=True)
    apple = products("apple")[0]
    Favourite.objects.create(user=guest_user, product=apple)
    merge_guest(guest_user, user)
    assert Address.objects.get(user=user).is_default
    assert Favourite.objects.get().user == user


@pytest.mark.parametrize("user_has_one", [True, False])
def test_one_to_one_rows_stay_with_the_guest(guest_user, user, user_has_one):
    Profile.objects.create(user=guest_user, nickname="guesty")
    if user_has_one:
        Profile.objects.create(user=user, nickname="me")
    assert merge_guest(guest_user, user) == {"mergeapp.Profile": MergeCounts(kept=1)}
    assert list(Profile.objects.values_list("nickname", flat=True)) == (
        ["me"] if user_has_one else []
    )


def test_many_to_many_links_are_added_to_the_users(guest_user, user):
    red, blue, green = (Tag.objects.create(name=n) for n in ("red", "blue", "green"))
    red.users.add(guest_user, user)
    blue.users.add(guest_user)
    green.users.add(user)
    assert merge_guest(guest_user, user) == {"mergeapp.Tag_users": MergeCounts(moved=1, kept=1)}
    assert set(user.merge_tags.all()) == {red, blue, green}
    assert Tag.objects.count() == 3


def test_user_model_own_many_to_many_fields_are_not_merged(guest_user, user):
    relations = {r.label for r in _merge.relations(User(), "default")}
    own = {f.remote_field.through._meta.label for f in User()._meta.many_to_many}
    assert relations.isdisjoint(own)
    assert "mergeapp.Tag_users" in relations
    if hasattr(guest_user, "groups"):  # auth.User: a guest's group never becomes a privilege
        from django.contrib.auth.models import Group

        guest_user.groups.add(Group.objects.create(name="guests"))
        merge_guest(guest_user, user)
        assert not user.groups.exists()


def test_protect_foreign_keys_move_so_the_guest_can_go(guest_user, user):
    order = Order.objects.create(user=guest_user, number="G-1")
    assert merge_guest(guest_user, user) == {"mergeapp.Order": MergeCounts(moved=1)}
    order.refresh_from_db()
    assert order.user == user


@override_settings(GUEST_AUTH_MERGE_POLICIES={"mergeapp.Order": "keep-user"})
def test_protected_rows_that_stay_fail_the_merge_and_change_nothing(guest_user, user):
    apple = products("apple")[0]
    CartItem.objects.create(user=guest_user, product=apple)
    Order.objects.create(user=guest_user, number="G-1")
    Order.objects.create(user=user, number="U-1")
    before = snapshot()
    with pytest.raises(ProtectedError):
        merge_guest(guest_user, user, dry_run=True)
    with pytest.raises(ProtectedError):
        merge_guest(guest_user, user)
    assert snapshot() == before


def test_self_referencing_rows_keep_their_tree(guest_user, user):
    top = Comment.objects.create(author=guest_user, text="question")
    follow_up = Comment.objects.create(author=guest_user, parent=top, text="follow-up")
    answer = Comment.objects.create(author=user, parent=top, text="answer")
    assert merge_guest(guest_user, user) == {"mergeapp.Comment": MergeCounts(moved=2)}
    assert set(Comment.objects.filter(author=user)) == {top, follow_up, answer}
    assert set(top.replies.all()) == {follow_up, answer}


def test_generic_foreign_keys_to_the_guest_move(guest_user, user):
    moving = Activity.objects.create(target=guest_user, verb="signed up")
    own = Activity.objects.create(target=user, verb="logged in")
    # Same object id, another content type: not the guest.
    product_type = ContentType.objects.get_for_model(Product)
    other = Activity.objects.create(
        content_type=product_type, object_id=str(guest_user.pk), verb="x"
    )
    assert merge_guest(guest_user, user) == {"mergeapp.Activity": MergeCounts(moved=1)}
    assert set(Activity.objects.filter(object_id=str(user.pk))) == {moving, own}
    other.refresh_from_db()
    assert other.object_id == str(guest_user.pk)
    moving.refresh_from_db()
    assert moving.target == user


def test_generic_foreign_keys_respect_unique_constraints(guest_user, user):
    Subscription.objects.create(subscriber=guest_user, topic="news")
    Subscription.objects.create(subscriber=guest_user, topic="deals")
    Subscription.objects.create(subscriber=user, topic="news")
    assert merge_guest(guest_user, user) == {"mergeapp.Subscription": MergeCounts(moved=1, kept=1)}
    # Nothing cascades from a generic key: the row that stayed is still there, orphaned.
    assert sorted(
        Subscription.objects.filter(object_id=str(user.pk)).values_list("topic", flat=True)
    ) == ["deals", "news"]


def test_a_guest_with_nothing_merges_into_an_empty_summary(guest_user, user):
    assert merge_guest(guest_user, user) == MergeSummary()
    assert not User().objects.filter(pk=guest_user.pk).exists()


# No merge, nothing lost -------------------------------------------------------------


def test_no_merge_into_the_guest_itself_an_inactive_user_or_another_guest(guest_user):
    inactive = UserFactory(is_active=False)
    other_guest = GuestFactory().user
    populate(guest_user, UserFactory())
    before = snapshot()
    for target in (guest_user, inactive, other_guest):
        assert merge_guest(guest_user, target) == MergeSummary()
        assert merge_guest(guest_user, target, dry_run=True) == MergeSummary()
    assert snapshot() == before


def test_merging_a_user_who_is_no_longer_a_guest_raises(user):
    other = UserFactory()
    with pytest.raises(NotAGuest, match=f"User {other.pk} is not a guest."):
        merge_guest(other, user)
    with pytest.raises(NotAGuest):
        merge_guest(other, user, dry_run=True)


# Dry run ----------------------------------------------------------------------------


def test_dry_run_changes_nothing_and_says_what_the_real_run_does(guest_user, user):
    expected = populate(guest_user, user)
    before = snapshot()
    dry = merge_guest(guest_user, user, dry_run=True)
    assert snapshot() == before
    assert dry == expected
    assert merge_guest(guest_user, user) == dry


@override_settings(
    GUEST_AUTH_MERGE_POLICIES={
        "mergeapp.CartItem": "tests.mergeapp.policies.add_quantities",
        "mergeapp.Comment": "drop",
        "mergeapp.Favourite": "keep-user",
        "mergeapp.Profile": "move",
    }
)
def test_dry_run_equals_the_real_run_under_every_kind_of_policy(guest_user, user):
    populate(guest_user, user)
    before = snapshot()
    dry = merge_guest(guest_user, user, dry_run=True)
    assert snapshot() == before
    real = merge_guest(guest_user, user)
    assert dry == real
    assert real["mergeapp.CartItem"] == MergeCounts(moved=1, dropped=1)
    assert real["mergeapp.Comment"] == MergeCounts(dropped=2)
    assert real["mergeapp.Favourite"] == MergeCounts(kept=2)
    assert real["mergeapp.Profile"] == MergeCounts(moved=1)


# Policies ---------------------------------------------------------------------------


@override_settings(GUEST_AUTH_MERGE_POLICIES={"mergeapp.Profile": "move"})
def test_move_policy_moves_one_to_one_rows_when_the_user_has_none(guest_user, user):
    profile = Profile.objects.create(user=guest_user, nickname="guesty")
    assert merge_guest(guest_user, user) == {"mergeapp.Profile": MergeCounts(moved=1)}
    profile.refresh_from_db()
    assert profile.user == user


@override_settings(GUEST_AUTH_MERGE_POLICIES={"mergeapp.Profile": "move"})
def test_move_policy_still_keeps_the_users_own_one_to_one_row(guest_user, user):
    Profile.objects.create(user=guest_user, nickname="guesty")
    Profile.objects.create(user=user, nickname="me")
    assert merge_guest(guest_user, user) == {"mergeapp.Profile": MergeCounts(kept=1)}
    assert list(Profile.objects.values_list("nickname", flat=True)) == ["me"]


@override_settings(GUEST_AUTH_MERGE_POLICIES={"mergeapp.CartItem": "keep-user"})
def test_keep_user_policy_keeps_the_users_rows_when_there_are_any(guest_user, user):
    apple, pear = products("apple", "pear")
    CartItem.objects.create(user=guest_user, product=apple)
    CartItem.objects.create(user=guest_user, product=pear)
    own = CartItem.objects.create(user=user, product=pear)
    assert merge_guest(guest_user, user) == {"mergeapp.CartItem": MergeCounts(kept=2)}
    assert list(CartItem.objects.all()) == [own]


@override_settings(GUEST_AUTH_MERGE_POLICIES={"mergeapp.CartItem": "keep-user"})
def test_keep_user_policy_moves_when_the_user_has_none(guest_user, user):
    CartItem.objects.create(user=guest_user, product=products("apple")[0])
    assert merge_guest(guest_user, user) == {"mergeapp.CartItem": MergeCounts(moved=1)}
    assert CartItem.objects.get().user == user


@override_settings(GUEST_AUTH_MERGE_POLICIES={"mergeapp.cartitem": "drop"})
def test_drop_policy_deletes_the_guests_rows(guest_user, user):
    apple = products("apple")[0]
    CartItem.objects.create(user=guest_user, product=apple)
    CartItem.objects.create(user=guest_user, product=apple)
    own = CartItem.objects.create(user=user, product=apple)
    assert merge_guest(guest_user, user) == {"mergeapp.CartItem": MergeCounts(dropped=2)}
    assert list(CartItem.objects.all()) == [own]


@override_settings(GUEST_AUTH_MERGE_POLICIES={"mergeapp.Order": "drop"})
def test_drop_policy_deletes_protected_rows_so_the_guest_can_go(guest_user, user):
    Order.objects.create(user=guest_user, number="G-1")
    assert merge_guest(guest_user, user) == {"mergeapp.Order": MergeCounts(dropped=1)}
    assert not Order.objects.exists()


@override_settings(
    GUEST_AUTH_MERGE_POLICIES={"mergeapp.CartItem": "tests.mergeapp.policies.add_quantities"}
)
def test_callable_policy_decides_and_its_effect_is_counted(guest_user, user):
    apple, pear = products("apple", "pear")
    CartItem.objects.create(user=guest_user, product=apple, quantity=2)
    CartItem.objects.create(user=guest_user, product=pear)
    CartItem.objects.create(user=user, product=apple, quantity=1)
    assert merge_guest(guest_user, user) == {"mergeapp.CartItem": MergeCounts(moved=1, dropped=1)}
    assert sorted(CartItem.objects.values_list("user", "product__name", "quantity")) == sorted(
        [(user.pk, "apple", 3), (user.pk, "pear", 1)]
    )


@override_settings(GUEST_AUTH_MERGE_POLICIES={"mergeapp.Comment": "tests.mergeapp.policies.fail"})
def test_a_failure_mid_merge_leaves_everything_as_it_was(guest_user, user):
    populate(guest_user, user)  # CartItem, Favourite... come before Comment and are moved first
    before = snapshot()
    with pytest.raises(RuntimeError, match="forced failure mid-merge"):
        merge_guest(guest_user, user)
    assert snapshot() == before
    assert is_guest(User().objects.get(pk=guest_user.pk))


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
@override_settings(GUEST_AUTH_MERGE_POLICIES={"mergeapp.Comment": "tests.mergeapp.policies.hold"})
def test_concurrent_merges_of_one_guest_merge_it_once():
    # Two logins of one session at once: the second waits for the first and
    # finds no guest left, instead of merging a half-merged guest again.
    from tests.mergeapp.policies import holding

    guest = GuestFactory().user
    first, second = UserFactory(), UserFactory()
    CartItem.objects.create(user=guest, product=products("apple")[0])
    Comment.objects.create(author=guest, text="hello")
    holding.clear()
    outcomes = {}

    def merge(user, wait):
        try:
            if wait:
                holding.wait(timeout=10)
            outcomes[user.pk] = merge_guest(guest, user)
        except Exception as exc:  # compared below
            outcomes[user.pk] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=merge, args=(first, False)),
        threading.Thread(target=merge, args=(second, True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes[first.pk] == {
        "mergeapp.CartItem": MergeCounts(moved=1),
        "mergeapp.Comment": MergeCounts(moved=1),
    }
    assert isinstance(outcomes[second.pk], NotAGuest)
    assert CartItem.objects.get().user == first
    assert Comment.objects.get().author == first


# Logging in while a guest -----------------------------------------------------------


@pytest.fixture
def guest_with_cart(client):
    """A browser that became a guest by adding two products to its cart."""
    apple, pear = products("apple", "pear")
    client.post("/merge/cart/", {"product": apple.pk})
    client.post("/merge/cart/", {"product": pear.pk})
    return client_guest(client)


def assert_merged(guest, user):
    assert not User().objects.filter(pk=guest.pk).exists()
    assert sorted(CartItem.objects.filter(user=user).values_list("product__name", flat=True)) == [
        "apple",
        "pear",
    ]


def test_django_login_view_merges_the_guest(client, guest_with_cart, user):
    with Receiver(guest_merged) as received:
        response = client.post("/accounts/login/", credentials(user))
    assert response.status_code == 302
    assert session_user_id(client) == str(user.pk)
    assert_merged(guest_with_cart, user)
    [call] = received.calls
    assert call["guest"].pk == guest_with_cart.pk and call["user"] == user
    assert call["request"].path == "/accounts/login/"
    assert client.get("/plain/").json() == {
        "authenticated": True,
        "pk": str(user.pk),
        "is_guest": False,
    }


def test_admin_login_merges_the_guest(client, guest_with_cart):
    staff = UserFactory(is_staff=True)
    response = client.post("/admin/login/?next=/admin/", {**credentials(staff), "next": "/admin/"})
    assert response.status_code == 302 and response.url == "/admin/"
    assert session_user_id(client) == str(staff.pk)
    assert_merged(guest_with_cart, staff)


def test_a_direct_login_call_merges_the_guest(client, guest_with_cart, user):
    assert client.post("/merge/login/", credentials(user)).json() == {
        "was_guest": True,
        "pk": str(user.pk),
    }
    assert_merged(guest_with_cart, user)


def test_a_guest_made_by_the_request_that_logs_in_is_merged(client, user):
    # The request sends no session cookie: the guest's session is new, and
    # GuestMiddleware leaves keyless sessions unwatched (on_login watches it).
    apple = products("apple")[0]
    response = client.post("/merge/cart-then-login/", {"product": apple.pk, **credentials(user)})
    assert response.json() == {"was_guest": True, "pk": str(user.pk)}
    assert CartItem.objects.get().user == user
    assert not Guest.objects.exists()
    assert User().objects.count() == 1


def test_async_login_merges_the_guest(async_client, user):
    apple = products("apple")[0]
    async_to_sync(async_client.get)("/async-guest-view/")
    guest = User().objects.get(pk=async_client.session[SESSION_KEY])
    CartItem.objects.create(user=guest, product=apple)
    with Receiver(guest_merged) as received:
        response = async_to_sync(async_client.post)("/merge/async-login/", credentials(user))
    assert response.json() == {"pk": str(user.pk)}
    assert not User().objects.filter(pk=guest.pk).exists()
    assert CartItem.objects.get().user == user
    assert len(received.calls) == 1


def test_login_of_an_anonymous_session_merges_nothing(client, user):
    CartItem.objects.create(user=GuestFactory().user, product=products("apple")[0])
    before = snapshot()
    with Receiver(guest_merged) as received:
        client.post("/accounts/login/", credentials(user))
    assert session_user_id(client) == str(user.pk)
    assert snapshot() == before
    assert received.calls == []


def test_only_the_session_logged_in_as_the_guest_can_merge_it(client, user):
    # A marker naming a guest that is not the session's user merges nothing.
    other = UserFactory()
    guest = GuestFactory().user
    CartItem.objects.create(user=guest, product=products("apple")[0])
    client.force_login(other)
    session = client.session
    session[_session.GUEST_SESSION_KEY] = str(guest.pk)
    session.save()
    before = snapshot()
    client.post("/accounts/login/", credentials(user))
    assert session_user_id(client) == str(user.pk)
    assert snapshot() == before


def test_a_guest_logging_in_as_another_guest_merges_nothing(guest_user):
    # As a device credential would: login() with another guest.
    request = make_request()
    first = create_guest(request)
    CartItem.objects.create(user=first, product=products("apple")[0])
    before = snapshot()
    with Receiver(guest_merged) as received:
        login(request, guest_user, backend="django.contrib.auth.backends.ModelBackend")
    assert snapshot() == before
    assert received.calls == []
    assert request.session[_session.GUEST_SESSION_KEY] == str(guest_user.pk)


def test_a_guest_logging_in_as_itself_merges_nothing():
    request = make_request()
    guest = create_guest(request)
    request.session[_session.GUEST_SESSION_KEY] = str(guest.pk)
    request.session["_auth_user_hash"] = "stale"  # makes login() flush the session
    with Receiver(guest_merged) as received:
        login(request, guest, backend="django.contrib.auth.backends.ModelBackend")
    assert received.calls == []
    assert Guest.objects.filter(pk=guest.pk).exists()


@override_settings(
    AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.AllowAllUsersModelBackend"]
)
def test_logging_into_an_inactive_user_merges_nothing(client, guest_with_cart):
    inactive = UserFactory(is_active=False)
    before = snapshot()
    client.post("/merge/login/", credentials(inactive))
    assert session_user_id(client) == str(inactive.pk)
    assert snapshot() == before


def test_logging_out_then_in_within_one_request_merges_nothing(client, guest_with_cart, user):
    before = snapshot()
    assert client.post("/merge/switch/", credentials(user)).json() == {"pk": str(user.pk)}
    assert snapshot() == before


def test_logging_out_merges_and_deletes_nothing(client, guest_with_cart):
    before = snapshot()
    client.post("/accounts/logout/")
    assert session_user_id(client) is None
    assert snapshot() == before


@override_settings(GUEST_AUTH_MERGE_ON_LOGIN=False, GUEST_AUTH_MERGE_SESSION_KEYS=["coupon"])
def test_merge_on_login_can_be_turned_off(client, guest_with_cart, user):
    client.get("/merge/session/set/", {"coupon": "SPRING"})
    before = snapshot()
    with Receiver(guest_merged) as received:
        client.post("/accounts/login/", credentials(user))
    assert session_user_id(client) == str(user.pk)
    assert snapshot() == before
    assert received.calls == []
    assert client.get("/merge/session/show/", {"coupon": ""}).json() == {"coupon": None}


@override_settings(GUEST_AUTH_MERGE_SESSION_KEYS=["coupon", "basket_note"])
def test_marked_session_keys_survive_the_login(client, guest_with_cart, user):
    client.get("/merge/session/set/", {"coupon": "SPRING", "secret": "guest only"})
    client.post("/accounts/login/", credentials(user))
    assert client.get(
        "/merge/session/show/", {"coupon": "", "secret": "", "basket_note": ""}
    ).json() == {"coupon": "SPRING", "secret": None, "basket_note": None}
    assert_merged(guest_with_cart, user)


@override_settings(GUEST_AUTH_MERGE_SESSION_KEYS=["coupon"])
def test_marked_session_keys_survive_an_async_login(async_client, user):
    async_to_sync(async_client.get)("/async-guest-view/")
    async_to_sync(async_client.get)("/merge/session/set/", {"coupon": "SPRING", "secret": "x"})
    async_to_sync(async_client.post)("/merge/async-login/", credentials(user))
    assert async_client.session[SESSION_KEY] == str(user.pk)
    assert async_client.session.get("coupon") == "SPRING"
    assert "secret" not in async_client.session


@override_settings(GUEST_AUTH_MERGE_POLICIES={"mergeapp.Comment": "tests.mergeapp.policies.fail"})
def test_a_failed_merge_still_logs_in_and_keeps_the_guest(client, guest_with_cart, user, caplog):
    Comment.objects.create(author=guest_with_cart, text="hello")
    before = snapshot()
    with Receiver(guest_merged) as received, caplog.at_level(logging.ERROR, logger="guest_auth"):
        response = client.post("/accounts/login/", credentials(user))
    assert response.status_code == 302
    assert session_user_id(client) == str(user.pk)
    assert snapshot() == before
    assert received.calls == []
    [record] = caplog.records
    assert record.name == "guest_auth"
    assert record.getMessage() == (
        f"Could not merge guest {guest_with_cart.pk} into user {user.pk}; the guest keeps its data."
    )
    assert str(record.exc_info[1]) == "forced failure mid-merge"


def test_a_guest_merged_receiver_that_raises_undoes_the_merge(
    client, guest_with_cart, user, caplog
):
    def refuse(sender, **kwargs):
        raise RuntimeError("receiver says no")

    before = snapshot()
    guest_merged.connect(refuse)
    try:
        with caplog.at_level(logging.ERROR, logger="guest_auth"):
            client.post("/accounts/login/", credentials(user))
    finally:
        guest_merged.disconnect(refuse)
    assert session_user_id(client) == str(user.pk)
    assert snapshot() == before
    assert str(caplog.records[0].exc_info[1]) == "receiver says no"


@override_settings(GUEST_AUTH_ADAPTER="tests.mergeapp.adapters.CartOnlyAdapter")
def test_the_adapter_can_replace_the_whole_merge(client, guest_with_cart, user):
    Favourite.objects.create(user=guest_with_cart, product=products("apple")[0])
    CartOnlyAdapter.calls.clear()
    with Receiver(guest_merged) as received:
        client.post("/accounts/login/", credentials(user))
    [(request, guest, to)] = CartOnlyAdapter.calls
    assert request.path == "/accounts/login/" and guest == guest_with_cart and to == user
    assert CartItem.objects.filter(user=user).count() == 2
    # The rest of the default merge did not run: the guest and its favourite remain.
    assert Favourite.objects.get().user == guest_with_cart
    assert len(received.calls) == 1


def test_no_activity_is_recorded_for_the_merged_guest(client, guest_with_cart, user):
    # The login view resolved its user as the guest before logging in.
    assert client.post("/merge/login/", credentials(user)).json()["was_guest"] is True
    assert _session.SEEN_SESSION_KEY not in client.session
    assert _session.GUEST_SESSION_KEY not in client.session


def test_logout_is_noticed_only_for_the_flush_that_follows():
    request = make_request()
    create_guest(request)
    logout(request)
    assert _state.of(request).logging_out is False


# guest_merged on every merge path -------------------------------------------------


def test_a_direct_merge_guest_call_sends_guest_merged(guest_user, user):
    # Before, only the login flow sent it: a site merging from its own code (a
    # support tool, a command) left its receivers unaware.
    CartItem.objects.create(user=guest_user, product=products("apple")[0])
    with Receiver(guest_merged) as received:
        merge_guest(guest_user, user)
    [call] = received.calls
    assert call == {"request": None, "guest": guest_user, "user": user}


def test_a_dry_run_or_a_refused_merge_sends_nothing(guest_user, user):
    with Receiver(guest_merged) as received:
        merge_guest(guest_user, user, dry_run=True)
        merge_guest(guest_user, guest_user)  # into itself: nothing to do
    assert received.calls == []
    assert Guest.objects.filter(user=guest_user).exists()


def test_a_receiver_that_raises_undoes_a_direct_merge(guest_user, user):
    CartItem.objects.create(user=guest_user, product=products("apple")[0])
    before = snapshot()

    def refuse(sender, **kwargs):
        raise RuntimeError("receiver says no")

    guest_merged.connect(refuse)
    try:
        with pytest.raises(RuntimeError, match="receiver says no"):
            merge_guest(guest_user, user)
    finally:
        guest_merged.disconnect(refuse)
    assert snapshot() == before


def test_a_login_merge_through_merge_guest_sends_guest_merged_once(client, guest_with_cart, user):
    # The default adapter's merge() calls merge_guest(): one signal, with the request.
    with Receiver(guest_merged) as received:
        client.post("/accounts/login/", credentials(user))
    assert_merged(guest_with_cart, user)
    [call] = received.calls
    assert call["request"].path == "/accounts/login/"

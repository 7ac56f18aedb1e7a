from tests.configs import _flow

if __name__ == "__main__":
    _flow.run(
        "users_alias",
        [_flow.guest_pages, _flow.merge_on_login, _flow.promote_form, _flow.api],
    )

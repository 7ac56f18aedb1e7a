from tests.configs import _flow

if __name__ == "__main__":
    _flow.run(
        "login_required",
        [
            _flow.guest_pages,
            _flow.login_redirects,
            _flow.merge_on_login,
            _flow.promote_form,
            _flow.api,
        ],
    )

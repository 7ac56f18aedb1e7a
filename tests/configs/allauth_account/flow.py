from tests.configs import _flow

if __name__ == "__main__":
    _flow.run(
        "allauth_account",
        [
            _flow.guest_pages,
            _flow.merge_on_login,
            _flow.promote_page_sends_to_signup,
            _flow.allauth_signup,
            _flow.allauth_login,
            _flow.allauth_anonymous,
        ],
    )

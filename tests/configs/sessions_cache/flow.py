from tests.configs import _flow

if __name__ == "__main__":
    _flow.run("sessions_cache", [_flow.guest_pages, _flow.merge_on_login, _flow.promote_form])

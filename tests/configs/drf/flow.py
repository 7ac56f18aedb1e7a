from tests.configs import _flow

if __name__ == "__main__":
    _flow.run("drf", [_flow.guest_pages, _flow.merge_on_login, _flow.api, _flow.own_api_view])

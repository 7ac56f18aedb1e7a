from tests.configs import _flow

if __name__ == "__main__":
    _flow.run("asgi", [_flow.async_flow])

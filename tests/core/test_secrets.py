import re

import pytest

from guest_auth import _secrets


def test_new_secret_shape_and_entropy():
    secret = _secrets.new()
    lookup, raw_secret = secret.raw.split(".")
    assert lookup == secret.lookup and re.fullmatch(r"[0-9a-f]{24}", lookup)
    # 32 random bytes, base64url without padding: 256 bits.
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", raw_secret)
    assert secret.digest == _secrets.digest(raw_secret)
    assert len(secret.digest) == _secrets.DIGEST_LENGTH
    assert raw_secret not in secret.digest


def test_secrets_differ():
    made = {_secrets.new().raw for _ in range(50)}
    assert len(made) == 50


def test_split_accepts_only_the_exact_format():
    raw = _secrets.new().raw
    assert _secrets.split(raw) == tuple(raw.split("."))


@pytest.mark.parametrize(
    "raw",
    [
        None,
        42,
        b"x",
        "",
        ".",
        "abc.def",
        "0" * 24 + "." + "a" * 42,  # secret too short
        "0" * 24 + "." + "a" * 44,  # too long
        "0" * 23 + "." + "a" * 43,  # lookup too short
        "G" * 24 + "." + "a" * 43,  # lookup not hex
        "0" * 24 + "." + "a" * 42 + "=",  # not base64url
        "0" * 24 + "." + "a" * 43 + "\n",  # trailing newline ($ would allow it)
        " " + "0" * 24 + "." + "a" * 43,
    ],
)
def test_split_rejects_anything_else(raw):
    assert _secrets.split(raw) is None


def test_matches_compares_the_hash():
    secret = _secrets.new()
    _, raw_secret = _secrets.split(secret.raw)
    assert _secrets.matches(secret.digest, raw_secret)
    flipped = raw_secret[:-1] + ("A" if raw_secret[-1] != "A" else "B")
    assert not _secrets.matches(secret.digest, flipped)
    assert not _secrets.matches(secret.digest, secret.digest)


def test_matches_uses_constant_time_comparison(monkeypatch):
    calls = []

    def compare_digest(a, b):
        calls.append((a, b))
        return a == b

    monkeypatch.setattr(_secrets.hmac, "compare_digest", compare_digest)
    secret = _secrets.new()
    assert _secrets.matches(secret.digest, _secrets.split(secret.raw)[1])
    assert calls == [(secret.digest, secret.digest)]

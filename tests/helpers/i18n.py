"""What guest_auth says in French, for the tests that check a request's language."""


def french_rate_limited(retry_after: int) -> str:
    """RateLimited's message in French for ``retry_after`` seconds.

    Seconds in the last minute of a window, whole minutes rounded up before it (as
    the HTML page counts them, issue 23): a test must accept both, since the
    windows are the clock's.
    """
    if retry_after < 60:
        unit, count = "seconde", retry_after
    else:
        unit, count = "minute", -(-retry_after // 60)
    return f"Trop de nouveaux invités ; réessayez dans {count} {unit}{'s' * (count > 1)}."

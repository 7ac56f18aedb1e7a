"""RateLimited's words, in English and French, for the tests that read them."""


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


def retry_words(seconds: int) -> str:
    """RateLimited's words in English: seconds under a minute, else whole minutes rounded up."""
    if seconds < 60:
        return f"Too many new guests; retry in {seconds} second{'s' * (seconds != 1)}."
    minutes = -(-seconds // 60)
    return f"Too many new guests; retry in {minutes} minute{'s' * (minutes != 1)}."

"""What a test records of the signals sent while it runs."""

__all__ = ["Receiver"]


class Receiver:
    """Collects the keyword arguments of every send of a signal."""

    def __init__(self, signal):
        self.calls = []
        self.signal = signal

    def __call__(self, sender, **kwargs):
        kwargs.pop("signal")
        self.calls.append(kwargs)

    def __enter__(self):
        self.signal.connect(self)
        return self

    def __exit__(self, *exc):
        self.signal.disconnect(self)

"""Benchmarks of guest_auth's request path (not packaged; see the README's Performance section)."""

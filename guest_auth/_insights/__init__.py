"""The insights room: what the admin's insights page and ``guest_auth.stats`` show.

Away from the request path (only promotion, merge and purge write here, inside their
own transactions), one concern a module:

- ``tally``: the removed guests, recorded in the removing transaction, and the daily
  roll-up into ``GuestDay`` that the purge runs;
- ``counts``: row counts that stay cheap on a large table (the database's estimate past
  a threshold);
- ``chart``: the server-rendered SVG bar chart.

``guest_auth.stats`` (the public figures) and ``guest_auth.admin`` import from here.
"""

__all__: list[str] = []

"""Optional integrations. Each imports its framework only inside its own package.

A package that adds to the core (view hooks, what ``manage.py guest_access``
reads, a signup provider, system checks) exposes a ``register()`` that hands
an ``Integration`` to ``guest_auth._integrations``; ``GuestAuthConfig.ready()``
calls it when the framework is installed. The core never imports this
package. See docs/topics/integrations.md.
"""

__all__: list[str] = []

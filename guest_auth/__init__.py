"""Guest users for Django: created on demand, promoted in place, purged when idle.

Public and internal modules. A module whose name starts with ``_`` is internal:
any module of guest_auth (``contrib`` included) may import from it, nothing
outside the package may. Inside an internal module, names carry no underscore
unless they are private to that module. A public module is used only through
its ``__all__``, from inside the package as from outside.

This module is imported before the app registry is ready, so it must not
import models (directly or through services).
"""

__all__ = ["__version__"]

__version__ = "0.1.0"

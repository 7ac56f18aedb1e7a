"""Guest users for Django: created on demand, promoted in place, purged when idle.

This module is imported before the app registry is ready, so it must not
import models (directly or through services).
"""

__all__ = ["__version__"]

__version__ = "0.1.0"

"""The one base class of errors whose message is written for users (in Polish).

Every module raises its own subclass (``RegistryFileError``, ``StoreError``...), so callers can
still catch what they expect; the views and the CLI catch :class:`UserError` in one place and
show its message as it is, never a traceback. Anything else is a bug and is logged as one.
"""

from __future__ import annotations

__all__ = ["MapError", "UserError"]


class UserError(Exception):
    """An error whose message says, in Polish, what went wrong and what to do."""


class MapError(UserError, ValueError):
    """A map (web or print) cannot be drawn from the given data."""

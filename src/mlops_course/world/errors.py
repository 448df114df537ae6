"""The one exception the world raises for arguments it cannot use."""

from __future__ import annotations


class WorldError(ValueError):
    """A world, scenario or event argument is unusable; the message says which and the fix."""

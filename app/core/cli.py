"""Command-line helpers shared by the domains' commands."""
from __future__ import annotations

from collections.abc import Callable

import click


class RegisteredChoice(click.Choice):
    """A choice among names registered at app start (listing kinds, index sources), read when the command runs."""

    def __init__(self, names: Callable[[], object]):
        self._names = names
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self._names())

    @choices.setter
    def choices(self, value) -> None:  # click.Choice.__init__ assigns it; the names come from ``names``
        pass

"""The one exception type that reaches the user: a Chinese sentence, exit status 2."""

from __future__ import annotations


class XlqcError(Exception):
    """Input or environment the user must fix. ``str(err)`` is one Chinese line."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
